"""The API as a case-management system uses it: a token from an admin (only its hash kept),
scopes that gate reading, writing and identities, revocation, a rate limit, every endpoint,
one error shape, and the OpenAPI description."""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import select

from bot.db import transaction
from bot.integrations import tokens
from bot.models import Alert, ApiToken, AuditLog, Consent, Person
from tests.builders import add_person, add_staff, answer

BASE = "http://test/api/v1"


def _token(stack, *scopes: str) -> str:
    admin = add_staff(stack, f"admin{len(scopes)}{'-'.join(scopes)}@example.org", "admin")
    with transaction(stack.engine) as session:
        _, token = tokens.create(session, "Case system", list(scopes), admin, stack.clock())
    return token


@pytest.fixture
def api(sqlite_stack):
    clients = []

    def open_client(token: str | None) -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=sqlite_stack.app),
                                   base_url=BASE, headers=headers)  # fmt: skip
        clients.append(client)
        return client

    yield open_client


async def test_a_token_is_needed_and_kept_only_as_its_hash(sqlite_stack, api):
    stack = sqlite_stack
    token = _token(stack, "read")
    with transaction(stack.engine) as session:
        row = session.exec(select(ApiToken)).one()
        assert token not in (row.token_hash, row.prefix) and row.token_hash == tokens.digest(token)
    anonymous = await api(None).get("/people")
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "unauthorized"
    wrong = await api("hc_not-a-token").get("/people")
    assert wrong.status_code == 401
    assert (await api(token).get("/people")).status_code == 200


async def test_scopes_gate_writing_and_identities(sqlite_stack, api):
    stack = sqlite_stack
    add_person(stack, "Awa Ndiaye", channel="sms", address="+221771234567", district="central")
    reader = api(_token(stack, "read"))
    listed = (await reader.get("/people", params={"district": "central"})).json()
    assert listed["total"] == 1 and listed["data"][0]["display_name"] is None
    assert listed["data"][0]["phone"] is None and listed["data"][0]["district"] == "central"
    refused = await reader.post("/people", json={"display_name": "X"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    assert (await reader.get("/people", params={"q": "Awa"})).status_code == 403
    named = api(_token(stack, "read", "identities"))
    found = (await named.get("/people", params={"q": "Awa"})).json()["data"][0]
    assert found["display_name"] == "Awa Ndiaye" and found["phone"] == "+221771234567"
    person = (await named.get(f"/people/{found['id']}")).json()
    assert person["id"] == found["id"]
    with transaction(stack.engine) as session:
        viewed = session.exec(select(AuditLog).where(AuditLog.action == "person.viewed")).all()
        assert [a.actor.startswith("api:") for a in viewed] == [True]


async def test_creating_a_case_with_consent_and_without_and_a_conflict(sqlite_stack, api):
    stack = sqlite_stack
    writer = api(_token(stack, "read", "write"))
    made = await writer.post("/people", json={
        "display_name": "Moussa Diop", "phone": "+221772345678", "language": "fr",
        "district": "north", "return_date": "2026-05-01",
        "consent": {"date": "2026-10-02", "version": "2026-01", "taken_by": "Field office"}})  # fmt: skip
    assert made.status_code == 201 and made.json()["status"] == "active"
    invited = await writer.post("/people", json={"phone": "+221773456789", "language": "fr"})
    assert invited.status_code == 201 and invited.json()["status"] == "onboarding"
    again = await writer.post("/people", json={"phone": "+221772345678"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"
    bad = await writer.post("/people", json={"phone": "12", "district": "Atlantis"})
    assert bad.status_code == 422 and "import.error.phone" in bad.json()["error"]["problems"]
    extra = await writer.post("/people", json={"phone": "+221774567890", "nickname": "x"})
    assert extra.status_code == 422 and extra.json()["error"]["fields"][0]["field"] == "nickname"
    with transaction(stack.engine) as session:
        moussa = session.exec(select(Person).where(Person.public_id == made.json()["id"])).one()
        consents = session.exec(select(Consent).where(Consent.person_id == moussa.id)).all()
        assert {c.taken_by for c in consents} == {"Field office"}


async def test_updating_a_person_and_an_unknown_one(sqlite_stack, api):
    stack = sqlite_stack
    person = add_person(stack, "Awa", district="central")
    with transaction(stack.engine) as session:
        public_id = session.get(Person, person).public_id
    writer = api(_token(stack, "read", "write"))
    changed = await writer.patch(
        f"/people/{public_id}", json={"district": "south", "sector": "trade"}
    )
    assert changed.status_code == 200 and changed.json()["district"] == "south"
    assert (
        await writer.patch(f"/people/{public_id}", json={"district": "Atlantis"})
    ).status_code == 422
    missing = await writer.get("/people/nobody")
    assert missing.status_code == 404 and missing.json() == {
        "error": {"code": "not_found", "message": "No such person."}
    }
    with transaction(stack.engine) as session:
        corrected = session.exec(
            select(AuditLog).where(AuditLog.action == "profile.corrected")
        ).one()
        assert corrected.actor.startswith("api:")


async def test_alerts_and_results_read_with_the_exports_privacy(sqlite_stack, api):
    stack = sqlite_stack
    person = add_person(stack, "Awa")
    answer(stack, person, "reintegration", "m3", {"work": "regular"})
    with transaction(stack.engine) as session:
        session.add(Alert(person_id=person, reason="safety", severity="high", detail="said: help",
                          due_at=stack.clock(), created_at=stack.clock()))  # fmt: skip
    reader = api(_token(stack, "read"))
    alerts = (await reader.get("/alerts", params={"status": "open"})).json()
    assert alerts["total"] == 1 and alerts["data"][0]["detail"] is None
    one = (await reader.get(f"/alerts/{alerts['data'][0]['id']}")).json()
    assert one["severity"] == "high"
    assert (await reader.get("/alerts/0")).status_code == 404
    rows = (await reader.get("/results")).json()
    assert rows["total"] == 1
    assert (await reader.get("/results", params={"wave": "m12"})).json()["total"] == 0
    assert (
        await reader.get("/results", params={"instrument": "reintegration", "wave": "m3"})
    ).json()["total"] == 1
    assert {r["question"] for r in rows["data"]} >= {"work"}
    assert all(len(r["person_pseudonym"]) == 16 for r in rows["data"])


async def test_a_revoked_token_stops_and_the_rate_is_limited(sqlite_stack, api):
    stack = sqlite_stack
    token = _token(stack, "read")
    client = api(token)
    # The mounted API keeps its own limiter: a small one for this test.
    mounted = next(r.app for r in stack.app.routes if getattr(r, "path", "") == "/api/v1")
    mounted.state.rate_limit.per_minute = 3
    codes = [(await client.get("/alerts")).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = await client.get("/alerts")
    assert limited.json()["error"]["code"] == "too_many_requests" and limited.headers["retry-after"]
    with transaction(stack.engine) as session:
        row = session.exec(select(ApiToken)).one()
        tokens.revoke(session, row.id, row.created_by, stack.clock())
    stack.clock.advance(minutes=2)
    assert (await client.get("/alerts")).status_code == 401


async def test_the_openapi_description_is_served_and_valid(sqlite_stack, api):
    from openapi_spec_validator import validate

    described = (await api(None).get("/openapi.json")).json()
    validate(described)
    assert set(described["paths"]) == {"/people", "/people/{person_id}", "/results", "/alerts",
                                       "/alerts/{alert_id}"}  # fmt: skip
    unknown = await api(None).get("/nothing")
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"
