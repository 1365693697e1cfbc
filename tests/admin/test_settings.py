"""Programme settings: an admin changes what messages say and how alerts are timed, and the
running service uses the new values at once."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.db import transaction
from bot.models import Alert, AuditLog, ProgrammeSetting
from tests.builders import add_person


def form(**changes) -> dict:
    base = {
        "name": "Homecoming",
        "sms_name": "Community Link",
        "help_contact": "+221 33 800 00 00",
        "emergency_contact": "+221 33 800 00 01",
        "alert_due_hours_high": "4",
        "alert_due_hours_medium": "24",
        "alert_due_hours_low": "72",
        "default_timezone": "Africa/Dakar",
        "sms_price_per_segment": "0.0075",
        "sms_currency": "USD",
        "safeguarding_lead_id": "1",  # the team's admin, the first staff member
    }
    return {**base, **changes}


async def test_a_new_help_number_reaches_the_next_sms_at_once(sqlite_stack, team, browsers):
    stack = sqlite_stack
    admin = await browsers("admin@example.org")
    page = await admin.get("/admin/settings")
    assert page.status_code == 200 and 'value="Community Link"' in page.text
    response = await admin.post("/admin/settings", form(help_contact="+221 77 000 11 22"))
    assert response.status_code == 303
    await stack.sms_says("+221770009911", "Hello")
    await stack.sms_says("+221770009911", "1")  # English
    replies = await stack.sms_says("+221770009911", "HELP")
    assert any("+221 77 000 11 22" in reply for reply in replies), replies
    with transaction(stack.engine) as session:
        rows = session.exec(select(ProgrammeSetting)).all()
        # Only what changed is kept: the new number, and the lead a first save must name.
        assert sorted((row.key, row.value, row.updated_by) for row in rows) == [
            ("help_contact", "+221 77 000 11 22", team.admin),
            ("safeguarding_lead_id", team.admin, team.admin),
        ]
        log = session.exec(select(AuditLog).where(AuditLog.action == "programme.settings")).one()
        assert log.details == {"changed": ["help_contact", "safeguarding_lead_id"]}
    assert "changed here" in (await admin.get("/admin/settings")).text


async def test_alert_deadlines_and_the_sms_price_follow_the_settings(sqlite_stack, team, browsers):
    stack = sqlite_stack
    admin = await browsers("admin@example.org")
    await admin.post(
        "/admin/settings",
        form(alert_due_hours_high="1.5", sms_price_per_segment="0,012", sms_currency="xof"),
    )
    number = "+221770009922"
    for said in ["Hello", "1", "yes", "yes", "Awa", "1", "1", "05/2026", "1", "3", "2", "1", "1"]:
        await stack.sms_says(number, said)
    await stack.sms_says(number, "I want to die")
    with transaction(stack.engine) as session:
        alert = session.exec(select(Alert)).one()
        assert alert.due_at - alert.created_at == timedelta(hours=1.5)
    add_person(stack, "Binta")
    preview = await admin.post(
        "/admin/broadcasts/preview", {"text_en": "Meeting on Saturday.", "q": "Binta"}
    )
    assert "0.012" in preview.text and "XOF" in preview.text


async def test_bad_settings_are_refused_whole_and_explained(sqlite_stack, team, browsers):
    stack = sqlite_stack
    admin = await browsers("admin@example.org")
    for changes, message in (
        ({"sms_name": ""}, "cannot be empty"),
        ({"name": "x" * 61}, "60 characters at most"),
        ({"help_contact": "call {emergency}"}, "do not use { or }"),
        ({"default_timezone": "Mars/Olympus"}, "timezone is not known"),
        ({"alert_due_hours_high": "0"}, "between 0.25 and 720"),
        ({"sms_price_per_segment": "cheap"}, "a price like 0.0075"),
        ({"sms_currency": "dollars"}, "3-letter code"),
    ):
        response = await admin.post(
            "/admin/settings", form(**{"help_contact": "+221 1", **changes})
        )
        assert response.status_code == 400 and message in response.text, changes
    assert stack.count(ProgrammeSetting) == 0  # nothing half-saved, not even the good field
    fatou = await browsers("fatou@example.org")
    assert (await fatou.get("/admin/settings")).status_code == 403


async def test_another_process_takes_the_settings_at_its_next_housekeeping(
    sqlite_stack, team, browsers
):
    from bot.services import build_services
    from bot.workers import Workers

    stack = sqlite_stack
    other = build_services(stack.settings, stack.clock)  # a second app process, same database
    try:
        admin = await browsers("admin@example.org")
        await admin.post("/admin/settings", form(sms_name="Village Link"))
        assert other.content.catalog.variables["sms_name"] == "Community Link"
        await Workers(other).housekeeping()
        assert other.content.catalog.variables["sms_name"] == "Village Link"
        assert other.inbox.content is other.content is other.scheduler.content
    finally:
        other.dispose()


async def test_settings_are_not_saved_without_a_safeguarding_lead(sqlite_stack, team, browsers):
    stack = sqlite_stack
    admin = await browsers("admin@example.org")
    for lead in ("", str(team.viewer), "99999"):
        response = await admin.post(
            "/admin/settings", form(safeguarding_lead_id=lead, sms_name="X")
        )
        assert response.status_code == 400
        assert "Choose a safeguarding lead" in response.text
    with transaction(stack.engine) as session:
        assert session.get(ProgrammeSetting, "sms_name") is None
    response = await admin.post("/admin/settings", form(safeguarding_lead_id=str(team.facilitator)))
    assert response.status_code == 303
    assert stack.services.content.programme["safeguarding_lead_id"] == team.facilitator
