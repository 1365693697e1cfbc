"""The Results pages as staff use them: aggregates for every role, breakdowns with small
groups hidden, refresh, and the export scoped to who is asking (and audited)."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import re
from datetime import date

from sqlmodel import select

from bot.db import transaction
from bot.models import AuditLog, Person, ResultsSnapshot
from bot.results import export as results_export
from tests.builders import GOOD, POOR_ECONOMY, add_person, answer


def seed(stack, team) -> dict[str, list[int]]:
    """Fatou's six women in the centre, Omar's five men in the north, five unassigned people
    in small groups (two "other", three whose gender is not known), and four feedbacks, three
    of them anonymous."""
    fatou = [
        add_person(stack, f"Aminata {i}", facilitator_id=team.facilitator, gender="woman")
        for i in range(6)
    ]
    omar = [
        add_person(
            stack,
            f"Moussa {i}",
            facilitator_id=team.other_facilitator,
            gender="man",
            district="north",
            age_band="18_24",
            return_date=date(2026, 11, 2),
        )
        for i in range(5)
    ]
    others = [
        add_person(stack, f"Other {i}", gender="other", district="south", age_band="45_plus")
        for i in range(2)
    ]
    unknown = [add_person(stack, f"Unknown {i}", gender=None, district="east") for i in range(3)]
    for pid in fatou + unknown:
        answer(stack, pid, "reintegration", "m3", GOOD)
    for pid in omar + others:
        answer(stack, pid, "reintegration", "m3", POOR_ECONOMY)
    for pid in fatou[:3]:
        answer(stack, pid, "feedback", "m6", {"satisfied": 2, "comment": "Too few jobs"}, True)
    answer(stack, fatou[0], "feedback", "m6", {"satisfied": 5, "helped": "mentor"})
    return {"fatou": fatou, "omar": omar, "others": others + unknown}


def rows(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.text)))


def pseudonym(stack, person_id: int) -> str:
    with transaction(stack.engine) as session:
        public_id = session.get(Person, person_id).public_id
    key = stack.settings.signing_key().encode()
    return hmac.new(key, public_id.encode(), hashlib.sha256).hexdigest()[:16]


async def test_every_role_sees_the_overview_computed_on_first_view(sqlite_stack, team, browsers):
    seed(sqlite_stack, team)
    for email in ("admin@example.org", "fatou@example.org", "victor@example.org"):
        page = await (await browsers(email)).get("/admin/results")
        assert page.status_code == 200
        assert "Reintegration survey" in page.text and "Programme feedback" in page.text
        # The month-3 row: 16 responses; its overall score, as numbers and as a line chart.
        m3 = re.search(r'<tr data-wave="m3">(.*?)</tr>', page.text, re.S).group(1)
        assert ">16<" in m3 and "Month 3" in m3
        assert 'id="trajectory-reintegration"' in page.text and "<polyline" not in page.text
        assert "Show the numbers" in page.text  # the table behind every chart
        assert "style=" not in page.text and "<script>" not in page.text
    viewer = await browsers("victor@example.org")
    page = await viewer.get("/admin/results")
    assert "Refresh now" not in page.text and "export.csv" not in page.text
    with transaction(sqlite_stack.engine) as session:
        assert len(session.exec(select(ResultsSnapshot)).all()) == 1  # computed once, then read


async def test_a_wave_with_its_distributions_and_scores(sqlite_stack, team, browsers):
    seed(sqlite_stack, team)
    page = await (await browsers("victor@example.org")).get("/admin/results/reintegration/m3")
    assert page.status_code == 200
    text = page.text
    assert 'data-testid="responses">16<' in text
    assert "Do you have work or a way to earn money?" in text
    # 9 regular, 7 none: counts and shares, in the chart's table.
    assert '<th scope="row">Yes, regular</th><td>9 (56%)</td>' in text
    assert '<th scope="row">No</th><td>7 (44%)</td>' in text
    assert '<th scope="row">Economic</th><td>0.56</td>' in text  # the dimension means
    assert 'role="img"' in text and "<title id=" in text
    assert "</figure>None" not in text  # no empty legend printed as Python's None
    assert (
        await (await browsers("victor@example.org")).get("/admin/results/nope/m3")
    ).status_code == 404


async def test_breakdowns_show_big_groups_and_hide_small_ones(sqlite_stack, team, browsers):
    seed(sqlite_stack, team)
    viewer = await browsers("victor@example.org")
    page = await viewer.get("/admin/results/reintegration/m3?by=gender")
    text = page.text
    assert page.status_code == 200 and "People by Gender" in text
    # Women (6) and men (5) are shown side by side; "other" (2) and not known (3) are hidden.
    # In staff words ("Woman"), not the bot's words to the person ("A woman").
    assert "<tr><td>Woman</td><td>6</td></tr>" in text
    assert "<tr><td>Man</td><td>5</td></tr>" in text
    hidden = re.search(r"<tr><td>Other answer</td><td>(.*?)</td></tr>", text).group(1)
    assert "Hidden" in hidden and "fewer than 5 people" in hidden
    assert re.search(r"<tr><td>Not known</td><td><span class=\"badge\">Hidden", text)
    # Per answer, the share of each group, in the order of the options: women, then men.
    assert '<th scope="row">Yes, regular</th><td>100%</td><td>0%</td>' in text
    # By age: the two people of 45 or more are hidden, and so are the next smallest group
    # (the five aged 18 to 24), or the total minus the others would give the two away.
    page = await viewer.get("/admin/results/reintegration/m3?by=age_band")
    hidden = re.search(r"<tr><td>18 to 24</td><td>(.*?)</td></tr>", page.text).group(1)
    assert "Hidden" in hidden and "small groups cannot be worked out" in hidden
    assert "<tr><td>25 to 34</td><td>9</td></tr>" in page.text
    assert '<th scope="row">Yes, regular</th><td>100%</td></tr>' in page.text
    # An unknown breakdown is ignored, not an error.
    page = await viewer.get("/admin/results/reintegration/m3?by=password")
    assert page.status_code == 200 and "People by" not in page.text
    # The overview's trajectory by return month: one line per cohort.
    page = await viewer.get("/admin/results?by=cohort")
    assert "overall score by Return month" in page.text
    assert "2026-10" in page.text and "2026-11" in page.text


async def test_pages_follow_the_staff_members_language_right_to_left(sqlite_stack, team, browsers):
    seed(sqlite_stack, team)
    admin = await browsers("admin@example.org")
    await admin.post("/admin/language", {"language": "ar"})
    page = await admin.get("/admin/results/reintegration/m3?by=gender")
    assert 'dir="rtl"' in page.text and "استبيان إعادة الإدماج" in page.text
    assert 'direction="rtl"' in page.text  # the bars grow from the right
    await admin.post("/admin/language", {"language": "fr"})
    page = await admin.get("/admin/results/reintegration/m3")
    assert "Enquête de réintégration" in page.text and "Mois 3" in page.text
    # Shares as French writes them, with its non-breaking space before the sign.
    assert "<td>9 (56\u00a0%)</td>" in page.text
    page = await admin.get("/admin/results/reintegration/m3?by=gender")
    assert "<tr><td>Femme</td><td>6</td></tr>" in page.text


async def test_refresh_now_recomputes_for_casework_roles_only(sqlite_stack, team, browsers):
    stack = sqlite_stack
    seed(stack, team)
    fatou = await browsers("fatou@example.org")
    assert (
        'data-testid="responses">16<' in (await fatou.get("/admin/results/reintegration/m3")).text
    )
    for i in range(2):
        answer(stack, add_person(stack, f"New {i}"), "reintegration", "m3", GOOD)
    # Until the snapshot is recomputed, the page reads what it has.
    page = await fatou.get("/admin/results/reintegration/m3")
    assert 'data-testid="responses">16<' in page.text and "As of 2026-11-24 09:00." in page.text
    stack.clock.advance(minutes=3)
    response = await fatou.post(
        "/admin/results/refresh", {"back": "/admin/results/reintegration/m3?by=gender"}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/results/reintegration/m3?by=gender"
    page = await fatou.get("/admin/results/reintegration/m3")
    assert 'data-testid="responses">18<' in page.text and "As of 2026-11-24 09:03." in page.text
    # Never a redirect off the results pages.
    response = await fatou.post("/admin/results/refresh", {"back": "https://evil.example.com/"})
    assert response.headers["location"] == "/admin/results"
    viewer = await browsers("victor@example.org")
    assert (await viewer.post("/admin/results/refresh")).status_code == 403
    # Without the form's token, even a facilitator is refused: sent back, nothing done.
    fatou.csrf = "forged"
    refused = await fatou.post("/admin/results/refresh")
    assert refused.status_code == 303 and "stale=1" in refused.headers["location"]


async def test_the_admin_exports_everything_in_long_format(sqlite_stack, team, browsers):
    stack = sqlite_stack
    people = seed(stack, team)
    response = await (await browsers("admin@example.org")).get("/admin/results/export.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert response.text.splitlines()[0] == (
        "person_pseudonym,instrument,version,wave,question,value,answered_at"
    )
    found = rows(response)
    # 16 reintegration surveys x 16 answers, 3 anonymous feedbacks x 2, one named x 2.
    assert len(found) == 16 * 16 + 3 * 2 + 2
    aminata = pseudonym(stack, people["fatou"][0])
    mine = [r for r in found if r["person_pseudonym"] == aminata]
    assert {(r["instrument"], r["wave"]) for r in mine} == {
        ("reintegration", "m3"),
        ("feedback", "m6"),
    }
    assert {
        "question": "work",
        "value": "regular",
        "answered_at": "2027-01-05",
        "version": "1",
    }.items() <= next(r for r in mine if r["question"] == "work").items()
    anonymous = [r for r in found if r["person_pseudonym"] == ""]
    assert len(anonymous) == 6 and {r["instrument"] for r in anonymous} == {"feedback"}
    assert found[-6:] == anonymous  # apart from everyone, never beside the person
    assert {r["value"] for r in anonymous if r["question"] == "comment"} == {"Too few jobs"}
    with transaction(stack.engine) as session:
        [entry] = session.exec(select(AuditLog).where(AuditLog.action == "results.export")).all()
    assert entry.actor == f"staff:{team.admin}" and entry.details == {"rows": len(found)}


async def test_a_facilitator_exports_only_their_own_people(sqlite_stack, team, browsers):
    stack = sqlite_stack
    people = seed(stack, team)
    response = await (await browsers("fatou@example.org")).get("/admin/results/export.csv")
    assert response.status_code == 200
    found = rows(response)
    assert {r["person_pseudonym"] for r in found} == {pseudonym(stack, p) for p in people["fatou"]}
    assert len(found) == 6 * 16 + 2  # her six surveys and Aminata's named feedback; no anonymous
    omar_tags = {pseudonym(stack, p) for p in people["omar"] + people["others"]}
    assert not omar_tags & {r["person_pseudonym"] for r in found}
    with transaction(stack.engine) as session:
        [entry] = session.exec(select(AuditLog).where(AuditLog.action == "results.export")).all()
    assert entry.actor == f"staff:{team.facilitator}" and entry.details == {"rows": 98}


async def test_viewers_cannot_download_answers(sqlite_stack, team, browsers):
    seed(sqlite_stack, team)
    viewer = await browsers("victor@example.org")
    assert (await viewer.get("/admin/results/export.csv")).status_code == 403
    assert (await viewer.get("/admin/results/dictionary.csv")).status_code == 403
    with transaction(sqlite_stack.engine) as session:
        assert session.exec(select(AuditLog).where(AuditLog.action == "results.export")).all() == []


async def test_the_data_dictionary_names_every_column_and_question(sqlite_stack, team, browsers):
    response = await (await browsers("fatou@example.org")).get("/admin/results/dictionary.csv")
    assert response.status_code == 200
    found = rows(response)
    columns = [r["name"] for r in found if r["kind"] == "column"]
    assert columns == list(results_export.EXPORT_COLUMNS)
    value = next(r for r in found if r["name"] == "value")
    assert "'|'" in value["description"]  # how several values share one row
    work = next(r for r in found if r["kind"] == "question" and r["name"] == "work")
    assert work["instrument"] == "reintegration" and work["version"] == "1"
    assert work["description"] == "Do you have work or a way to earn money?"
    assert work["values"] == "regular=Yes, regular; sometimes=Sometimes; none=No"
    assert work["scoring"] == "regular=1; sometimes=0.5; none=0 (dimension economic, weight 1)"
    satisfied = next(r for r in found if r["name"] == "satisfied")
    assert (satisfied["type"], satisfied["values"]) == ("scale", "integer 1..5")
    instruments = {r["instrument"] for r in found if r["kind"] == "question"}
    assert {"reintegration", "feedback", "checkin", "checkin_settling"} <= instruments
    assert "consent" not in instruments and "profile" not in instruments
