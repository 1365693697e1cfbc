"""Staff link their own Telegram or phone with a one-time code sent to the bot; the owner of a
new high alert hears of it at once, and the safeguarding lead of every alert still open at
its due time. Through the real webhooks, the outbox and the fake Telegram and Twilio APIs."""

from __future__ import annotations

from sqlmodel import select

from bot.casework.alerts import assign_alert
from bot.casework.staff_links import code_in
from bot.db import transaction
from bot.models import Alert, AuditLog, Outbound, Person, Staff, StaffContact
from tests.builders import (
    add_staff,
    alerts,
    code_for,
    enrol_on_sms,
    enrol_on_telegram,
    link_phone,
    link_telegram,
)

LEAD_PHONE = "+221770009901"
OWNER_CHAT = 880001


def people(stack) -> int:
    return stack.count(Person)


def staff_notices(stack) -> list[Outbound]:
    return [row for row in stack.outbound() if row.staff_contact_id is not None]


def test_a_code_is_eight_digits_with_at_most_one_word_beside_it():
    assert code_in("12345678") == "12345678"
    assert code_in("  link 1234 5678 ") == "12345678"
    assert code_in("Code: 1234-5678") == "12345678"
    assert code_in("/start link-12345678") == "12345678"
    assert code_in("/start link_12345678") == "12345678"
    assert code_in("ربط ١٢٣٤٥٦٧٨") == "12345678"  # Arabic-Indic digits, an Arabic word
    assert code_in("1234567") is None
    assert code_in("123456789") is None
    assert code_in("my number is 12345678") is None  # a sentence, not a code
    assert code_in("") is None and code_in(None) is None


async def test_staff_link_telegram_and_phone_and_no_person_is_created(sqlite_stack):
    stack = sqlite_stack
    fatou = add_staff(stack, "fatou@example.org", "facilitator", "Fatou")
    [reply] = await link_telegram(stack, fatou, OWNER_CHAT)
    assert reply.startswith("Linked, Fatou.")
    [reply] = await link_phone(stack, fatou, LEAD_PHONE)
    assert "STOP" in reply
    assert people(stack) == 0
    with transaction(stack.engine) as session:
        linked = session.exec(select(StaffContact).order_by(StaffContact.id)).all()
        assert [(c.staff_id, c.channel, c.address) for c in linked] == [
            (fatou, "telegram", str(OWNER_CHAT)),
            (fatou, "sms", LEAD_PHONE),
        ]
        actions = session.exec(select(AuditLog.action)).all()
        assert actions.count("staff.contact_linked") == 2


async def test_a_code_works_once_within_fifteen_minutes_and_a_new_one_replaces_it(sqlite_stack):
    stack = sqlite_stack
    fatou = add_staff(stack, "fatou@example.org", "facilitator", "Fatou")
    code = code_for(stack, fatou)
    stack.clock.advance(minutes=16)
    # Too late: the digits are an ordinary first message from someone new.
    replies = await stack.tg_says(OWNER_CHAT, code)
    assert "Welcome" in replies[0] and stack.count(StaffContact) == 0
    first = code_for(stack, fatou)
    second = code_for(stack, fatou)
    await stack.tg_says(OWNER_CHAT + 1, first)  # replaced by the second
    assert stack.count(StaffContact) == 0
    await stack.tg_says(OWNER_CHAT + 2, second)
    await stack.tg_says(OWNER_CHAT + 3, second)  # used already
    with transaction(stack.engine) as session:
        assert [c.address for c in session.exec(select(StaffContact)).all()] == [
            str(OWNER_CHAT + 2)
        ]


async def test_a_viewer_or_someone_who_left_cannot_link(sqlite_stack):
    stack = sqlite_stack
    viewer = add_staff(stack, "victor@example.org", "viewer")
    left = add_staff(stack, "gone@example.org", "facilitator")
    codes = [code_for(stack, viewer), code_for(stack, left)]
    with transaction(stack.engine) as session:
        session.get(Staff, left).active = False
    for chat, code in zip((OWNER_CHAT, OWNER_CHAT + 1), codes, strict=True):
        await stack.tg_says(chat, code)
    assert stack.count(StaffContact) == 0


async def test_the_owner_gets_a_discreet_notice_of_a_new_high_alert_at_once(stack):
    fatou = add_staff(stack, "fatou@example.org", "facilitator", "Fatou", districts=["north"])
    await link_telegram(stack, fatou, OWNER_CHAT)
    await link_phone(stack, fatou, LEAD_PHONE)
    number = "+221770002201"
    await enrol_on_sms(stack, number, "10/2026")  # district North: Fatou's
    assert stack.person("sms", number).facilitator_id == fatou
    before_tg = len(stack.telegram_api.sent_to(OWNER_CHAT))
    before_sms = len(stack.twilio_api.sent_to(LEAD_PHONE))
    await stack.sms_says(number, "mon mari me frappe tous les soirs")
    [alert] = alerts(stack)
    [on_telegram] = [m.text for m in stack.telegram_api.sent_to(OWNER_CHAT)[before_tg:]]
    [on_phone] = [m.body for m in stack.twilio_api.sent_to(LEAD_PHONE)[before_sms:]]
    for notice in (on_telegram, on_phone):
        assert f"#{alert.id}" in notice
        assert f"https://homecoming.example.org/admin/alerts/{alert.id}" in notice
        # Nothing about the person: not their name, number, words or the reason.
        for secret in ("Awa", number, "mari", "frappe", "violence"):
            assert secret not in notice
    # Told once: more work, another cry on the same alert, nothing new for the owner.
    await stack.work()
    await stack.sms_says(number, "il a dit qu'il va me tuer")
    assert len(staff_notices(stack)) == 2 + 2  # two link confirmations, two notices
    with transaction(stack.engine) as session:
        assert session.get(Alert, alert.id).owner_noticed_at is not None


async def test_possible_distress_and_lower_alerts_send_no_notice(sqlite_stack):
    stack = sqlite_stack
    fatou = add_staff(stack, "fatou@example.org", "facilitator", "Fatou", districts=["north"])
    await link_telegram(stack, fatou, OWNER_CHAT)
    await enrol_on_telegram(stack, 4401, "20/11/2026")
    await stack.tg_says(4401, "i feel hopeless")  # review tier: the inbox, not a notice
    assert [row.origin for row in staff_notices(stack)] == ["staff.linked"]


async def test_an_owner_with_nothing_linked_is_noted_on_the_alert(sqlite_stack):
    stack = sqlite_stack
    add_staff(stack, "fatou@example.org", "facilitator", "Fatou", districts=["north"])
    await enrol_on_telegram(stack, 4402, "20/11/2026")
    await stack.tg_says(4402, "i want to kill myself")
    [alert] = alerts(stack)
    assert alert.owner_noticed_at is not None and staff_notices(stack) == []
    with transaction(stack.engine) as session:
        [log] = session.exec(select(AuditLog).where(AuditLog.action == "alert.noticed")).all()
        assert log.details["contacts"] == 0


async def test_the_lead_hears_of_every_alert_still_open_at_its_due_time(stack):
    """Frozen clock: nothing before the due time, one notice at it, nothing twice."""
    add_staff(stack, "admin@example.org", "admin", "Awa")
    lead = add_staff(stack, "lead@example.org", "facilitator", "Lena")
    stack.services.use_programme_settings({"safeguarding_lead_id": lead})
    await link_phone(stack, lead, LEAD_PHONE)
    await enrol_on_telegram(stack, 4403, "20/11/2026")
    await stack.tg_says(4403, "i want to kill myself")
    [alert] = alerts(stack)
    before = len(stack.twilio_api.sent_to(LEAD_PHONE))
    stack.clock.now = alert.due_at - (alert.due_at - alert.created_at) / 100
    await stack.work()
    assert len(stack.twilio_api.sent_to(LEAD_PHONE)) == before
    stack.clock.now = alert.due_at
    await stack.work()
    [notice] = [m.body for m in stack.twilio_api.sent_to(LEAD_PHONE)[before:]]
    assert f"#{alert.id}" in notice and "past its due time" in notice
    stack.clock.advance(hours=1)
    await stack.work()
    assert len(stack.twilio_api.sent_to(LEAD_PHONE)) == before + 1


async def test_alerts_due_together_reach_the_lead_as_one_notice_and_closed_ones_never(
    sqlite_stack,
):
    stack = sqlite_stack
    lead = add_staff(stack, "lead@example.org", "admin", "Lena")
    stack.services.use_programme_settings({"safeguarding_lead_id": lead})
    await link_telegram(stack, lead, OWNER_CHAT)
    for chat in (4404, 4405, 4406):
        await enrol_on_telegram(stack, chat, "20/11/2026")
        await stack.tg_says(chat, "he beats me and took my passport")
    first, *_ = alerts(stack)
    with transaction(stack.engine) as session:
        closed = session.get(Alert, first.id)
        closed.status = "closed"
    before = len(stack.telegram_api.sent_to(OWNER_CHAT))
    stack.clock.advance(days=1)
    await stack.work()
    [notice] = [m.text for m in stack.telegram_api.sent_to(OWNER_CHAT)[before:]]
    assert "2 cases are still open" in notice and notice.endswith("/admin/alerts")


async def test_stop_from_a_linked_phone_unlinks_it_and_anything_else_gets_a_staff_note(
    sqlite_stack,
):
    stack = sqlite_stack
    fatou = add_staff(stack, "fatou@example.org", "facilitator", "Fatou", districts=["north"])
    await link_phone(stack, fatou, LEAD_PHONE)
    [note] = await stack.sms_says(LEAD_PHONE, "ok thanks, on my way")
    assert "admin" in note and people(stack) == 0
    [done] = await stack.sms_says(LEAD_PHONE, "STOP")
    assert done.startswith("Unlinked")
    # Unlinked: the next notice does not go there, and its next message is a person's.
    await enrol_on_telegram(stack, 4407, "20/11/2026")
    before = len(stack.twilio_api.sent_to(LEAD_PHONE))
    await stack.tg_says(4407, "i want to kill myself")
    assert len(stack.twilio_api.sent_to(LEAD_PHONE)) == before


async def test_a_provider_refusing_a_staff_phone_unlinks_it(sqlite_stack):
    """Twilio 21610 on a notice: the staff contact is unlinked, no person is touched."""
    stack = sqlite_stack
    fatou = add_staff(stack, "fatou@example.org", "facilitator", "Fatou", districts=["north"])
    await link_phone(stack, fatou, LEAD_PHONE)
    stack.twilio_api.opted_out.add(LEAD_PHONE)
    await enrol_on_telegram(stack, 4408, "20/11/2026")
    await stack.tg_says(4408, "i want to kill myself")
    with transaction(stack.engine) as session:
        [contact] = session.exec(select(StaffContact)).all()
        assert contact.stopped_at is not None and contact.stopped_reason == "opted_out"
    [notice] = [row for row in staff_notices(stack) if row.origin == "staff.alert_notice"]
    assert notice.status == "failed"


async def test_a_notice_to_someone_who_left_is_not_sent(sqlite_stack):
    stack = sqlite_stack
    fatou = add_staff(stack, "fatou@example.org", "facilitator", "Fatou", districts=["north"])
    await link_telegram(stack, fatou, OWNER_CHAT)
    await enrol_on_telegram(stack, 4409, "20/11/2026")
    with transaction(stack.engine) as session:
        session.get(Staff, fatou).active = False
    before = len(stack.telegram_api.sent_to(OWNER_CHAT))
    await stack.tg_says(4409, "i want to kill myself")
    assert len(stack.telegram_api.sent_to(OWNER_CHAT)) == before


async def test_notices_come_in_the_staff_members_language(sqlite_stack):
    stack = sqlite_stack
    fatou = add_staff(
        stack, "fatou@example.org", "facilitator", "Fatou", districts=["north"], language="fr"
    )
    [linked] = await link_telegram(stack, fatou, OWNER_CHAT)
    assert linked.startswith("C'est lié, Fatou.")
    await enrol_on_telegram(stack, 4410, "20/11/2026")
    before = len(stack.telegram_api.sent_to(OWNER_CHAT))
    await stack.tg_says(4410, "i want to kill myself")
    [notice] = [m.text for m in stack.telegram_api.sent_to(OWNER_CHAT)[before:]]
    assert "nouveau dossier urgent" in notice


async def test_a_high_alert_handed_to_someone_else_is_announced_to_them(sqlite_stack):
    stack = sqlite_stack
    fatou = add_staff(stack, "fatou@example.org", "facilitator", "Fatou", districts=["north"])
    omar = add_staff(stack, "omar@example.org", "facilitator", "Omar")
    await link_telegram(stack, omar, OWNER_CHAT)
    await enrol_on_telegram(stack, 4411, "20/11/2026")
    await stack.tg_says(4411, "i want to kill myself")
    [alert] = alerts(stack)
    assert alert.owner_id == fatou
    before = len(stack.telegram_api.sent_to(OWNER_CHAT))
    with transaction(stack.engine) as session:
        assign_alert(session, session.get(Alert, alert.id), omar, fatou, stack.clock())
    await stack.work()
    [notice] = [m.text for m in stack.telegram_api.sent_to(OWNER_CHAT)[before:]]
    assert f"#{alert.id}" in notice
    # Taking an alert oneself tells nobody anything new.
    with transaction(stack.engine) as session:
        assign_alert(session, session.get(Alert, alert.id), omar, omar, stack.clock())
    await stack.work()
    assert len(stack.telegram_api.sent_to(OWNER_CHAT)) == before + 1
