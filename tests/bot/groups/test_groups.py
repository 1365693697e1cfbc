"""A peer group through the whole service (the group tick, webhooks, inbox, outbox, the fake
Telegram and Twilio): invited, polled on both channels, approved, confirmed, reminded with an
RSVP, attendance and the pulse, care for those who drop away, the continue vote, the year's
end, changes at once, and announcements whose replies reach the facilitator's inbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot.db import transaction
from bot.groups import announcements, attendance, meetings
from bot.groups.errors import GroupError
from bot.models import Alert, GroupMeeting, Inbound, MeetingAttendance, PeerGroup, Person
from tests.bot.groups import helpers as g
from tests.builders import add_person, add_staff

CHAT = 7001
PHONE = "+221770007002"
# Tuesday 1, Thursday 3 and Saturday 5 December 2026 (Dakar is on UTC).
TIMES = [
    datetime(2026, 12, 1, 17, tzinfo=UTC),
    datetime(2026, 12, 3, 10, tzinfo=UTC),
    datetime(2026, 12, 5, 15, tzinfo=UTC),
]


def _tg(stack) -> list[str]:
    return [m.text for m in stack.telegram_api.sent_to(CHAT)]


def _sms(stack) -> list[str]:
    return [m.body for m in stack.twilio_api.sent_to(PHONE)]


async def _joined_group(stack, **fields) -> tuple[int, int, int]:
    tg = add_person(stack, "Awa Ndiaye", channel="telegram", address=str(CHAT))
    sms = add_person(stack, "Fatou Sarr", channel="sms", address=PHONE)
    gid = g.create_group(stack, **fields)
    g.invite(stack, gid, tg)
    g.invite(stack, gid, sms)
    await stack.tick()
    await stack.tg_presses(CHAT, "yes")
    await stack.sms_says(PHONE, "join")
    return gid, tg, sms


async def _next_day(stack) -> None:
    stack.clock.advance(days=1)
    await stack.tick()


async def test_invitation_poll_on_both_channels_and_confirmation(stack):
    tg = add_person(stack, "Awa Ndiaye", channel="telegram", address=str(CHAT))
    sms = add_person(stack, "Fatou Sarr", channel="sms", address=PHONE)
    gid = g.create_group(stack)
    g.invite(stack, gid, tg)
    g.invite(stack, gid, sms)
    await stack.tick()

    invitation = stack.telegram_api.sent_to(CHAT)[-1]
    assert "voluntary and confidential" in invitation.text
    assert [label for _, label in invitation.buttons] == ["Join", "Not now"]
    # Over SMS nothing says what the group is about.
    assert "came back" not in _sms(stack)[-1] and "1 Join" in _sms(stack)[-1].replace(".", "")
    assert await stack.tg_presses(CHAT, "yes") == [
        "Welcome! We will ask you soon which times suit you."
    ]
    await stack.sms_says(PHONE, "Join")
    assert g.members(stack, gid) == {tg: "joined", sms: "joined"}

    g.open_poll(stack, gid, TIMES)
    await stack.tick()
    slots = stack.telegram_api.sent_to(CHAT)[-3:]
    assert [m.text for m in slots][0].startswith("1. Tuesday 1 December, 17:00")
    assert [label for _, label in slots[0].buttons] == ["Yes", "If need be", "No"]
    assert "e.g. 13" in _sms(stack)[-1] and "3. Saturday 5 December, 15:00" in _sms(stack)[-1]

    # Each press counts at once: the tally is live.
    assert await stack.tg_presses(CHAT, "poll:1:yes") == []
    assert g.tally(stack, gid).slots[0].tally.yes == 1
    await stack.tg_presses(CHAT, "poll:2:maybe")
    done = await stack.tg_presses(CHAT, "poll:3:no")
    assert done == [
        "Thank you! We noted: 1 Yes, 2 If need be, 3 No. We will tell you the time chosen."
    ]
    said = await stack.sms_says(PHONE, "1, 3?")
    assert said == [
        "Thank you! We noted: 1 Yes, 2 No, 3 If need be. We will tell you the time chosen."
    ]
    view = g.tally(stack, gid)
    assert [(s.tally.yes, s.tally.maybe, s.tally.no) for s in view.slots] == [
        (2, 0, 0),
        (0, 1, 1),
        (0, 1, 1),
    ]
    assert (view.best, view.answered, view.members) == (1, 2, 2)

    # Only once the community leader's approval is recorded is the group active.
    with pytest.raises(GroupError, match="not_approved"):
        g.confirm(stack, gid, 1)
    g.approve(stack, gid)
    assert g.group(stack, gid).status == "active"
    made = g.confirm(stack, gid, view.best, count=3)
    assert len(made) == 3
    starts = [m.starts_at for m in g.meetings(stack, gid)]
    assert starts == [TIMES[0] + timedelta(weeks=i) for i in range(3)]
    await _next_day(stack)  # two programme messages today already: tomorrow
    confirmed = (
        "The group will meet on Tuesday 1 December, 17:00, at the community hall, for one hour."
    )
    assert _tg(stack)[-1].startswith(confirmed) and "3 meetings in all" in _tg(stack)[-1]
    assert _sms(stack)[-1].startswith(confirmed)
    first = g.group(stack, gid)
    assert first.first_meeting_at == TIMES[0] and first.ends_by.isoformat() == "2027-12-01"


async def test_reminders_two_days_before_and_that_morning_with_an_rsvp(sqlite_stack):
    stack = sqlite_stack
    gid, tg, sms = await _joined_group(stack)
    g.approve(stack, gid)
    g.add_meeting(stack, gid, TIMES[0])
    stack.clock.now = datetime(2026, 11, 29, 16, 59, tzinfo=UTC)
    await stack.tick()
    assert not any("Reminder" in t for t in _tg(stack))
    stack.clock.advance(minutes=1)
    await stack.tick()
    reminder = stack.telegram_api.sent_to(CHAT)[-1]
    assert (
        reminder.text
        == "Reminder: the group meets on Tuesday 1 December, 17:00, at the community hall. Will you come?"
    )
    assert [label for _, label in reminder.buttons] == ["Coming", "Can't come"]
    assert await stack.tg_presses(CHAT, "yes") == ["Thank you, see you there!"]
    assert "Will you come?" in _sms(stack)[-1]
    assert await stack.sms_says(PHONE, "can't come") == [
        "Thank you for telling us. We hope to see you next time."
    ]
    # The morning one: at the window's opening (09:00), not at 08:00.
    stack.clock.now = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)
    await stack.tick()
    assert "Today at 17:00" not in _tg(stack)[-1]
    stack.clock.now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    await stack.tick()
    assert _tg(stack)[-1] == "Today at 17:00, the group meets at the community hall. Will you come?"
    with transaction(stack.engine) as session:
        rsvps = {a.person_id: a.rsvp for a in session.exec(select(MeetingAttendance))}
    assert rsvps == {tg: "coming", sms: "cant"}
    # A late answer after the start is thanked, not taken.
    stack.clock.now = datetime(2026, 12, 1, 17, 5, tzinfo=UTC)
    assert await stack.tg_presses(CHAT, "no") == ["Thank you. This question has closed."]


async def test_a_change_and_a_cancellation_reach_everyone_at_once(sqlite_stack):
    stack = sqlite_stack
    gid, tg, sms = await _joined_group(stack)
    g.approve(stack, gid)
    with transaction(stack.engine) as session:
        group = session.get(PeerGroup, gid)
        meeting = meetings.add_meeting(
            session, group, TIMES[0], None, stack.services.content, stack.clock(), actor="staff:1"
        )
        meeting_id = meeting.id
    # Today's cap is reached (invitation and the news of the meeting tomorrow)...
    with transaction(stack.engine) as session:
        meetings.change(
            session, session.get(PeerGroup, gid), session.get(GroupMeeting, meeting_id),
            TIMES[1], "the school", stack.services.content, stack.clock(), actor="staff:1",
        )  # fmt: skip
    await stack.tick()
    # ...yet the change goes now, to both.
    changed = "Change: the group meeting is now on Thursday 3 December, 10:00, at the school."
    assert _tg(stack)[-1] == changed and _sms(stack)[-1] == changed
    with transaction(stack.engine) as session:
        meetings.cancel(
            session, session.get(PeerGroup, gid), session.get(GroupMeeting, meeting_id),
            stack.clock(), actor="staff:1",
        )  # fmt: skip
    await stack.tick()
    assert "is cancelled" in _tg(stack)[-1] and "is cancelled" in _sms(stack)[-1]
    # No reminder for it ever goes.
    stack.clock.now = datetime(2026, 12, 3, 9, tzinfo=UTC)
    await stack.tick()
    assert not any("Reminder" in t for t in _tg(stack) + _sms(stack))


async def test_a_changed_meeting_reminds_each_member_at_their_own_time(sqlite_stack):
    stack = sqlite_stack
    gid, tg, sms = await _joined_group(stack)
    with transaction(stack.engine) as session:  # Fatou lives in Cape Verde (UTC-1)
        session.get(Person, sms).timezone = "Atlantic/Cape_Verde"
    g.approve(stack, gid)
    meeting_id = g.add_meeting(stack, gid, TIMES[0])
    with transaction(stack.engine) as session:
        meetings.change(
            session, session.get(PeerGroup, gid), session.get(GroupMeeting, meeting_id),
            TIMES[2], None, stack.services.content, stack.clock(), actor="staff:1",
        )  # fmt: skip
    await stack.tick()
    assert "Saturday 5 December, 15:00" in _tg(stack)[-1]
    assert "Saturday 5 December, 14:00" in _sms(stack)[-1]  # her own clock
    # Nothing goes on the old meeting's morning.
    for hour in (9, 10):
        stack.clock.now = datetime(2026, 12, 1, hour, tzinfo=UTC)
        await stack.tick()
    assert not any("Today at" in t for t in _tg(stack) + _sms(stack))
    # Two days before, at the meeting's time of day: 15:00 for him, 14:00 for her.
    stack.clock.now = datetime(2026, 12, 3, 15, tzinfo=UTC)
    await stack.tick()
    assert _tg(stack)[-1].startswith("Reminder: the group meets on Saturday 5 December, 15:00")
    assert _sms(stack)[-1].startswith("Reminder: the group meets on Saturday 5 December, 14:00")
    # The new one's morning: 09:00 in Dakar, an hour later (09:00 hers) in Cape Verde.
    stack.clock.now = datetime(2026, 12, 5, 9, tzinfo=UTC)
    await stack.tick()
    assert _tg(stack)[-1].startswith("Today at 15:00")
    assert not any("Today at" in t for t in _sms(stack))
    stack.clock.now = datetime(2026, 12, 5, 10, tzinfo=UTC)
    await stack.tick()
    assert _sms(stack)[-1].startswith("Today at 14:00")
    assert sum("Today at" in t for t in _tg(stack) + _sms(stack)) == 2


async def test_attendance_in_chat_the_pulse_and_a_check_in_after_two_misses(sqlite_stack):
    stack = sqlite_stack
    lead = add_person(stack, "Moussa Fall", channel="telegram", address="7100", role="mentor")
    staff = add_staff(stack, "lead@example.org", "facilitator", name="Aminata Diop")
    gid, tg, sms = await _joined_group(stack, facilitator_person_id=lead, facilitator_id=staff)
    g.approve(stack, gid)
    with transaction(stack.engine) as session:
        group = session.get(PeerGroup, gid)
        for start in (TIMES[0], TIMES[0] + timedelta(weeks=1)):
            meetings.add_meeting(
                session, group, start, None, stack.services.content, stack.clock(),
                actor="staff:1",
            )  # fmt: skip
    first, second = g.meetings(stack, gid)
    stack.clock.now = TIMES[0] + timedelta(hours=1)
    await stack.tick()
    asked = stack.telegram_api.sent_to(7100)[-1].text
    assert "1. Awa" in asked and "2. Fatou" in asked and "Ndiaye" not in asked
    assert await stack.tg_says(7100, "1") == ["Thank you! 1 of 2 marked as present."]
    with transaction(stack.engine) as session:
        came = {a.person_id: a.attended for a in session.exec(select(MeetingAttendance))}
    assert came == {tg: True, sms: False}
    # The pulse: to those who came (Fatou did not).
    stack.clock.advance(minutes=30)
    await stack.tick()
    assert _tg(stack)[-1] == "Was the last group meeting helpful to you?"
    assert await stack.tg_presses(CHAT, "yes") == ["Thank you!"]
    assert "helpful" not in _sms(stack)[-1]

    # Staff record the second meeting in the admin: Fatou missed two in a row.
    stack.clock.now = second.starts_at + timedelta(hours=2)
    with transaction(stack.engine) as session:
        attendance.record_attendance(
            session, session.get(PeerGroup, gid), session.get(GroupMeeting, second.id), [tg],
            stack.services.content, stack.clock(), actor="staff:1",
        )  # fmt: skip
    await stack.tick()
    assert "missed you" not in _sms(stack)[-1]  # 20:00: after the daytime window
    stack.clock.now = datetime(2026, 12, 9, 9, tzinfo=UTC)
    await stack.tick()
    assert _sms(stack)[-1].startswith("We missed you at the last two group meetings.")
    assert g.member(stack, gid, sms).missed_in_row == 2
    with transaction(stack.engine) as session:
        (note,) = session.exec(select(Alert).where(Alert.reason == "group_no_show")).all()
    assert note.person_id == sms and note.owner_id == staff and note.severity == "low"
    # Her answer reaches the facilitator's inbox.
    await stack.sms_says(PHONE, "Sorry, my child was sick")
    with transaction(stack.engine) as session:
        message = session.exec(select(Inbound).order_by(Inbound.id.desc())).first()
    assert (message.handoff, message.assigned_to) == ("group_reply", staff)
    # Recording the same meeting again changes nothing twice.
    with transaction(stack.engine) as session:
        attendance.record_attendance(
            session, session.get(PeerGroup, gid), session.get(GroupMeeting, second.id), [tg],
            stack.services.content, stack.clock(), actor="staff:1",
        )  # fmt: skip
    assert len(g.tasks(stack, "checkin")) == 1


async def test_the_continue_vote_after_the_series_and_the_end_after_a_year(sqlite_stack):
    stack = sqlite_stack
    gid, tg, sms = await _joined_group(stack)
    g.approve(stack, gid)
    g.open_poll(stack, gid, TIMES)
    g.confirm(stack, gid, 1, count=2)
    last = g.meetings(stack, gid)[-1]
    stack.clock.now = last.starts_at + timedelta(hours=1)
    await stack.tick()
    assert _tg(stack)[-1] == (
        "The group's first meetings are over. Would you like the group to keep meeting?"
    )
    await stack.tg_presses(CHAT, "yes")
    await stack.sms_says(PHONE, "yes")
    stack.clock.advance(days=6)
    await stack.tick()
    assert g.group(stack, gid).outcome == "continued"
    assert "keep meeting" in _sms(stack)[-1]
    # Follow-up sessions, but never past a year after the first meeting.
    with transaction(stack.engine) as session:
        group = session.get(PeerGroup, gid)
        with pytest.raises(GroupError, match="past_year_end"):
            meetings.add_meeting(
                session, group, datetime(2027, 12, 2, 17, tzinfo=UTC), None,
                stack.services.content, stack.clock(), actor="staff:1",
            )  # fmt: skip
    stack.clock.now = datetime(2027, 12, 1, 0, 0, tzinfo=UTC)
    await stack.tick()
    ended = g.group(stack, gid)
    assert (ended.status, ended.outcome) == ("ended", "year_over")
    # The news is not urgent: it waits for the morning, not the middle of the night.
    assert "come to an end" not in _tg(stack)[-1]
    stack.clock.now = datetime(2027, 12, 1, 9, 0, tzinfo=UTC)
    await stack.tick()
    assert _tg(stack)[-1] == "The group's meetings have come to an end. Thank you for taking part!"


async def test_a_vote_with_more_no_than_yes_ends_the_group(sqlite_stack):
    stack = sqlite_stack
    gid, tg, sms = await _joined_group(stack)
    g.approve(stack, gid)
    g.open_poll(stack, gid, TIMES)
    g.confirm(stack, gid, 1, count=1)
    stack.clock.now = TIMES[0] + timedelta(hours=1)
    await stack.tick()
    await stack.tg_presses(CHAT, "no")
    stack.clock.advance(days=6)
    await stack.tick()
    assert (g.group(stack, gid).status, g.group(stack, gid).outcome) == ("ended", "stopped")


async def test_an_announcement_shows_the_facilitator_never_other_members(sqlite_stack):
    stack = sqlite_stack
    staff = add_staff(stack, "awa@example.org", "facilitator", name="Aminata Diop")
    gid, tg, sms = await _joined_group(stack, facilitator_id=staff)
    stack.clock.advance(days=1)
    with transaction(stack.engine) as session:
        count = announcements.announce(
            session, session.get(PeerGroup, gid), "Bring a friend next time!", stack.clock(),
            actor=f"staff:{staff}",
        )  # fmt: skip
    assert count == 2
    await stack.tick()
    text = "Message from Aminata: Bring a friend next time!\nYou can reply here."
    assert _tg(stack)[-1] == text and _sms(stack)[-1] == text
    assert PHONE not in " ".join(_tg(stack)) and "Awa" not in " ".join(_sms(stack))
    assert await stack.tg_says(CHAT, "Can I bring my sister?") == [
        "Thank you. Your message has been passed on to the group's facilitator."
    ]
    with transaction(stack.engine) as session:
        message = session.exec(select(Inbound).order_by(Inbound.id.desc())).first()
    assert (message.handoff, message.assigned_to) == ("group_reply", staff)


async def test_joining_from_the_menu_is_noted_for_staff(sqlite_stack):
    stack = sqlite_stack
    add_person(stack, "Awa Ndiaye", channel="telegram", address=str(CHAT))
    menu = await stack.tg_says(CHAT, "MENU")
    assert menu
    buttons = [label for _, label in stack.telegram_api.sent_to(CHAT)[-1].buttons]
    assert "Join a group" in buttons
    assert await stack.tg_presses(CHAT, "group") == [
        "Thank you! We will write when a group near you is forming."
    ]
    from bot.models import GroupRequest

    with transaction(stack.engine) as session:
        assert session.exec(select(GroupRequest)).one().status == "waiting"
