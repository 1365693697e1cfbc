"""The dashboard: who is where, what is due, what is open — each role its own view."""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot.db import transaction
from bot.followup.plans import enrol
from bot.models import Alert, Person
from tests.builders import add_person


def card(page, testid: str) -> int:
    return int(re.search(rf'data-testid="{testid}">(\d+)<', page.text).group(1))


def cells(page) -> dict[str, int]:
    return {
        label: int(n)
        for label, n in re.findall(r"<tr><td>([^<]+)</td><td>(\d+)</td></tr>", page.text)
    }


async def test_counts_follow_the_role(sqlite_stack, team, browsers):
    stack = sqlite_stack
    now = stack.clock()
    mine = add_person(stack, "Awa", facilitator_id=team.facilitator, return_date=date(2026, 11, 20))
    add_person(stack, "Bintou", facilitator_id=team.other_facilitator, status="onboarding")
    gone = add_person(stack, "Cheikh", facilitator_id=team.facilitator)
    with transaction(stack.engine) as session:
        enrol(session, session.get(Person, mine), stack.services.content, now)
        session.get(Person, gone).unreachable_at = now
        session.add(Alert(person_id=mine, reason="safety", severity="high", due_at=now - timedelta(hours=1),
                          created_at=now - timedelta(days=2)))  # fmt: skip
        session.add(Alert(person_id=gone, reason="unreachable", severity="medium", due_at=now + timedelta(hours=5),
                          created_at=now))  # fmt: skip
    fatou = await browsers("fatou@example.org")
    page = await fatou.get("/admin")
    assert card(page, "due-week") == 1  # the week-1 settling-in check
    assert card(page, "unreachable") == 1 and card(page, "overdue") == 1
    counts = cells(page)
    assert counts["Active"] == 2 and "Onboarding" not in counts  # Bintou is Omar's
    assert counts["High"] == 1 and counts["Medium"] == 1 and counts["1 to 7 days"] == 1
    viewer = await browsers("victor@example.org")
    overview = cells(await viewer.get("/admin"))
    assert overview["Active"] == 2 and overview["Onboarding"] == 1
    # A viewer sees numbers only: no names anywhere on the page.
    text = (await viewer.get("/admin")).text
    assert "Awa" not in text and "Cheikh" not in text
