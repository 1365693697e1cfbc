"""STOP, START, HELP, LANG, MENU and asking for a person — at any point of a conversation."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.db import transaction
from bot.models import AuditLog, Consent, Inbound, Outbound

CHAT = 701
PHONE = "+221770000701"


async def onboard_to_profile(stack, chat: int = CHAT) -> None:
    """Language English, both consents: the next question is the first of the profile."""
    for said in ("hi", "1", "yes", "yes"):
        await stack.tg_says(chat, said)


@pytest.mark.parametrize(
    "stop",
    [
        "STOP",
        "stop",
        "Stop.",
        "stop please",
        "Stop. Thanks",
        "STOP!!!",
        "/stop",
        "unsubscribe",
        "arrêter",
        "Arrêter svp",
        "توقف",
        "الغاء الاشتراك",
        "quit",
        "cancel",
    ],
)
async def test_stop_in_any_form_opts_out_and_confirms_once(sqlite_stack, stop):
    stack = sqlite_stack
    await onboard_to_profile(stack)
    replies = await stack.tg_says(CHAT, stop)
    assert replies == ["You will get no more messages. Send START to come back."]
    person = stack.person("telegram", str(CHAT))
    assert person.opted_out_at is not None
    # Saying it again is not confirmed twice.
    assert await stack.tg_says(CHAT, stop) == []


@pytest.mark.parametrize(
    "sentence",
    ["I had to stop working", "the bus stop is far", "help me find work please now today"],
)
async def test_a_sentence_that_merely_contains_a_keyword_is_an_answer(sqlite_stack, sentence):
    stack = sqlite_stack
    await onboard_to_profile(stack)
    replies = await stack.tg_says(CHAT, sentence)
    assert replies == ["Which fits you best?"]  # taken as their name; the profile goes on
    assert stack.person("telegram", str(CHAT)).display_name == sentence


async def test_while_opted_out_nothing_is_sent_but_one_hint_a_day(sqlite_stack):
    stack = sqlite_stack
    await onboard_to_profile(stack)
    await stack.tg_says(CHAT, "STOP")
    assert await stack.tg_says(CHAT, "hello?") == [
        "You asked us to stop. Send START to get messages again."
    ]
    assert await stack.tg_says(CHAT, "anyone there?") == []
    stack.clock.advance(hours=23)
    assert await stack.tg_says(CHAT, "hello") == []
    stack.clock.advance(hours=2)
    [hint] = await stack.tg_says(CHAT, "hello")
    assert "START" in hint
    assert stack.telegram_api.sent_to(CHAT)[-1].buttons == []


async def test_start_opts_back_in_and_picks_up_where_they_were(sqlite_stack):
    stack = sqlite_stack
    await onboard_to_profile(stack)
    await stack.tg_says(CHAT, "STOP")
    replies = await stack.tg_says(CHAT, "START")
    assert replies == ["Welcome back! You will get messages again.", "What should we call you?"]
    assert stack.person("telegram", str(CHAT)).opted_out_at is None


async def test_stop_cancels_what_was_waiting_to_be_sent(sqlite_stack):
    stack = sqlite_stack
    await onboard_to_profile(stack)
    stack.telegram_api.down = True
    await stack.tg_says(CHAT, "Awa")  # the next question cannot be sent yet
    stack.telegram_api.down = False
    await stack.tg_says(CHAT, "STOP")
    stack.clock.advance(minutes=5)
    await stack.work()
    statuses = [(r.origin, r.status) for r in stack.outbound()][-2:]
    assert statuses == [("profile.role", "cancelled"), ("keyword.stop_confirm", "sent")]


async def test_help_gives_the_contact_and_repeats_the_question(sqlite_stack):
    stack = sqlite_stack
    await onboard_to_profile(stack)
    replies = await stack.tg_says(CHAT, "help")
    assert replies == [
        "Help: call +221 33 800 00 00. Send MENU for options, LANG to change language, STOP to stop messages.",
        "What should we call you?",
    ]


async def test_lang_changes_language_without_losing_progress(sqlite_stack):
    stack = sqlite_stack
    await onboard_to_profile(stack)
    await stack.tg_says(CHAT, "Awa")
    [choose] = await stack.tg_says(CHAT, "LANG")
    assert choose.startswith("Welcome! Choose your language:")
    assert [label for _, label in stack.telegram_api.sent_to(CHAT)[-1].buttons][:1] == ["English"]
    replies = await stack.tg_says(CHAT, "2")
    assert len(replies) == 2  # "done" in French, then the same question, in French
    person = stack.person("telegram", str(CHAT))
    assert person.language == "fr" and person.display_name == "Awa"
    conversation = stack.conversation(person.id)
    assert (conversation.flow, conversation.step) == ("onboarding", "profile")
    assert conversation.state["survey"]["at"] == "role"


async def test_menu_offers_what_they_can_do_and_continue_resumes(sqlite_stack):
    stack = sqlite_stack
    await onboard_to_profile(stack)
    [menu] = await stack.tg_says(CHAT, "menu")
    assert menu == "What would you like to do?"
    labels = [label for _, label in stack.telegram_api.sent_to(CHAT)[-1].buttons]
    assert labels == ["Continue", "Change language", "Help", "Talk to a person", "Stop messages"]
    assert await stack.tg_presses(CHAT, "continue") == ["What should we call you?"]
    assert "answerCallbackQuery" in stack.telegram_api.methods()  # the button stops spinning


async def test_menu_then_an_answer_to_the_question_is_taken_as_the_answer(sqlite_stack):
    stack = sqlite_stack
    await onboard_to_profile(stack)
    await stack.tg_says(CHAT, "menu")
    assert await stack.tg_says(CHAT, "Awa Diop") == ["Which fits you best?"]


async def test_asking_for_a_person_is_flagged_for_staff(sqlite_stack):
    stack = sqlite_stack
    await onboard_to_profile(stack)
    replies = await stack.tg_says(CHAT, "talk to a person")
    assert replies[0] == "Thank you. A team member will write to you soon."
    handoffs = [i.handoff for i in stack.inbound() if i.handoff]
    assert handoffs == ["asked_for_person"]


async def test_sms_stop_handled_by_twilio_advanced_opt_out_is_recorded_without_a_second_confirmation(
    stack,
):
    await stack.sms_says(PHONE, "hello")
    replies = await stack.sms_says(PHONE, "STOP", OptOutType="STOP")
    assert replies == []
    person = stack.person("sms", PHONE)
    assert person.opted_out_at is not None
    with transaction(stack.engine) as session:
        actions = session.exec(select(AuditLog.action).where(AuditLog.person_id == person.id)).all()
    assert "opt_out" in actions


async def test_sms_stop_without_advanced_opt_out_is_confirmed_by_us(stack):
    await stack.sms_says(PHONE, "hello")
    replies = await stack.sms_says(PHONE, "Stop")
    assert replies == ["You will get no more messages. Send START to come back."]


async def test_sms_start_handled_by_twilio_resumes_without_our_confirmation(sqlite_stack):
    stack = sqlite_stack
    await stack.sms_says(PHONE, "hello")
    await stack.sms_says(PHONE, "STOP", OptOutType="STOP")
    replies = await stack.sms_says(PHONE, "START", OptOutType="START")
    assert replies[0].startswith("Welcome! Choose your language:")


async def test_declining_consent_keeps_nothing_but_the_opt_out(stack):
    await stack.tg_says(CHAT, "hi")
    await stack.tg_says(CHAT, "1")
    replies = await stack.tg_says(CHAT, "no")
    assert replies == [
        "Thank you. We will not keep your details or write again. Send START if you change your mind."
    ]
    person = stack.person("telegram", str(CHAT))
    assert person.status == "declined" and person.opted_out_at is not None
    assert all(i.text is None for i in stack.inbound())
    assert all(o.body == "" for o in stack.outbound() if o.origin != "onboarding.declined")
    with transaction(stack.engine) as session:
        consents = session.exec(select(Consent)).all()
        assert [(c.purpose, c.granted) for c in consents] == [("messages", False)]
    # They hear nothing more, unless they come back with START.
    assert await stack.tg_says(CHAT, "hello") == [
        "You asked us to stop. Send START to get messages again."
    ]
    replies = await stack.tg_says(CHAT, "start")
    assert replies[-1].startswith("Welcome! Choose your language:")


async def test_consent_is_recorded_per_purpose_with_its_version(sqlite_stack):
    stack = sqlite_stack
    await stack.tg_says(CHAT, "hi")
    await stack.tg_says(CHAT, "1")
    await stack.tg_says(CHAT, "yes")
    await stack.tg_says(CHAT, "no")
    with transaction(stack.engine) as session:
        consents = session.exec(select(Consent).order_by(Consent.id)).all()
        assert [(c.purpose, c.granted, c.version, c.channel) for c in consents] == [
            ("messages", True, "2026-11-v1", "telegram"),
            ("surveys", False, "2026-11-v1", "telegram"),
        ]


async def test_nothing_is_kept_before_consent_but_the_messages_themselves(sqlite_stack):
    stack = sqlite_stack
    await stack.tg_says(CHAT, "hi")
    person = stack.person("telegram", str(CHAT))
    assert person.status == "onboarding" and person.display_name is None
    with transaction(stack.engine) as session:
        assert session.exec(select(Consent)).all() == []
    assert stack.count(Inbound) == 1 and stack.count(Outbound) == 1
