"""Follow-up plans: calendar months, month ends, leap days, daylight saving, far timezones."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from flows.followup.plan import add_months, plan_prompts, plans_from_dict
from flows.pacing import Delivery, next_slot

PLANS = plans_from_dict(
    yaml.safe_load((Path(__file__).parents[2] / "content" / "plans.yaml").read_text())
)
DEFAULT = PLANS.plans["default"]


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def schedule(
    return_date, enrolled_at, timezone="Africa/Dakar", preferred=None, plan=DEFAULT, plans=PLANS
):
    return {
        p.step.key: (p.due_at, p.status)
        for p in plan_prompts(plan, plans, return_date, enrolled_at, timezone, preferred)
    }


def test_the_default_plan_in_calendar_months():
    due = schedule(date(2026, 3, 10), utc(2026, 3, 10, 12))
    assert due == {
        "w1_settling": (utc(2026, 3, 17, 9), "pending"),
        "m1_checkin": (utc(2026, 4, 10, 9), "pending"),
        "m3_survey": (utc(2026, 6, 10, 9), "pending"),
        "m6_checkin": (utc(2026, 9, 10, 9), "pending"),
        "m6_feedback": (utc(2026, 9, 12, 9), "pending"),
        "m9_checkin": (utc(2026, 12, 10, 9), "pending"),
        "m12_survey": (utc(2027, 3, 10, 9), "pending"),
        "m12_feedback": (utc(2027, 3, 12, 9), "pending"),
        "m12_closure": (utc(2027, 3, 14, 9), "pending"),
    }


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 8, 31), 1, date(2026, 9, 30)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2026, 12, 15), 3, date(2027, 3, 15)),
    ],
)
def test_month_ends_and_leap_days(start, months, expected):
    assert add_months(start, months) == expected


def test_a_return_on_31_january():
    due = schedule(date(2026, 1, 31), utc(2026, 1, 31, 10))
    assert due["m1_checkin"][0] == utc(2026, 2, 28, 9)
    assert due["m3_survey"][0] == utc(2026, 4, 30, 9)


def test_local_daytime_far_east_and_far_west():
    # Kiritimati is UTC+14: 09:00 there is 19:00 UTC the day before.
    east = schedule(date(2026, 3, 10), utc(2026, 3, 1), "Pacific/Kiritimati")
    assert east["m1_checkin"][0] == utc(2026, 4, 9, 19)
    # Pago Pago is UTC-11: 09:00 there is 20:00 UTC the same day.
    west = schedule(date(2026, 3, 10), utc(2026, 3, 1), "Pacific/Pago_Pago")
    assert west["m1_checkin"][0] == utc(2026, 4, 10, 20)


def test_daylight_saving_keeps_the_local_hour():
    # Paris: UTC+1 in winter, UTC+2 from 29 March 2026.
    due = schedule(date(2026, 2, 20), utc(2026, 2, 20), "Europe/Paris")
    assert due["w1_settling"][0] == utc(2026, 2, 27, 8)
    assert due["m1_checkin"][0] == utc(2026, 3, 20, 8)
    assert due["m3_survey"][0] == utc(2026, 5, 20, 7)
    for at, _ in due.values():
        assert at.astimezone(ZoneInfo("Europe/Paris")).time() == time(9)


def test_a_window_opening_in_a_skipped_hour_opens_just_after_it():
    early = Delivery(window=(time(2, 30), time(19)))
    # 29 March 2026 in Paris: clocks jump from 02:00 to 03:00.
    slot = next_slot(utc(2026, 3, 28, 23), "Europe/Paris", early)
    assert slot.astimezone(ZoneInfo("Europe/Paris")).replace(tzinfo=None) == datetime(
        2026, 3, 29, 3, 30
    )


def test_preferred_time_of_day():
    due = schedule(date(2026, 3, 10), utc(2026, 3, 1), preferred="evening")
    assert due["m1_checkin"][0] == utc(2026, 4, 10, 17)


def test_never_outside_the_window_on_rest_days_or_in_quiet_hours():
    delivery = Delivery(
        window=(time(9), time(19)),
        quiet_hours=((time(12, 30), time(14, 30)),),
        rest_days=frozenset({4}),
    )
    dakar = "Africa/Dakar"
    assert next_slot(utc(2026, 11, 24, 20), dakar, delivery) == utc(2026, 11, 25, 9)  # after hours
    assert next_slot(utc(2026, 11, 24, 6), dakar, delivery) == utc(2026, 11, 24, 9)  # too early
    assert next_slot(utc(2026, 11, 24, 13), dakar, delivery) == utc(2026, 11, 24, 14, 30)  # quiet
    assert next_slot(utc(2026, 11, 27, 10), dakar, delivery) == utc(2026, 11, 28, 9)  # Friday rest
    assert next_slot(utc(2026, 11, 26, 18, 59), dakar, delivery) == utc(2026, 11, 26, 18, 59)


@given(
    st.datetimes(
        min_value=datetime(2025, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
    ),
    st.sampled_from(
        [
            "Africa/Dakar",
            "Europe/Paris",
            "Pacific/Kiritimati",
            "Pacific/Pago_Pago",
            "America/Santiago",
            "Asia/Kathmandu",
        ]
    ),
)
def test_every_slot_is_inside_the_local_window_and_not_before_the_moment(moment, timezone):
    delivery = Delivery(
        window=(time(9), time(19)), quiet_hours=((time(13), time(14)),), rest_days=frozenset({6})
    )
    slot = next_slot(moment, timezone, delivery)
    local = slot.astimezone(ZoneInfo(timezone))
    assert slot >= moment
    assert time(9) <= local.time() < time(19)
    assert not time(13) <= local.time() < time(14)
    assert local.weekday() != 6
    assert slot - moment < timedelta(days=3)


def test_late_enrolment_skips_old_waves_and_sends_the_most_recent_at_once():
    due = schedule(date(2026, 3, 10), utc(2026, 6, 25, 10))  # m3 fell due 15 days ago
    assert due["w1_settling"][1] == "skipped"
    assert due["m1_checkin"][1] == "skipped"
    assert due["m3_survey"] == (utc(2026, 6, 25, 10), "pending")
    assert due["m6_checkin"] == (utc(2026, 9, 10, 9), "pending")


def test_late_enrolment_past_the_grace_sends_nothing_stale():
    due = schedule(date(2026, 3, 10), utc(2026, 8, 20, 10))  # m3 fell due 71 days ago
    assert due["m3_survey"][1] == "skipped"
    assert due["m6_checkin"] == (utc(2026, 9, 10, 9), "pending")


def test_profile_rules_choose_longer_or_denser_plans():
    assert PLANS.choose({"vulnerabilities": ["trafficking"]}).name == "trafficking"
    assert PLANS.choose({"vulnerabilities": ["unaccompanied_minor", "trafficking"]}).name == "minor"
    assert PLANS.choose({"vulnerabilities": []}).name == "default"
    trafficking = schedule(date(2026, 3, 10), utc(2026, 3, 10), plan=PLANS.plans["trafficking"])
    contacts = sorted(
        at.date() for key, (at, _) in trafficking.items() if key.endswith(("_checkin", "_survey"))
    )
    assert [d.month for d in contacts[:6]] == [4, 5, 6, 7, 8, 9]  # every month for six months
    minor = PLANS.plans["minor"]
    assert minor.requires_consent == "guardian"
    last = max(at for at, _ in schedule(date(2026, 3, 10), utc(2026, 3, 10), plan=minor).values())
    assert last.date() >= date(2027, 9, 10)  # 18 months


def test_a_programme_can_extend_past_twelve_months():
    raw = yaml.safe_load((Path(__file__).parents[2] / "content" / "plans.yaml").read_text())
    raw["plans"]["default"]["steps"].append(
        {"key": "m24_checkin", "kind": "checkin", "instrument": "checkin", "months": 24}
    )
    plans = plans_from_dict(raw)
    due = schedule(date(2026, 3, 10), utc(2026, 3, 10), plan=plans.plans["default"], plans=plans)
    assert due["m24_checkin"][0] == utc(2028, 3, 10, 9)


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (lambda raw: raw["delivery"].update(window=["19:00", "09:00"]), "window"),
        (
            lambda raw: raw["delivery"].update(
                rest_days=list(
                    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
                )
            ),
            "rest day",
        ),
        (
            lambda raw: raw["plans"]["default"]["steps"].append({"key": "x", "kind": "party"}),
            "unknown kind",
        ),
        (
            lambda raw: raw["plans"]["default"]["steps"].append({"key": "x", "kind": "survey"}),
            "instrument",
        ),
        (lambda raw: raw["rules"].insert(0, {"plan": "nope"}), "unknown plan"),
        (lambda raw: raw["plans"]["trafficking"].update(extends="nope"), "unknown or circular"),
    ],
)
def test_a_broken_plans_file_is_refused_with_a_reason(change, error):
    raw = yaml.safe_load((Path(__file__).parents[2] / "content" / "plans.yaml").read_text())
    change(raw)
    with pytest.raises(ValueError, match=error):
        plans_from_dict(raw)
