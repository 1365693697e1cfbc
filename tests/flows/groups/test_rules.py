"""The programme's group rules: sizes, newcomers in new groups, the best time of a poll, the
one-year end, when reminders fall due; and reading poll answers however they are typed."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.content import load_content
from flows.groups.poll import read_ticks, read_times
from flows.groups.rules import (
    GroupRules,
    SlotTally,
    best_slot,
    placement_warnings,
    reminder_times,
    rules_from_dict,
    tally,
    weekly,
)
from flows.pacing import Delivery

CONTENT = load_content()
LEXICON = CONTENT.lexicon
RULES = CONTENT.groups


def test_the_shipped_rules_are_the_programmes():
    assert (RULES.min_size, RULES.max_size) == (8, 20)
    assert (RULES.series_min, RULES.series_max, RULES.meeting_minutes) == (1, 6, 60)
    assert (RULES.slots_min, RULES.slots_max, RULES.last_months) == (2, 5, 12)


@pytest.mark.parametrize(
    ("members", "warnings"),
    [(7, ("below_min",)), (8, ()), (20, ()), (21, ("above_max",)), (0, ("below_min",))],
)
def test_fewer_than_8_or_more_than_20_is_a_warning(members, warnings):
    assert RULES.size_warnings(members) == warnings


def test_newcomers_form_new_groups():
    assert placement_warnings(newcomer=True, group_has_met=False) == ()
    assert placement_warnings(newcomer=True, group_has_met=True) == ("newcomer_to_ongoing",)
    assert placement_warnings(newcomer=False, group_has_met=True) == ()
    assert placement_warnings(newcomer=False, group_has_met=False) == ("not_newcomer_to_forming",)


def test_the_best_time_has_most_yes_then_fewest_no():
    tallies = (SlotTally(1, yes=3, no=2), SlotTally(2, yes=3, no=1), SlotTally(3, yes=2))
    assert best_slot(tallies) == 2
    assert best_slot((SlotTally(1, yes=1, no=1), SlotTally(2, yes=1, no=1))) == 1  # the earlier
    assert best_slot((SlotTally(1), SlotTally(2))) is None  # nobody answered yet
    counted = tally([(1, "yes"), (2, "maybe"), (1, "no"), (9, "yes"), (2, "bogus")], [1, 2])
    assert counted == (SlotTally(1, yes=1, no=1), SlotTally(2, maybe=1))


def test_a_group_ends_a_year_after_its_first_meeting():
    first = datetime(2026, 12, 1, 17, tzinfo=UTC)
    assert RULES.ends_by(first.date()) == date(2027, 12, 1)
    assert RULES.may_meet(datetime(2027, 11, 30, 17, tzinfo=UTC), first)
    assert not RULES.may_meet(datetime(2027, 12, 1, 10, tzinfo=UTC), first)
    assert RULES.may_meet(datetime(2030, 1, 1, tzinfo=UTC), None)  # no meeting yet


def test_a_weekly_series_keeps_the_local_time_across_summer_time():
    from zoneinfo import ZoneInfo

    paris = ZoneInfo("Europe/Paris")
    starts = weekly(datetime(2026, 10, 20, 18, tzinfo=paris), 3, paris)
    assert [s.astimezone(paris).hour for s in starts] == [18, 18, 18]
    assert [s.astimezone(UTC).hour for s in starts] == [16, 17, 17]  # UTC moves; the clock does not


def test_reminders_two_days_before_and_that_morning_in_the_window():
    delivery = Delivery(window=(time(9), time(19)))
    meeting = datetime(2026, 12, 1, 17, tzinfo=UTC)
    due = reminder_times(meeting, "Africa/Dakar", RULES, delivery)
    assert due == {
        "before": datetime(2026, 11, 29, 17, tzinfo=UTC),
        "morning": datetime(2026, 12, 1, 9, tzinfo=UTC),  # 08:00 is before the window
    }
    # An evening meeting: the first reminder moves to the next morning's window.
    late = reminder_times(datetime(2026, 12, 1, 20, tzinfo=UTC), "Africa/Dakar", RULES, delivery)
    assert late["before"] == datetime(2026, 11, 30, 9, tzinfo=UTC)
    # At 09:10 the morning one would come too close to the start: only the first goes.
    early = reminder_times(
        datetime(2026, 12, 1, 9, 10, tzinfo=UTC), "Africa/Dakar", RULES, delivery
    )
    assert set(early) == {"before"}
    # Local time: Europe/Paris is UTC+1 in December.
    paris = reminder_times(meeting, "Europe/Paris", RULES, delivery)
    assert paris["morning"] == datetime(2026, 12, 1, 8, tzinfo=UTC)


def test_bad_rules_are_refused_with_the_reason():
    with pytest.raises(ValueError, match="minimum is above"):
        rules_from_dict({"size": {"min": 30, "max": 20}})
    with pytest.raises(ValueError, match="whole number"):
        rules_from_dict({"poll_days": 0})
    assert rules_from_dict({}) == GroupRules()


@pytest.mark.parametrize(
    ("said", "answers"),
    [
        ("13", "yny"),
        ("1,3", "yny"),
        ("1 and 3", "yny"),
        ("one and three", "yny"),
        ("I can do 1 or 3 please", "yny"),
        ("2?", "nmn"),
        ("13 2?", "ymy"),
        ("maybe 2", "nmn"),
        ("2 if need be", "nmn"),
        ("1 3 not 2", "yny"),
        ("all except 2", "yny"),
        ("0", "nnn"),
        ("none", "nnn"),
        ("No", "nnn"),
        ("all", "yyy"),
        ("Tous", "yyy"),
        ("2 si besoin, 1", "ymn"),
        ("١ و ٣", "yny"),
        ("2؟", "nmn"),
        ("الكل", "yyy"),
    ],
)
def test_poll_answers_are_read_however_they_are_typed(said, answers):
    letters = {"yes": "y", "maybe": "m", "no": "n"}
    read = read_times(said, 3, LEXICON)
    assert read is not None and "".join(letters[read[n]] for n in (1, 2, 3)) == answers


@pytest.mark.parametrize("said", ["", "hello", "7", "14", "Tuesday", "?"])
def test_what_is_not_an_answer_is_asked_again(said):
    assert read_times(said, 3, LEXICON) is None


SEPARATORS = st.sampled_from(["", " ", ", ", ",", " and ", " & ", "-", " / ", "; "])


@given(
    chosen=st.sets(st.integers(1, 5), min_size=1),
    maybe=st.sets(st.integers(1, 5)),
    sep=SEPARATORS,
    count=st.integers(5, 9),
)
def test_any_set_of_times_typed_with_any_separator_reads_back(chosen, maybe, sep, count):
    maybe = maybe - chosen
    parts = [str(n) for n in sorted(chosen)] + [f"{n}?" for n in sorted(maybe)]
    # Digits run together only without "?" marks between them: "13", never "13?" for both.
    said = sep.join(parts) if sep or not maybe else " ".join(parts)
    read = read_times(said, count, LEXICON)
    assert read == {
        n: "yes" if n in chosen else "maybe" if n in maybe else "no" for n in range(1, count + 1)
    }


@given(ticked=st.sets(st.integers(1, 20), min_size=1), sep=st.sampled_from([" ", ", ", " and "]))
def test_a_long_attendance_list_reads_whole_numbers(ticked, sep):
    said = sep.join(str(n) for n in sorted(ticked))
    assert read_ticks(said, 20, LEXICON) == frozenset(ticked)


@given(st.text(max_size=40))
def test_any_text_is_read_or_refused_never_an_error(text):
    read = read_times(text, 4, LEXICON)
    assert read is None or set(read) == {1, 2, 3, 4}
