"""The groups pages: who leads a group must exist. A facilitator picked from the team, a
trained returnee given by their record number (#N on their page); a wrong number gets a clear
message and keeps nothing, never an error page."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.db import transaction
from bot.models import PeerGroup, Person
from tests.builders import add_person

FORM = {"name": "Thursday circle", "district": "central", "language": "en", "target_size": "12",
        "series_meetings": "4", "gender_mix": "mixed", "venues": "the community hall"}  # fmt: skip


async def test_a_group_led_by_a_trained_returnee_who_exists(sqlite_stack, team, browsers):
    stack = sqlite_stack
    lead = add_person(stack, "Moussa Fall", channel="telegram", address="7100", role="mentor")
    fatou = await browsers("fatou@example.org")
    made = await fatou.post("/admin/groups", {**FORM, "facilitator_person": str(lead)})
    assert made.status_code == 303 and "done=created" in made.headers["location"]
    with transaction(stack.engine) as session:
        (group,) = session.exec(PeerGroup.__table__.select()).all()
    assert (group.facilitator_person_id, group.facilitator_id) == (lead, team.facilitator)


async def test_an_unknown_or_erased_facilitator_is_refused_and_nothing_kept(
    sqlite_stack, team, browsers
):
    stack = sqlite_stack
    gone = add_person(stack, "Erased Person")
    with transaction(stack.engine) as session:
        session.get(Person, gone).erased_at = datetime(2026, 11, 1, tzinfo=UTC)
    fatou = await browsers("fatou@example.org")
    for fields in (
        {"facilitator_person": "999999"},
        {"facilitator_person": str(gone)},
        {"facilitator": "999999"},
        {"facilitator": str(team.viewer)},  # a viewer runs no casework
    ):
        refused = await fatou.post("/admin/groups", {**FORM, **fields})
        assert refused.status_code == 303, fields
        assert "error=groups.error.facilitator" in refused.headers["location"], fields
        page = (await fatou.get(refused.headers["location"])).text
        assert "facilitator" in page.lower()
    assert stack.count(PeerGroup) == 0


async def test_changing_a_group_to_an_unknown_facilitator_is_refused(sqlite_stack, team, browsers):
    stack = sqlite_stack
    fatou = await browsers("fatou@example.org")
    made = await fatou.post("/admin/groups", FORM)
    group_id = int(made.headers["location"].split("/")[3].split("?")[0])
    refused = await fatou.post(
        f"/admin/groups/{group_id}", {**FORM, "name": "Renamed", "facilitator_person": "424242"}
    )
    assert (
        refused.status_code == 303
        and "error=groups.error.facilitator_person" in (refused.headers["location"])
    )
    with transaction(stack.engine) as session:
        group = session.get(PeerGroup, group_id)
        assert (group.name, group.facilitator_person_id) == ("Thursday circle", None)
