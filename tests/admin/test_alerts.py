"""Alerts: listed with the overdue ones marked, owned, and closed only with a note."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.db import transaction
from bot.models import Alert, AuditLog, Inbound
from tests.builders import add_feedback_prompt, add_person, alerts

# Onboarding over SMS in English, in the central district (Fatou's).
ONBOARDING = ["Hello", "1", "yes", "yes", "Awa", "1", "1", "05/2026", "1", "3", "2", "1", "1"]


def add_alert(
    stack, person_id, severity="high", reason="safety", hours_left=4, owner_id=None
) -> int:
    now = stack.clock()
    with transaction(stack.engine) as session:
        alert = Alert(person_id=person_id, reason=reason, severity=severity, owner_id=owner_id,
                      detail="safe=no", due_at=now + timedelta(hours=hours_left), created_at=now)  # fmt: skip
        session.add(alert)
        session.flush()
        return alert.id


async def test_the_list_marks_overdue_alerts_and_closing_needs_a_note(sqlite_stack, team, browsers):
    stack = sqlite_stack
    person_id = add_person(stack, "Awa", facilitator_id=team.facilitator)
    late = add_alert(stack, person_id, hours_left=-2, owner_id=team.facilitator)
    fresh = add_alert(stack, person_id, severity="low", reason="basic_needs", hours_left=48)
    fatou = await browsers("fatou@example.org")
    page = await fatou.get("/admin/alerts")
    assert page.text.count('class="overdue"') == 1
    assert page.text.index(f"/admin/alerts/{late}") < page.text.index(f"/admin/alerts/{fresh}")
    assert "Overdue" in page.text and "Basic needs not met" in page.text
    detail = await fatou.get(f"/admin/alerts/{late}")
    assert "safe=no" in detail.text and 'name="note"' in detail.text
    refused = await fatou.post(f"/admin/alerts/{late}/close", {"note": "   "})
    assert refused.status_code == 400 and "Write what was done" in refused.text
    closed = await fatou.post(
        f"/admin/alerts/{late}/close", {"note": "Called her; she is with family."}
    )
    assert closed.status_code == 303
    with transaction(stack.engine) as session:
        alert = session.get(Alert, late)
        assert (alert.status, alert.closed_by, alert.close_note) == (
            "closed", team.facilitator, "Called her; she is with family.",
        )  # fmt: skip
        assert session.exec(select(AuditLog).where(AuditLog.action == "alert.closed")).one()
    assert f"/admin/alerts/{late}" not in (await fatou.get("/admin/alerts")).text
    assert f"/admin/alerts/{late}" in (await fatou.get("/admin/alerts?status=closed")).text
    again = await fatou.post(f"/admin/alerts/{late}/close", {"note": "twice"})
    assert again.status_code == 400 and "closed already" in again.text


async def test_owners_filters_and_scope(sqlite_stack, team, browsers):
    stack = sqlite_stack
    mine = add_person(stack, "Awa", facilitator_id=team.facilitator)
    theirs = add_person(stack, "Bineta", facilitator_id=team.other_facilitator)
    my_alert = add_alert(stack, mine)
    their_alert = add_alert(stack, theirs, severity="medium")
    fatou = await browsers("fatou@example.org")
    page = await fatou.get("/admin/alerts")
    assert (
        f"/admin/alerts/{my_alert}" in page.text and f"/admin/alerts/{their_alert}" not in page.text
    )
    assert (await fatou.get(f"/admin/alerts/{their_alert}")).status_code == 404
    assert (
        await fatou.post(f"/admin/alerts/{their_alert}/close", {"note": "x"})
    ).status_code == 404
    # A facilitator takes an alert; handing it to someone else is an admin's.
    await fatou.post(f"/admin/alerts/{my_alert}/assign", {"owner": str(team.other_facilitator)})
    with transaction(stack.engine) as session:
        assert session.get(Alert, my_alert).owner_id == team.facilitator
    admin = await browsers("admin@example.org")
    assert "Alerts: 2" in (await admin.get("/admin/alerts")).text
    assert "Alerts: 1" in (await admin.get("/admin/alerts?severity=medium")).text
    await admin.post(f"/admin/alerts/{their_alert}/assign", {"owner": str(team.facilitator)})
    # Owning an alert shows it to its owner even for someone else's person.
    assert (await fatou.get(f"/admin/alerts/{their_alert}")).status_code == 200
    assert f"/admin/alerts/{their_alert}" in (await fatou.get("/admin/alerts?mine=1")).text
    viewer = await browsers("victor@example.org")
    assert (await viewer.get("/admin/alerts")).status_code == 403


async def test_an_alert_from_a_real_answer_reaches_the_persons_facilitator(
    sqlite_stack, team, browsers
):
    """End to end: a person says words of danger over SMS; their facilitator sees the alert."""
    stack = sqlite_stack
    number = "+221770005599"
    for said in ONBOARDING:
        await stack.sms_says(number, said)
    person = stack.person("sms", number)
    assert person.facilitator_id == team.facilitator  # Fatou covers the central district
    await stack.sms_says(number, "I want to die")
    fatou = await browsers("fatou@example.org")
    page = await fatou.get("/admin/alerts")
    assert "Wants to die or end their life" in page.text


async def test_the_alert_page_shows_every_message_whole_the_conversation_and_a_reply_box(
    sqlite_stack, team, browsers
):
    stack = sqlite_stack
    number = "+221770005611"
    for said in ONBOARDING:
        await stack.sms_says(number, said)
    first = "my husband came back drunk and he beat me, I am hiding at my sister"
    await stack.sms_says(number, first)
    stack.clock.advance(hours=2)
    await stack.sms_says(number, "he is outside the door now and says he will kill me")
    [alert] = alerts(stack)
    fatou = await browsers("fatou@example.org")
    page = (await fatou.get(f"/admin/alerts/{alert.id}")).text
    assert first in page  # the whole message, not the matched words
    assert "he is outside the door now" in page
    assert page.count("Cry for help") >= 2  # in the conversation, labelled as such
    assert f'action="/admin/inbox/{alert.person_id}/reply"' in page
    reply = await fatou.post(
        f"/admin/inbox/{alert.person_id}/reply", {"text": "Fatou here. I am calling you now."}
    )
    assert reply.status_code == 303
    await stack.work()
    assert stack.twilio_api.sent_to(number)[-1].body == "Fatou here. I am calling you now."


async def test_a_cry_in_anonymous_feedback_reaches_the_lead_with_no_name_on_it(
    sqlite_stack, team, browsers
):
    """Inside an anonymous survey: the emergency contacts, an alert with the words and no
    person for the safeguarding lead, and the question; No keeps them anonymous."""
    stack = sqlite_stack
    add_feedback_prompt(stack, add_person(stack, "Awa", channel="telegram", address="9301"))
    await stack.tick()
    await stack.tg_says(9301, "yes")
    replies = await stack.tg_says(9301, "i will kill myself tonight")
    assert replies[0].startswith("If you need help now")
    assert replies[1].startswith("Do you want someone from our team to contact you?")
    await stack.tg_says(9301, "no")
    with transaction(stack.engine) as session:
        [alert] = session.exec(select(Alert)).all()
        assert (alert.person_id, alert.severity) == (None, "high")
        assert alert.owner_id is not None and alert.detail == "i will kill myself tonight"
        texts = [i.text for i in session.exec(select(Inbound)).all()]
        assert "i will kill myself tonight" not in texts  # not in the inbox
    admin = await browsers("admin@example.org")
    page = await admin.get("/admin/alerts")
    assert page.status_code == 200
    page = await admin.get(f"/admin/alerts/{alert.id}")
    assert page.status_code == 200 and "i will kill myself tonight" in page.text
