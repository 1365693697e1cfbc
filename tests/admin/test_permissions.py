"""Every admin route against every role: who may use it, who is refused (403), for whom the
thing does not exist (404: someone else's person), and who must sign in first. A route
added without a line here fails the first test."""

from __future__ import annotations

import pytest

from admin.routes import admin_routes
from bot.db import transaction
from bot.models import (
    Alert,
    Broadcast,
    Contact,
    FeedbackRespondent,
    GroupMeeting,
    GroupMember,
    Inbound,
    Mentor,
    MentorMatch,
    PeerGroup,
    PeopleImport,
    SavingsEntry,
    SavingsGroup,
    SavingsMeeting,
    SavingsMember,
    WebhookDelivery,
    WebhookEndpoint,
)
from tests.builders import add_person

OK, LOGIN, FORBIDDEN = "ok", "login", "403"
SIGNED_IN = {"viewer": OK, "facilitator": OK, "admin": OK}
CASEWORK = {"viewer": FORBIDDEN, "facilitator": OK, "admin": OK}
ADMIN = {"viewer": FORBIDDEN, "facilitator": FORBIDDEN, "admin": OK}
# Routes about one person (or their alert, thread, broadcast): a facilitator asking for
# someone else's gets 404.
SCOPED = "scoped"

MATRIX: dict[tuple[str, str], tuple[dict[str, str], bool]] = {
    ("GET", "/admin"): (SIGNED_IN, False),
    ("GET", "/admin/account"): (SIGNED_IN, False),
    ("POST", "/admin/account/password"): (SIGNED_IN, False),
    ("POST", "/admin/account/link"): (CASEWORK, False),
    ("POST", "/admin/account/contacts/{contact_id}/unlink"): (SIGNED_IN, False),
    ("POST", "/admin/language"): (SIGNED_IN, False),
    ("GET", "/admin/login"): ({"viewer": OK, "facilitator": OK, "admin": OK}, False),
    ("POST", "/admin/logout"): (SIGNED_IN, False),
    ("GET", "/admin/people"): (CASEWORK, False),
    ("GET", "/admin/people/new"): (CASEWORK, False),
    ("POST", "/admin/people/new"): (CASEWORK, False),
    ("GET", "/admin/people/{person_id}"): (CASEWORK, True),
    ("GET", "/admin/people/{person_id}/answers/{instrument}"): (CASEWORK, True),
    ("POST", "/admin/people/{person_id}/answers"): (CASEWORK, True),
    ("POST", "/admin/people/{person_id}/erase"): (CASEWORK, True),
    ("POST", "/admin/people/{person_id}/facilitator"): (ADMIN, False),
    ("POST", "/admin/people/{person_id}/followup"): (CASEWORK, True),
    ("POST", "/admin/people/{person_id}/outcome"): (CASEWORK, True),
    ("POST", "/admin/people/{person_id}/profile"): (CASEWORK, True),
    ("GET", "/admin/inbox"): (CASEWORK, False),
    ("GET", "/admin/inbox/{person_id}"): (CASEWORK, True),
    ("POST", "/admin/inbox/{person_id}/assign"): (CASEWORK, True),
    ("POST", "/admin/inbox/{person_id}/handled"): (CASEWORK, True),
    ("POST", "/admin/inbox/{person_id}/reply"): (CASEWORK, True),
    ("POST", "/admin/inbox/{person_id}/note"): (CASEWORK, True),
    ("GET", "/admin/replies"): (ADMIN, False),
    ("GET", "/admin/api-tokens"): (ADMIN, False),
    ("POST", "/admin/api-tokens"): (ADMIN, False),
    ("POST", "/admin/api-tokens/{token_id}/revoke"): (ADMIN, False),
    ("POST", "/admin/webhooks"): (ADMIN, False),
    ("POST", "/admin/webhooks/{endpoint_id}/test"): (ADMIN, False),  # before it is removed
    ("POST", "/admin/webhooks/{endpoint_id}/remove"): (ADMIN, False),
    ("POST", "/admin/webhooks/deliveries/{delivery_id}/retry"): (ADMIN, False),
    ("POST", "/admin/replies"): (ADMIN, False),
    ("POST", "/admin/replies/{reply_id}/retire"): (ADMIN, False),
    ("GET", "/admin/alerts"): (CASEWORK, False),
    ("GET", "/admin/alerts/{alert_id}"): (CASEWORK, True),
    ("POST", "/admin/alerts/{alert_id}/assign"): (CASEWORK, True),
    ("POST", "/admin/alerts/{alert_id}/close"): (CASEWORK, True),
    ("GET", "/admin/results"): (SIGNED_IN, False),
    ("GET", "/admin/results/{instrument}/{wave}"): (SIGNED_IN, False),
    ("POST", "/admin/results/refresh"): (CASEWORK, False),
    ("GET", "/admin/results/export.csv"): (CASEWORK, False),
    ("GET", "/admin/results/dictionary.csv"): (CASEWORK, False),
    ("GET", "/admin/broadcasts"): (CASEWORK, False),
    ("GET", "/admin/broadcasts/new"): (CASEWORK, False),
    ("POST", "/admin/broadcasts/test"): (CASEWORK, False),
    ("POST", "/admin/broadcasts/preview"): (CASEWORK, False),
    ("POST", "/admin/broadcasts"): (CASEWORK, False),
    ("GET", "/admin/broadcasts/{broadcast_id}"): (CASEWORK, True),
    ("GET", "/admin/mentors"): (CASEWORK, False),
    ("POST", "/admin/mentors/{mentor_id}"): (CASEWORK, False),
    ("POST", "/admin/people/{person_id}/mentor"): (CASEWORK, True),
    ("POST", "/admin/people/{person_id}/mentor-request"): (CASEWORK, True),
    ("GET", "/admin/matching"): (CASEWORK, False),
    ("POST", "/admin/matching/run"): (CASEWORK, False),
    ("POST", "/admin/matching/approve"): (CASEWORK, False),
    ("POST", "/admin/matches/{match_id}/approve"): (CASEWORK, True),
    ("POST", "/admin/matches/{match_id}/reject"): (CASEWORK, True),
    ("POST", "/admin/matches/{match_id}/mentor"): (CASEWORK, True),
    ("GET", "/admin/groups"): (CASEWORK, False),
    ("POST", "/admin/groups"): (CASEWORK, False),
    ("GET", "/admin/groups/{group_id}"): (CASEWORK, True),
    ("GET", "/admin/groups/{group_id}/tally"): (CASEWORK, True),
    ("POST", "/admin/groups/{group_id}"): (CASEWORK, True),
    ("POST", "/admin/groups/{group_id}/invite"): (CASEWORK, True),
    ("POST", "/admin/groups/{group_id}/members/{person_id}/remove"): (CASEWORK, True),
    ("POST", "/admin/groups/{group_id}/approval"): (CASEWORK, True),
    ("POST", "/admin/groups/{group_id}/poll"): (CASEWORK, True),
    ("POST", "/admin/groups/{group_id}/confirm"): (CASEWORK, True),
    ("POST", "/admin/groups/{group_id}/meetings"): (CASEWORK, True),
    ("POST", "/admin/groups/{group_id}/meetings/{meeting_id}"): (CASEWORK, True),
    ("POST", "/admin/groups/{group_id}/meetings/{meeting_id}/attendance"): (CASEWORK, True),
    ("POST", "/admin/groups/{group_id}/announce"): (CASEWORK, True),
    ("POST", "/admin/groups/{group_id}/end"): (CASEWORK, True),
    ("GET", "/admin/savings"): (CASEWORK, False),
    ("POST", "/admin/savings"): (CASEWORK, False),
    ("GET", "/admin/savings/{savings_id}"): (CASEWORK, True),
    ("POST", "/admin/savings/{savings_id}/constitution"): (CASEWORK, True),
    ("POST", "/admin/savings/{savings_id}/entries"): (CASEWORK, True),
    ("POST", "/admin/savings/{savings_id}/entries/{entry_id}/correct"): (CASEWORK, True),
    ("POST", "/admin/savings/{savings_id}/meetings/{savings_meeting_id}/record"): (CASEWORK, True),
    ("POST", "/admin/savings/{savings_id}/members"): (CASEWORK, True),
    ("POST", "/admin/savings/{savings_id}/members/{member_id}"): (CASEWORK, True),
    ("POST", "/admin/savings/{savings_id}/members/{member_id}/leave"): (CASEWORK, True),
    ("POST", "/admin/savings/{savings_id}/officers"): (CASEWORK, True),
    ("POST", "/admin/savings/{savings_id}/share-out"): (CASEWORK, True),
    ("POST", "/admin/savings/{savings_id}/share-out/confirm"): (CASEWORK, True),
    ("GET", "/admin/imports"): (CASEWORK, False),
    ("POST", "/admin/imports"): (CASEWORK, False),
    ("GET", "/admin/imports/{import_id}"): (CASEWORK, True),
    ("POST", "/admin/imports/{import_id}/mapping"): (CASEWORK, True),
    ("POST", "/admin/imports/{import_id}/start"): (CASEWORK, True),
    ("GET", "/admin/exports/people"): (CASEWORK, False),
    ("GET", "/admin/feedback"): (CASEWORK, False),
    ("GET", "/admin/feedback/{round_key}"): (CASEWORK, False),
    ("POST", "/admin/feedback/{round_key}/preview"): (CASEWORK, False),
    ("POST", "/admin/feedback/{round_key}/send"): (CASEWORK, False),
    ("GET", "/admin/staff"): (ADMIN, False),
    ("POST", "/admin/staff"): (ADMIN, False),
    ("POST", "/admin/staff/{staff_id}"): (ADMIN, False),
    ("POST", "/admin/staff/{staff_id}/password"): (ADMIN, False),
    ("GET", "/admin/audit"): (ADMIN, False),
    ("GET", "/admin/settings"): (ADMIN, False),
    ("POST", "/admin/settings"): (ADMIN, False),
}
# Forms sent in the matrix: harmless (they fail validation or change nothing lasting).
FORMS = {
    "/admin/account/password": {"current": "wrong", "new": "short"},
    "/admin/language": {"language": "en"},
    "/admin/people/{person_id}/outcome": {"outcome": "not-an-outcome"},
    "/admin/people/{person_id}/erase": {"confirm": "no"},
    "/admin/people/{person_id}/followup": {"paused": "no"},
    "/admin/alerts/{alert_id}/close": {"note": ""},
    "/admin/inbox/{person_id}/reply": {"text": ""},
    "/admin/inbox/{person_id}/note": {"text": ""},
    "/admin/replies": {"title": ""},
    "/admin/api-tokens": {"name": ""},
    "/admin/webhooks": {"url": "not a url"},
    "/admin/feedback/{round_key}/send": {"confirm": "no"},
    "/admin/staff/{staff_id}/password": {"password": "short"},
    "/admin/settings": {"sms_currency": "not a currency"},
    "/admin/mentors/{mentor_id}": {"status": "not-a-status", "capacity": "2"},
    "/admin/groups": {"name": ""},
    "/admin/groups/{group_id}": {"name": ""},
    "/admin/groups/{group_id}/invite": {},
    "/admin/groups/{group_id}/approval": {"leader": ""},
    "/admin/groups/{group_id}/poll": {"time1": "not a time"},
    "/admin/groups/{group_id}/confirm": {"position": "x"},
    "/admin/groups/{group_id}/meetings": {"starts_at": "not a time"},
    "/admin/groups/{group_id}/meetings/{meeting_id}": {"starts_at": "not a time"},
    "/admin/groups/{group_id}/announce": {"text": ""},
    "/admin/groups/{group_id}/end": {"confirm": "no"},
    "/admin/savings": {"name": ""},
    "/admin/imports/{import_id}/start": {"confirm": "no"},
    "/admin/savings/{savings_id}/constitution": {"cycle_start": "not a date"},
    "/admin/savings/{savings_id}/entries": {"kind": "not-a-kind"},
    "/admin/savings/{savings_id}/entries/{entry_id}/correct": {"note": ""},
    "/admin/savings/{savings_id}/meetings/{savings_meeting_id}/record": {"action": "check"},
    "/admin/savings/{savings_id}/members": {"person": "x"},
    "/admin/savings/{savings_id}/members/{member_id}/leave": {"confirm": "no"},
    "/admin/savings/{savings_id}/officers": {"member": "x"},
    "/admin/savings/{savings_id}/share-out": {"on": "not a date"},
    "/admin/savings/{savings_id}/share-out/confirm": {"confirm": "no"},
}
PUBLIC = {("POST", "/admin/login")}  # signing in has its own tests (tests/admin/test_auth.py)


def test_every_admin_route_is_in_the_matrix():
    assert sorted(set(admin_routes()) - PUBLIC) == sorted(MATRIX)


@pytest.fixture
def world(sqlite_stack, team):
    stack = sqlite_stack
    now = stack.clock()
    ids = {}
    for owner, key in ((team.facilitator, "mine"), (team.other_facilitator, "theirs")):
        person_id = add_person(stack, f"Person {key}", facilitator_id=owner)
        with transaction(stack.engine) as session:
            session.add(Inbound(channel="sms", provider_id=f"SM-{key}", address=f"+22177000{person_id:04d}",
                                kind="text", text="help", person_id=person_id, handoff="unhandled",
                                received_at=now))  # fmt: skip
            alert = Alert(
                person_id=person_id, reason="safety", severity="high", due_at=now, created_at=now
            )
            broadcast = Broadcast(
                created_by=owner, texts={"en": "Hello"}, audience={}, created_at=now
            )
            session.add_all([alert, broadcast])
            session.flush()
            mentor = Mentor(person_id=person_id)
            session.add(mentor)
            session.flush()
            # Under way already: approving or rejecting it changes nothing.
            match = MentorMatch(mentor_id=mentor.id, mentee_id=person_id, status="active")
            session.add(match)
            session.flush()
            group = PeerGroup(name=f"Group {key}", facilitator_id=owner, created_by=owner)
            session.add(group)
            session.flush()
            # Held already (attendance may be recorded); a member who left (removing: no-op).
            meeting = GroupMeeting(group_id=group.id, number=1, starts_at=now, status="held")
            session.add_all(
                [meeting, GroupMember(group_id=group.id, person_id=person_id, status="left")]
            )
            session.flush()
            savings = SavingsGroup(name=f"Savings {key}", facilitator_id=owner, created_by=owner)
            session.add(savings)
            session.flush()
            saver = SavingsMember(group_id=savings.id, person_id=person_id, number=1)
            sitting = SavingsMeeting(group_id=savings.id, number=1, on=now.date(), starts_at=now)
            session.add_all([saver, sitting])
            session.flush()
            entry = SavingsEntry(group_id=savings.id, member_id=saver.id, kind="fine", amount=100,
                                 on=now.date(), recorded_by="staff:1")  # fmt: skip
            session.add(entry)
            session.flush()
            answered = Contact(person_id=person_id, channel="web", address=f"web-{key}")
            session.add(answered)
            session.flush()
            session.add(FeedbackRespondent(round="feedback:m6", contact_id=answered.id))
            done = PeopleImport(filename=f"{key}.csv", status="done", created_by=owner)
            hook = WebhookEndpoint(url=f"https://{key}.example.org/h", secret="whsec_x",
                                   events=["alert.created"])  # fmt: skip
            session.add_all([done, hook])
            session.flush()
            given_up = WebhookDelivery(endpoint_id=hook.id, event_id=f"t:{key}", event="alert.created",
                                       status="failed", next_attempt_at=now)  # fmt: skip
            session.add(given_up)
            session.flush()
            ids[key] = {"endpoint_id": hook.id, "delivery_id": given_up.id, "token_id": 999999, "round_key": "feedback:m6", "reply_id": 999999, "import_id": done.id, "savings_id": savings.id, "savings_meeting_id": sitting.id,
                        "member_id": saver.id, "entry_id": entry.id, "group_id": group.id, "meeting_id": meeting.id, "person_id": person_id, "alert_id": alert.id, "broadcast_id": broadcast.id,
                        "instrument": "reintegration", "wave": "m3", "staff_id": team.viewer,
                        "contact_id": 1, "mentor_id": mentor.id, "match_id": match.id}  # fmt: skip
    return ids


def fill(path: str, values: dict) -> str:
    return path.format(**values)


async def call(browser, method: str, path: str, values: dict):
    url = fill(path, values)
    if method == "GET":
        return await browser.get(url)
    return await browser.post(url, FORMS.get(path, {}))


def outcome(response) -> str:
    location = response.headers.get("location", "")
    if response.status_code == 401 or (response.status_code == 303 and "/admin/login" in location):
        return LOGIN
    if response.status_code in (200, 303, 400):
        return OK
    return str(response.status_code)


@pytest.mark.parametrize("role", ["anonymous", "viewer", "facilitator", "admin"])
async def test_role_by_route(role, sqlite_stack, team, world, browsers):
    emails = {
        "viewer": "victor@example.org",
        "facilitator": "fatou@example.org",
        "admin": "admin@example.org",
    }
    browser = await browsers(emails.get(role, "nobody@example.org"), login=role != "anonymous")
    found = {}
    # Signing out last: it ends the session the other routes need.
    for method, path in sorted(MATRIX, key=lambda route: route[1] == "/admin/logout"):
        expected = LOGIN if role == "anonymous" else MATRIX[(method, path)][0][role]
        if role == "anonymous" and path == "/admin/login":
            expected = OK
        response = await call(browser, method, path, world["mine"])
        got = outcome(response)
        if path == "/admin/logout" and response.status_code == 303 and role != "anonymous":
            got = OK  # signing out is meant to land on the sign-in page
        found[(method, path)] = (got, expected)
    wrong = {route: got for route, got in found.items() if got[0] != got[1]}
    assert wrong == {}


async def test_a_facilitator_asking_for_someone_elses_gets_404(sqlite_stack, team, world, browsers):
    fatou = await browsers("fatou@example.org")
    wrong = {}
    for (method, path), (_, scoped) in MATRIX.items():
        if not scoped:
            continue
        response = await call(fatou, method, path, world["theirs"])
        if response.status_code != 404:
            wrong[(method, path)] = response.status_code
    assert wrong == {}


async def test_a_path_that_does_not_parse_is_a_404_page_not_an_error(sqlite_stack, team, browsers):
    admin = await browsers("admin@example.org")
    for path in ("/admin/people/abc", "/admin/alerts/1x", "/admin/people/99999999"):
        response = await admin.get(path)
        assert response.status_code == 404 and "does not exist" in response.text, path


async def test_odd_numbers_in_addresses_and_forms_never_break_a_page(
    sqlite_stack, team, world, browsers
):
    """Digits Python accepts but databases do not ("²", Arabic-Indic), and ids past 32 bits."""
    admin = await browsers("admin@example.org")
    person = world["mine"]["person_id"]
    for path in (
        "/admin/people/3000000000",
        "/admin/people/99999999999999999999999",
        "/admin/alerts/0",
        "/admin/inbox/-1",
        "/admin/broadcasts/3000000000",
    ):
        assert (await admin.get(path)).status_code == 404, path
    for query in (
        "q=²",
        "q=٧٧٠٠",
        "facilitator=²",
        "facilitator=99999999999",
        "cohort=0000-05",
        "q=" + "9" * 30,
    ):
        assert (await admin.get(f"/admin/people?{query}")).status_code == 200, query
    assert (await admin.get("/admin/audit?person=²")).status_code == 200
    for path, form in (
        (f"/admin/people/{person}/facilitator", {"facilitator": "²"}),
        (f"/admin/alerts/{world['mine']['alert_id']}/assign", {"owner": "٣"}),
        (f"/admin/inbox/{person}/assign", {"assignee": "99999999999999999999"}),
        (f"/admin/people/{person}/answers", {"instrument": "checkin", "step": "²"}),
        ("/admin/staff/3000000000", {"role": "viewer"}),
    ):
        assert (await admin.post(path, form)).status_code in (303, 400, 404), path


async def test_phone_digits_typed_in_arabic_find_the_person(sqlite_stack, team, browsers):
    add_person(sqlite_stack, "Salma", address="+212612345678")
    admin = await browsers("admin@example.org")
    page = await admin.get("/admin/people", params={"q": "٦١٢٣٤٥"})
    assert "Salma" in page.text
