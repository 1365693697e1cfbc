"""Staff accounts and the audit log, which only admins see and nobody edits."""

from __future__ import annotations

from sqlmodel import select

from admin.routes import admin_routes
from bot.db import transaction
from bot.models import AuditLog, Staff
from tests.builders import add_person


async def test_an_admin_creates_a_facilitator_who_can_then_sign_in(sqlite_stack, team, browsers):
    stack = sqlite_stack
    admin = await browsers("admin@example.org")
    response = await admin.post(
        "/admin/staff",
        {
            "email": "Ndeye@Example.org",
            "name": "Ndeye",
            "role": "facilitator",
            "password": "first-password-1",
        },
    )
    assert response.status_code == 303
    with transaction(stack.engine) as session:
        created = session.exec(select(Staff).where(Staff.email == "ndeye@example.org")).one()
        assert created.role == "facilitator" and created.password_hash.startswith("$argon2id$")
    ndeye = await browsers("ndeye@example.org", login=False)
    assert (await ndeye.login("first-password-1")).status_code == 303
    duplicate = await admin.post(
        "/admin/staff",
        {"email": "ndeye@example.org", "role": "viewer", "password": "another-pass-1"},
    )
    assert duplicate.status_code == 400 and "account with this email already" in duplicate.text
    short = await admin.post(
        "/admin/staff", {"email": "x@example.org", "role": "viewer", "password": "short"}
    )
    assert short.status_code == 400 and "10 characters" in short.text


async def test_deactivating_or_changing_a_role_signs_them_out(sqlite_stack, team, browsers):
    stack = sqlite_stack
    fatou = await browsers("fatou@example.org")
    admin = await browsers("admin@example.org")
    await admin.post(
        f"/admin/staff/{team.facilitator}",
        {"role": "facilitator", "active": "no", "districts": ["central", "nowhere"]},
    )
    assert (await fatou.get("/admin")).status_code == 303
    assert (await fatou.login()).status_code == 401
    with transaction(stack.engine) as session:
        assert session.get(Staff, team.facilitator).districts == ["central"]
    await admin.post(f"/admin/staff/{team.facilitator}", {"role": "viewer", "active": "yes"})
    assert (await fatou.login()).status_code == 303
    assert (await fatou.get("/admin/people")).status_code == 403


async def test_an_admin_cannot_lock_themselves_out(sqlite_stack, team, browsers):
    admin = await browsers("admin@example.org")
    response = await admin.post(f"/admin/staff/{team.admin}", {"role": "viewer", "active": "yes"})
    assert response.status_code == 400
    assert (await admin.get("/admin/staff")).status_code == 200


async def test_resetting_a_password(sqlite_stack, team, browsers):
    admin = await browsers("admin@example.org")
    assert (
        await admin.post(f"/admin/staff/{team.viewer}/password", {"password": "brand-new-secret"})
    ).status_code == 303
    victor = await browsers("victor@example.org", login=False)
    assert (await victor.login()).status_code == 401
    assert (await victor.login("brand-new-secret")).status_code == 303


async def test_the_audit_log_records_views_and_changes_and_offers_no_way_to_edit(
    sqlite_stack, team, browsers
):
    stack = sqlite_stack
    person_id = add_person(stack, "Awa", facilitator_id=team.facilitator)
    fatou = await browsers("fatou@example.org")
    await fatou.get(f"/admin/people/{person_id}")
    await fatou.post(f"/admin/people/{person_id}/followup", {"paused": "yes"})
    admin = await browsers("admin@example.org")
    page = await admin.get(f"/admin/audit?person={person_id}")
    assert "person.viewed" in page.text and "followup.paused" in page.text and "Fatou" in page.text
    assert "Fatou viewed Awa&#39;s record" in page.text  # a sentence, not a code
    assert "Fatou paused Awa&#39;s follow-up" in page.text
    # The person filter offers the people of the log by name, and takes a name as typed.
    assert f'<option value="Awa #{person_id}">' in page.text
    other = add_person(stack, "Binta", facilitator_id=team.facilitator)
    await fatou.get(f"/admin/people/{other}")
    for typed in ("awa", f"Awa #{person_id}", f"#{person_id}"):
        found = (await admin.get("/admin/audit", params={"person": typed})).text
        assert "Awa&#39;s record" in found and "Binta" not in found.split("<tbody>")[1], typed
    # "What" is a list of kinds in staff words: only the follow-up pauses.
    paused = (await admin.get("/admin/audit", params={"action": "followup"})).text
    assert '<option value="followup" selected>Follow-up paused or resumed</option>' in paused
    assert "paused Awa" in paused and "viewed" not in paused.split("<tbody>")[1]
    by_her = await admin.get(f"/admin/audit?actor=staff:{team.facilitator}")
    assert f'<option value="staff:{team.facilitator}" selected>' in by_her.text
    assert '<form method="post"' not in page.text.split("<main", 1)[1].split("</main>")[0]
    with transaction(stack.engine) as session:
        rows = session.exec(
            select(AuditLog).where(AuditLog.person_id == person_id).order_by(AuditLog.id)
        ).all()
        assert [(r.actor, r.action) for r in rows] == [
            (f"staff:{team.facilitator}", "person.viewed"),
            (f"staff:{team.facilitator}", "followup.paused"),
        ]
    audit_routes = {method for method, path in admin_routes() if path.startswith("/admin/audit")}
    assert audit_routes == {"GET"}
    assert (await fatou.get("/admin/audit")).status_code == 403
    assert (await (await browsers("victor@example.org")).get("/admin/audit")).status_code == 403
