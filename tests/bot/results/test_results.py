"""Results: totals, breakdowns, trajectories and response rates, on SQLite and PostgreSQL;
small buckets hidden; anonymous answers never next to a person; the snapshot kept fresh."""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from bot import results
from bot.db import read_only, transaction
from bot.models import Person, ResultsSnapshot, ScheduledPrompt, SurveyResponse
from bot.results import export as results_export
from bot.results import snapshot as results_snapshot
from bot.workers import Workers
from tests.builders import GOOD, POOR_ECONOMY, add_person, answer, people, reach_survey


def snapshot(stack) -> dict:
    with transaction(stack.engine) as session:
        return results.compute(session, stack.services.content, stack.clock())


def cell(data: dict, instrument: str, wave: str) -> dict:
    return data["instruments"][instrument]["cells"][wave]


async def test_totals_breakdowns_and_scores_on_both_backends(stack):
    women = people(stack, 6, gender="woman", district="central", age_band="25_34")
    men = people(
        stack, 5, gender="man", district="north", age_band="18_24", return_date=date(2026, 11, 3)
    )
    for pid in women:
        answer(stack, pid, "reintegration", "m3", GOOD)
    for pid in men:
        answer(stack, pid, "reintegration", "m3", POOR_ECONOMY)

    m3 = cell(snapshot(stack), "reintegration", "m3")
    assert (m3["n"], m3["respondents"], m3["anonymous"], m3["versions"]) == (11, 11, 0, [1])
    overall = m3["overall"]
    assert overall["questions"]["work"] == {"answered": 11, "values": {"regular": 6, "none": 5}}
    assert overall["dimensions"]["economic"] == {"mean": round(6 / 11, 4), "n": 11}
    assert overall["dimensions"]["social"] == {"mean": 1.0, "n": 11}
    assert overall["composite"]["mean"] == pytest.approx((6 * 1 + 5 * 2 / 3) / 11, abs=1e-3)

    gender = m3["breakdowns"]["gender"]
    assert set(gender) == {"woman", "man"}
    assert gender["woman"]["questions"]["work"]["values"] == {"regular": 6}
    assert gender["man"]["dimensions"]["economic"] == {"mean": 0.0, "n": 5}
    assert m3["breakdowns"]["district"]["north"]["n"] == 5
    assert m3["breakdowns"]["age_band"]["25_34"]["composite"]["mean"] == 1.0
    # Return cohort is the return month: add_person's default (2026-10-01) and 2026-11-03.
    assert m3["breakdowns"]["cohort"]["2026-10"]["n"] == 6
    assert m3["breakdowns"]["cohort"]["2026-11"]["n"] == 5


async def test_small_buckets_are_hidden_and_so_is_what_would_give_them_away(sqlite_stack):
    stack = sqlite_stack
    for pid in people(stack, 7, gender="woman", district="central"):
        answer(stack, pid, "reintegration", "m3", GOOD)
    for pid in people(stack, 5, gender="man", district="central"):
        answer(stack, pid, "reintegration", "m3", GOOD)
    [alone] = people(stack, 1, gender="other", district="north")
    answer(stack, alone, "reintegration", "m3", POOR_ECONOMY)

    m3 = cell(snapshot(stack), "reintegration", "m3")
    gender = m3["breakdowns"]["gender"]
    # One person alone: hidden. The next smallest group is hidden too, or the total minus
    # the women would give that one person's answers away.
    assert gender["other"] == {"suppressed": True, "n_below": 5}
    assert gender["man"] == {"suppressed": True, "complement": True}
    assert gender["woman"]["n"] == 7
    district = m3["breakdowns"]["district"]
    assert district["north"] == {"suppressed": True, "n_below": 5}
    assert district["central"] == {"suppressed": True, "complement": True}  # all but one
    # Nothing of the lone answer survives in any hidden bucket.
    assert "n" not in gender["other"] and "questions" not in district["north"]
    # The totals (13 people) still include everyone.
    assert m3["overall"]["questions"]["work"]["values"] == {"regular": 12, "none": 1}


async def test_a_wave_with_fewer_than_five_people_shows_no_numbers(sqlite_stack):
    stack = sqlite_stack
    for pid in people(stack, 4):
        answer(stack, pid, "reintegration", "m3", GOOD)
    data = snapshot(stack)
    m3 = cell(data, "reintegration", "m3")
    assert m3["n"] == 4
    assert m3["overall"] == {"suppressed": True, "n_below": 5}
    assert all(v.get("suppressed") for v in m3["breakdowns"]["gender"].values())
    [point] = data["instruments"]["reintegration"]["trajectory"]
    assert point["suppressed"] and point["composite"] is None


async def test_anonymous_answers_count_but_sit_with_nobody(stack):
    women = people(stack, 6, gender="woman", district="central")
    for pid in women[:3]:
        answer(stack, pid, "feedback", "m6", {"satisfied": 5, "helped": "mentor"})
    for pid in women[3:]:
        answer(stack, pid, "feedback", "m6", {"satisfied": 2, "comment": "Call me"}, True)
    m6 = cell(snapshot(stack), "feedback", "m6")
    assert (m6["n"], m6["anonymous"]) == (6, 3)
    assert m6["overall"]["questions"]["satisfied"]["values"] == {"5": 3, "2": 3}
    for by in results.BREAKDOWNS:
        buckets = m6["breakdowns"][by]
        # The three women who answered anonymously are not among the women (nor anywhere
        # else that is about a person): they are "unknown", and so few that it is hidden.
        assert buckets["unknown"] == {"suppressed": True, "n_below": 5}
    # Free text is counted, never shown; no stored row names a person either.
    assert m6["overall"]["questions"]["comment"] == {"answered": 3, "values": {}}
    with transaction(stack.engine) as session:
        anonymous = session.exec(select(SurveyResponse).where(SurveyResponse.anonymous)).all()
        assert len(anonymous) == 3 and {r.person_id for r in anonymous} == {None}
        public_ids = {p.public_id for p in session.exec(select(Person)).all()}
    text = json.dumps(snapshot(stack))
    assert not any(public_id in text for public_id in public_ids)
    assert "Call me" not in text


async def test_trajectories_follow_the_plan_order(stack):
    group = people(stack, 5)
    for pid in group:  # month 12 stored first: the order comes from the plan, not the rows
        answer(stack, pid, "reintegration", "m12", GOOD, on=date(2027, 10, 2))
    for pid in group:
        answer(stack, pid, "reintegration", "m3", POOR_ECONOMY)
    reintegration = snapshot(stack)["instruments"]["reintegration"]
    assert reintegration["waves"] == ["m3", "m12", "m18"]  # m18: the minors' plan
    assert reintegration["dimensions"] == ["economic", "social", "psychosocial"]
    points = [(p["wave"], p["composite"], p["dimensions"]) for p in reintegration["trajectory"]]
    economic_low = {"economic": 0.0, "social": 1.0, "psychosocial": 1.0}
    assert points == [
        ("m3", pytest.approx(0.6667, abs=1e-4), economic_low),
        ("m12", 1.0, {"economic": 1.0, "social": 1.0, "psychosocial": 1.0}),
    ]


async def test_response_rates_count_prompts_sent_and_answered(stack):
    [pid] = people(stack, 1)
    due = datetime(2027, 1, 1, 9, tzinfo=UTC)
    statuses = ["answered", "answered", "answered", "missed", "open", "pending", "cancelled"]
    with transaction(stack.engine) as session:
        for index, status in enumerate(statuses):
            session.add(
                ScheduledPrompt(
                    person_id=pid,
                    plan="default",
                    plan_revision=index,
                    step_key="m3_survey",
                    kind="survey",
                    instrument="reintegration",
                    wave="m3",
                    status=status,
                    due_at=due,
                )
            )
    rate = cell(snapshot(stack), "reintegration", "m3")["rate"]
    assert rate == {"fired": 5, "answered": 3, "open": 1, "missed": 1, "rate": 0.6}
    # A wave of the plan with nothing sent yet is listed, with no rate rather than 0%.
    assert cell(snapshot(stack), "reintegration", "m12")["rate"]["rate"] is None


async def test_the_bot_s_own_answers_reach_the_results(sqlite_stack):
    stack = sqlite_stack
    await reach_survey(stack, 301)
    for said in ["1"] * 15 + ["2"]:
        await stack.tg_says(301, said)
    data = snapshot(stack)
    m3 = cell(data, "reintegration", "m3")
    assert m3["n"] == 1 and m3["rate"]["answered"] == m3["rate"]["fired"] == 1
    assert m3["overall"] == {"suppressed": True, "n_below": 5}  # one person: no numbers


async def test_refresh_stores_one_snapshot_and_housekeeping_keeps_it_fresh(
    sqlite_stack, monkeypatch, caplog
):
    stack = sqlite_stack
    with transaction(stack.engine) as session:
        assert results.load_snapshot(session) is None
    for pid in people(stack, 5):
        answer(stack, pid, "reintegration", "m3", GOOD)
    first = results.refresh(stack.engine, stack.services.content, stack.clock)
    assert first.data["instruments"]["reintegration"]["cells"]["m3"]["n"] == 5

    answer(stack, add_person(stack, "Late"), "reintegration", "m3", GOOD)
    stack.clock.advance(minutes=10)
    await Workers(stack.services).housekeeping()
    with transaction(stack.engine) as session:
        loaded = results.load_snapshot(session)
        rows = session.exec(select(ResultsSnapshot)).all()
    assert len(rows) == 1 and rows[0].key == "all"
    assert loaded.computed_at == stack.clock() == first.computed_at + timedelta(minutes=10)
    assert loaded.data["instruments"]["reintegration"]["cells"]["m3"]["n"] == 6
    # Another process just computed one: housekeeping leaves it be.
    stack.clock.advance(minutes=3)
    assert not results.refresh_if_stale(
        stack.engine, stack.services.content, stack.clock, timedelta(minutes=10)
    )
    stack.clock.advance(minutes=10)

    def broken(*_args):
        raise RuntimeError("database went away")

    monkeypatch.setattr(results_snapshot, "refresh", broken)
    with caplog.at_level(logging.ERROR, logger="bot.workers"):
        await Workers(stack.services).housekeeping()  # logged, never raised
    assert "results refresh failed" in caplog.text


async def test_export_rows_pseudonymise_and_keep_anonymous_rows_apart(sqlite_stack):
    stack = sqlite_stack
    [named, shy] = people(stack, 2)
    answer(stack, named, "feedback", "m6", {"satisfied": 4, "comment": "=cmd|' /C calc'!A0"})
    answer(stack, shy, "feedback", "m6", {"satisfied": 1, "helped": None}, anonymous=True)
    with transaction(stack.engine) as session:
        plan = results_export.plan_export(session, Person.id.is_not(None), include_anonymous=True)
        public_id = session.get(Person, named).public_id
    rows = list(results_export.export_rows(stack.engine, plan, "key"))
    assert plan.rows == len(rows) == 4
    tag = results_export.pseudonym("key", public_id)
    assert len(tag) == 16 and tag != public_id
    assert rows[:2] == [
        (tag, "feedback", "1", "m6", "satisfied", "4", "2027-01-05"),
        (tag, "feedback", "1", "m6", "comment", "'=cmd|' /C calc'!A0", "2027-01-05"),
    ]
    assert rows[2:] == [  # anonymous answers carry the month only
        ("", "feedback", "1", "m6", "satisfied", "1", "2027-01-01"),
        ("", "feedback", "1", "m6", "helped", "", "2027-01-01"),
    ]
    assert results_export.export_value(["money", "work"]) == "money|work"
    with transaction(stack.engine) as session:
        scoped = results_export.plan_export(session, Person.id == shy, include_anonymous=False)
    assert scoped.identified == [] and scoped.anonymous == [] and scoped.rows == 0


async def test_the_computation_reads_one_state_and_never_holds_up_the_bot(stack):
    for pid in people(stack, 5):
        answer(stack, pid, "reintegration", "m3", GOOD)
    with read_only(stack.engine) as session:
        before = results.compute(session, stack.services.content, stack.clock())
        # Meanwhile the bot stores another answer: no lock waits for the computation...
        answer(stack, add_person(stack, "Meanwhile"), "reintegration", "m3", GOOD)
        # ...and the computation goes on seeing the state it started from.
        again = results.compute(session, stack.services.content, stack.clock())
    assert cell(before, "reintegration", "m3")["n"] == cell(again, "reintegration", "m3")["n"] == 5
    assert cell(snapshot(stack), "reintegration", "m3")["n"] == 6
