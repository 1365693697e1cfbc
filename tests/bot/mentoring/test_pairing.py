"""Pairing through the whole service (webhooks, inbox, the mentoring tick, the outbox, the
fake Telegram and Twilio): staff approve; the mentor is asked, then the mentee; contacts go
out only when both said yes; no answer in 48 hours counts as a decline and brings the next
best mentor; a pairing message waits for daytime."""

from __future__ import annotations

from dataclasses import replace

from sqlmodel import select

from bot.db import transaction
from bot.mentoring.matching import run_matching
from bot.mentoring.pairing import approve
from bot.models import Alert, MentoringTask, MentorMatch, MentorPulse, MentorRequest
from tests.builders import add_mentor, add_person, ask_for_mentor

MENTOR_CHAT = 5101
MENTEE_PHONE = "+221770000101"


def _proposals(stack) -> list[int]:
    with transaction(stack.engine) as session:
        run_matching(session, stack.services.content, stack.clock(), actor="staff:1")
        return [
            m.id for m in session.exec(select(MentorMatch).where(MentorMatch.status == "proposed"))
        ]


def _approve(stack, match_id: int) -> None:
    with transaction(stack.engine) as session:
        approve(
            session,
            session.get(MentorMatch, match_id),
            stack.clock(),
            actor="staff:1",
            staff_id=None,
        )


def _match(stack, match_id: int) -> MentorMatch:
    with transaction(stack.engine) as session:
        match = session.get(MentorMatch, match_id)
        session.expunge(match)
        return match


def _allow_fallback(stack) -> None:
    """The programme offers the next mentor at once after a decline (content/mentoring.yaml
    automatic_fallback)."""
    services = stack.services
    content = services.content
    changed = replace(content, mentoring=replace(content.mentoring, automatic_fallback=True))
    services.content = services.inbox.content = services.scheduler.content = changed
    services.mentoring.content = changed


def _pair(stack, **mentor_fields):
    mentor = add_mentor(
        stack,
        "Amina Diallo",
        channel="telegram",
        address=str(MENTOR_CHAT),
        district="north",
        **mentor_fields,
    )
    mentee = add_person(
        stack, "Fatou Sarr", channel="sms", address=MENTEE_PHONE, district="north", sector="trade"
    )
    ask_for_mentor(stack, mentee)
    return mentor, mentee


def _texts(stack, chat=None, phone=None) -> list[str]:
    if chat is not None:
        return [m.text for m in stack.telegram_api.sent_to(chat)]
    return [m.body for m in stack.twilio_api.sent_to(phone)]


async def test_both_say_yes_and_only_then_each_gets_the_others_contact(stack):
    # On both storage backends: the mentoring tick claims its rows with SKIP LOCKED there.
    _pair(stack)
    # The mentor once wrote to the bot: their Telegram name is known.
    await stack.tg_says(MENTOR_CHAT, "hello", username="amina_d")
    (match_id,) = _proposals(stack)
    _approve(stack, match_id)
    await stack.tick()

    offer = _texts(stack, chat=MENTOR_CHAT)[-1]
    assert "Fatou" in offer and "Sarr" not in offer and "North" in offer
    assert "Telegram name" in offer
    assert _texts(stack, phone=MENTEE_PHONE) == []  # the mentee is asked only after the mentor

    await stack.tg_presses(MENTOR_CHAT, "yes")
    await stack.tick()
    asked = _texts(stack, phone=MENTEE_PHONE)[-1]
    assert "Amina" in asked and "phone number" in asked
    assert "amina_d" not in asked and "amina_d" not in " ".join(_texts(stack, chat=MENTOR_CHAT))

    replies = await stack.sms_says(MENTEE_PHONE, "1")
    await stack.work()
    assert any("@amina_d (Telegram)" in r for r in replies)
    assert any(MENTEE_PHONE in t and "Fatou" in t for t in _texts(stack, chat=MENTOR_CHAT))
    match = _match(stack, match_id)
    assert (match.status, match.mentor_reach, match.mentee_reach) == ("active", "telegram", "phone")
    assert match.started_on is not None and match.ends_on is not None
    with transaction(stack.engine) as session:
        assert session.exec(select(MentorRequest)).one().status == "matched"


async def test_no_answer_in_48_hours_is_a_decline_and_the_next_mentor_is_proposed(sqlite_stack):
    stack = sqlite_stack
    first, _ = _pair(stack, sector="trade")  # the better match: asked first
    second = add_mentor(stack, "Binta Ba", district="north")
    (match_id,) = _proposals(stack)
    assert _match(stack, match_id).mentor_id == first
    _approve(stack, match_id)
    await stack.tick()
    stack.clock.advance(hours=47)
    await stack.tick()
    assert _match(stack, match_id).status == "offered"  # not yet
    stack.clock.advance(hours=2)
    await stack.tick()
    assert _match(stack, match_id).status == "expired"
    with transaction(stack.engine) as session:
        after = session.exec(select(MentorMatch).where(MentorMatch.status == "proposed")).one()
        # The other mentor, proposed to staff (no automatic fallback by default).
        assert (after.mentor_id, after.run) == (second, f"after:{match_id}")
    # A late yes is thanked, not taken.
    late = await stack.tg_presses(MENTOR_CHAT, "yes")
    assert "closed" in late[-1]
    assert _match(stack, match_id).status == "expired"


async def test_a_decline_brings_the_next_mentor_at_once_with_automatic_fallback(sqlite_stack):
    stack = sqlite_stack
    _allow_fallback(stack)
    _pair(stack, sector="trade")
    other = add_mentor(stack, "Binta Ba", district="north", channel="sms", address="+221770000202")
    (match_id,) = _proposals(stack)
    _approve(stack, match_id)
    await stack.tick()
    await stack.tg_presses(MENTOR_CHAT, "no")
    await stack.tick()
    assert _match(stack, match_id).status == "declined"
    with transaction(stack.engine) as session:
        nxt = session.exec(select(MentorMatch).where(MentorMatch.status == "offered")).one()
        assert nxt.mentor_id == other
    assert "Fatou" in _texts(stack, phone="+221770000202")[-1]


async def test_an_offer_waits_for_daytime(sqlite_stack):
    stack = sqlite_stack
    _pair(stack)
    (match_id,) = _proposals(stack)
    stack.clock.advance(hours=12)  # 21:00 in Dakar: outside the daytime window
    _approve(stack, match_id)
    await stack.tick()
    assert _texts(stack, chat=MENTOR_CHAT) == []
    with transaction(stack.engine) as session:
        task = session.exec(select(MentoringTask)).one()
        assert task.status == "waiting" and task.due_at > stack.clock()
    stack.clock.advance(hours=13)
    await stack.tick()
    assert "Fatou" in _texts(stack, chat=MENTOR_CHAT)[-1]


async def _paired(stack) -> int:
    _pair(stack)
    await stack.tg_says(MENTOR_CHAT, "hello", username="amina_d")
    (match_id,) = _proposals(stack)
    _approve(stack, match_id)
    await stack.tick()
    await stack.tg_presses(MENTOR_CHAT, "yes")
    await stack.tick()
    await stack.sms_says(MENTEE_PHONE, "yes")
    assert _match(stack, match_id).status == "active"
    return match_id


async def test_a_cycle_pulses_monthly_and_ends_with_what_the_mentee_wants(stack):
    match_id = await _paired(stack)
    stack.clock.advance(days=31)
    await stack.tick()
    pulse = _texts(stack, phone=MENTEE_PHONE)[-1]
    assert "How is it going with your mentor Amina?" in pulse
    assert "Were you in touch with Fatou" in _texts(stack, chat=MENTOR_CHAT)[-1]
    await stack.sms_says(MENTEE_PHONE, "1")
    await stack.sms_says(MENTEE_PHONE, "She never answers")
    await stack.tg_presses(MENTOR_CHAT, "no")
    mentee_id = _match(stack, match_id).mentee_id
    with transaction(stack.engine) as session:
        pulses = {(p.kind, p.role, p.month, p.score) for p in session.exec(select(MentorPulse))}
        assert pulses == {("pulse", "mentee", 1, 1), ("log", "mentor", 1, 0)}
        alert = session.exec(select(Alert).where(Alert.reason == "mentor_pulse_low")).one()
        assert alert.person_id == mentee_id
    # The end of the cycle (six months): both evaluate; the mentee asks for another mentor.
    for _ in range(4):  # months 2 to 5
        stack.clock.advance(days=31)
        await stack.tick()
        for said in ("4", "skip"):
            await stack.sms_says(MENTEE_PHONE, said)
        await stack.tg_presses(MENTOR_CHAT, "yes")
    stack.clock.advance(days=31)
    await stack.tick()
    assert "coming to an end" in _texts(stack, phone=MENTEE_PHONE)[-1]
    await stack.sms_says(MENTEE_PHONE, "5")
    await stack.sms_says(MENTEE_PHONE, "2")  # another mentor
    match = _match(stack, match_id)
    assert (match.status, match.outcome) == ("ended", "rematch")
    with transaction(stack.engine) as session:
        waiting = session.exec(select(MentorRequest).where(MentorRequest.status == "waiting"))
        assert len(waiting.all()) == 1
        left = session.exec(
            select(MentoringTask).where(MentoringTask.status.in_(("pending", "waiting")))
        ).all()
        assert [t.kind for t in left] == [], "the ended match's rows are cancelled"


async def test_problem_at_any_time_raises_an_alert(sqlite_stack):
    stack = sqlite_stack
    await _paired(stack)
    replies = await stack.sms_says(MENTEE_PHONE, "PROBLEM")
    assert "A team member will contact you soon" in replies[-1]
    with transaction(stack.engine) as session:
        assert session.exec(select(Alert).where(Alert.reason == "problem_reported")).one()


async def test_unanswered_pulses_hold_nothing_back_and_continuing_keeps_the_match(sqlite_stack):
    stack = sqlite_stack
    match_id = await _paired(stack)
    for _ in range(5):  # five monthly pulses, none answered
        stack.clock.advance(days=31)
        await stack.tick()
    stack.clock.advance(days=31)
    await stack.tick()
    assert "coming to an end" in _texts(stack, phone=MENTEE_PHONE)[-1]
    ends = _match(stack, match_id).ends_on
    await stack.sms_says(MENTEE_PHONE, "4")
    await stack.sms_says(MENTEE_PHONE, "1")  # keep meeting
    # The first cycle's close, due a fortnight after its end, leaves a continued match alone.
    stack.clock.advance(days=20)
    await stack.tick()
    match = _match(stack, match_id)
    assert (match.status, match.outcome) == ("active", "continue")
    assert match.ends_on > ends
    stack.clock.advance(days=15)
    await stack.tick()
    assert "How is it going with your mentor Amina?" in _texts(stack, phone=MENTEE_PHONE)[-1]
