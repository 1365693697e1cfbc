"""Every alert has an owner the moment it exists, and a repeat cry joins the open alert with
its own message kept (never folded away silently)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.casework.alerts import raise_alert
from bot.db import transaction
from bot.models import Alert, AlertMessage, AuditLog, Person, Staff
from tests.builders import add_person, add_staff, alerts, enrol_on_telegram


def _raise(stack, person_id, programme=None, reason="violence"):
    with transaction(stack.engine) as session:
        person = session.get(Person, person_id)
        alert = raise_alert(session, person, reason, "high", "said: x", stack.clock(), programme)
        return alert.owner_id


def test_the_owner_is_the_facilitator_then_the_district_then_the_safeguarding_lead(
    sqlite_stack,
):
    stack = sqlite_stack
    first_admin = add_staff(stack, "admin@example.org", "admin")
    lead = add_staff(stack, "lead@example.org", "facilitator", districts=["south"])
    north = add_staff(stack, "north@example.org", "facilitator", districts=["north"])
    own = add_person(stack, "Awa", facilitator_id=lead, district="north")
    covered = add_person(stack, "Binta", district="north")
    other = add_person(stack, "Coumba", district="other")
    assert _raise(stack, own) == lead
    assert _raise(stack, covered) == north
    assert _raise(stack, other, {"safeguarding_lead_id": lead}) == lead
    # No lead set (or one who left): the longest-serving active admin, never nobody.
    assert _raise(stack, other, {}, reason="threat") == first_admin
    with transaction(stack.engine) as session:
        session.get(Staff, lead).active = False
    assert _raise(stack, other, {"safeguarding_lead_id": lead}, reason="not_safe") == first_admin


async def test_a_repeat_cry_joins_the_open_alert_with_each_message_kept(sqlite_stack):
    stack = sqlite_stack
    await enrol_on_telegram(stack, 311, "20/11/2026")
    await stack.tg_says(311, "i feel hopeless")  # a review: the inbox, no alert
    assert alerts(stack) == []
    await stack.tg_says(311, "he threatened me again")
    stack.clock.advance(hours=5)  # long after the first: still the same open alert
    await stack.tg_says(311, "now i want to end my life")
    [alert] = alerts(stack)
    with transaction(stack.engine) as session:
        said = session.exec(
            select(AlertMessage).where(AlertMessage.alert_id == alert.id).order_by(AlertMessage.id)
        ).all()
        assert [(m.reason, m.severity) for m in said] == [
            ("threat", "high"),
            ("suicide_risk", "high"),
        ]
        assert all(m.inbound_id is not None for m in said)
        actions = session.exec(select(AuditLog.action).where(AuditLog.person_id == alert.person_id))
        assert "alert.repeated" in set(actions.all())
        assert session.get(Alert, alert.id).due_at - alert.created_at == timedelta(hours=4)
