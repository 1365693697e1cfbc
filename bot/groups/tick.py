"""The group tick: claims the groups' due rows (shared scheduling: SKIP LOCKED claims, the
daytime window and quiet hours, the daily cap over every programme message, never in the
middle of a conversation) and does them: an invitation, a poll, a confirmation, a reminder
with its RSVP, a pulse, a vote, a check-in, an announcement. Changes, cancellations and
announcements go at once (not held by the cap or a conversation).

A batch is decided on plain records and written in a few executemany statements, as the
follow-up prompts are: a month of reminders for a thousand groups is one claim per 500 rows,
and members of a group with the same language, channel and timezone share one rendering.
Rows about a whole group (the vote closing, the year's end) go through the ORM.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from types import SimpleNamespace

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.bulk import select_many
from bot.db import transaction
from bot.followup.batch import PeopleBatch
from bot.groups import lifecycle
from bot.groups.meetings import member_time, series_ends
from bot.groups.tasks import TO_DO, URGENT, add_tasks
from bot.messaging.outbox import step_values
from bot.models import (
    Conversation,
    GroupMeeting,
    GroupMember,
    GroupSlot,
    GroupTask,
    MeetingAttendance,
    PeerGroup,
    Person,
    Staff,
)
from bot.people.local_time import timezone_of
from bot.people.reach import why_not
from bot.runtime.snapshot import snapshot
from bot.scheduling.claim import claim_due
from bot.scheduling.pacing import HOLDING_FLOWS, busy, hold_until
from bot.scheduling.writes import BatchWrites
from bot.timeutil import Clock
from flows.content import Content
from flows.context import spoken_language
from flows.groups import attendance as attendance_flow
from flows.groups import availability, news, question
from flows.groups.rules import LAST_CALL
from flows.groups.when import local_time, local_when
from flows.types import Message, Result

log = logging.getLogger(__name__)

RETRY_AFTER = timedelta(minutes=15)
REPLY_DAYS = 3  # how long what a member writes after an announcement goes to the facilitator
ANSWER_DAYS = 2  # a pulse is taken this long after it is asked
WHOLE_GROUP = ("after", "vote_close", "year_end", "invite_close")
# A row with no person for these is the whole group's: sent to every member who joined.
FAN_OUT = (
    "before", "morning", "pulse", "confirmed", "added", "change", "cancel", "announcement", "vote",
    "continues", "ended",
)  # fmt: skip
# Of those, what falls due at each member's own time of day (their timezone).
OWN_TIME = ("before", "morning", "pulse")
# A member whose own time (their timezone) is later than this gets a row of their own.
OWN_TIME_AFTER = timedelta(minutes=1)
TASKS = GroupTask.__table__
CONVERSATIONS = Conversation.__table__
DUE_COLUMNS = (
    GroupTask.id, GroupTask.key, GroupTask.kind, GroupTask.group_id, GroupTask.meeting_id, GroupTask.person_id,
    GroupTask.note, GroupTask.due_at,
)  # fmt: skip
GROUP_COLUMNS = (
    PeerGroup.id, PeerGroup.name, PeerGroup.status, PeerGroup.district, PeerGroup.facilitator_id,
    PeerGroup.facilitator_person_id, PeerGroup.venues, PeerGroup.vote_open_until,
)  # fmt: skip
MEETING_COLUMNS = (
    GroupMeeting.id, GroupMeeting.group_id, GroupMeeting.starts_at, GroupMeeting.venue,
    GroupMeeting.status, GroupMeeting.attendance_at,
)  # fmt: skip
MEMBER_COLUMNS = (GroupMember.group_id, GroupMember.person_id, GroupMember.status)
ATTENDANCE_COLUMNS = (
    MeetingAttendance.meeting_id, MeetingAttendance.person_id, MeetingAttendance.rsvp,
    MeetingAttendance.attended,
)  # fmt: skip


class GroupTick:
    def __init__(self, engine: Engine, content: Content, clock: Clock, effects, batch: int = 500):
        self.engine = engine
        self.content = content
        self.clock = clock
        self.effects = effects  # the steps started here carry no effects; kept for symmetry
        self.batch = batch
        self._made_rows = False

    def tick(self) -> int:
        """Does every due row (in batches, one transaction each); returns how many."""
        done = 0
        while True:
            self._made_rows = False
            moved = self._batch()
            done += moved
            # A vote opened or a group ended just now: its members' rows are due at once.
            if moved < self.batch and not self._made_rows:
                return done

    def _claim(self, session: Session, now: datetime) -> list:
        return claim_due(
            session,
            GroupTask,
            GroupTask.status.in_(TO_DO),
            GroupTask.due_at <= now,
            batch=self.batch,
            columns=DUE_COLUMNS,
        )

    def _batch(self) -> int:
        now = self.clock()
        try:
            with transaction(self.engine) as session:
                rows = self._claim(session, now)
                self._fire_rows(session, rows, now)
                return len(rows)
        except Exception:  # noqa: BLE001 - find the bad row without holding back the rest
            log.exception("a batch of group tasks failed; retrying one by one")
        with transaction(self.engine) as session:
            rows = self._claim(session, now)
            for row in rows:
                try:
                    with session.begin_nested():
                        self._fire_rows(session, [row], now)
                except Exception:  # noqa: BLE001 - one bad row must not hold back the rest
                    log.exception("group task %s failed; trying again later", row.id)
                    task = session.get(GroupTask, row.id)
                    task.due_at, task.note = now + RETRY_AFTER, "failed; retried"
            return len(rows)

    # -- a batch ---------------------------------------------------------------------------

    def _fire_rows(self, session: Session, rows: list, now: datetime) -> None:
        if not rows:
            return
        connection = session.connection()
        rows = self._fan_out(session, rows, now)
        group_ids = {row.group_id for row in rows}
        groups = {g.id: g for g in select_many(connection, GROUP_COLUMNS, PeerGroup.id, group_ids)}
        meeting_ids = {row.meeting_id for row in rows if row.meeting_id is not None}
        meetings = {
            m.id: m for m in select_many(connection, MEETING_COLUMNS, GroupMeeting.id, meeting_ids)
        }
        person_ids = {row.person_id for row in rows if row.person_id is not None}
        members = {
            (m.group_id, m.person_id): m.status
            for m in select_many(connection, MEMBER_COLUMNS, GroupMember.person_id, person_ids)
            if m.group_id in group_ids
        }
        batch = PeopleBatch.load(session, self.content.delivery, person_ids, now)
        fire = _Firing(self, session, now, batch, groups, meetings, members)
        fire.load_attendance({row.meeting_id for row in rows if row.kind == "pulse"})
        last = series_ends(session, [row.meeting_id for row in rows if row.kind == "after"])
        for row in rows:
            if row.kind == "after" and row.meeting_id not in last:
                # Not the series' last meeting: nothing to open (lifecycle.after_meeting).
                fire.mark(row, status="done", fired_at=now)
                continue
            if row.kind in WHOLE_GROUP:
                fire.writes.write(session)  # what this batch changed goes first
                self._whole_group(session, row, now)
                continue
            fire.row(row)
        fire.writes.write(session)
        add_tasks(session, fire.own_rows, now)

    def _fan_out(self, session: Session, rows: list, now: datetime) -> list:
        """A whole group's row (a reminder, a pulse, news of a meeting, an announcement)
        becomes one row per member who joined (the group's row is done once they are all
        decided, in this same transaction)."""
        whole = [r for r in rows if r.kind in FAN_OUT and r.person_id is None]
        if not whole:
            return rows
        members: dict[int, list[int]] = {}
        for group_id, person_id in session.execute(
            select(GroupMember.group_id, GroupMember.person_id)
            .where(
                GroupMember.group_id.in_({r.group_id for r in whole}),
                GroupMember.status == "joined",
            )
            .order_by(GroupMember.id)
        ):
            members.setdefault(group_id, []).append(person_id)
        out = [r for r in rows if not (r.kind in FAN_OUT and r.person_id is None)]
        session.execute(
            TASKS.update()
            .where(TASKS.c.id.in_([row.id for row in whole]))
            .values(status="done", fired_at=now)
        )
        for row in whole:
            out.extend(
                SimpleNamespace(
                    id=None,
                    key=f"{row.key}:{person_id}",
                    kind=row.kind,
                    group_id=row.group_id,
                    meeting_id=row.meeting_id,
                    person_id=person_id,
                    note=row.note,
                    due_at=row.due_at,
                )  # fmt: skip
                for person_id in members.get(row.group_id, ())
            )
        return out

    def _whole_group(self, session: Session, row, now: datetime) -> None:
        task = session.get(GroupTask, row.id)
        group = session.get(PeerGroup, row.group_id, with_for_update=True)
        self._made_rows = True
        if row.kind == "after":
            meeting = session.get(GroupMeeting, row.meeting_id)
            lifecycle.after_meeting(session, group, meeting, self.content, now)
        elif row.kind == "vote_close":
            task.note = lifecycle.close_vote(session, group, now)
        elif row.kind == "year_end":
            lifecycle.end(session, group, "year_over", now, actor="system")
        elif row.kind == "invite_close":
            member = session.scalar(
                select(GroupMember).where(
                    GroupMember.group_id == row.group_id, GroupMember.person_id == row.person_id
                )
            )
            if member is not None and member.status == "invited":
                member.status, member.answered_at = "declined", now
                task.note = "no answer"
        task.status, task.fired_at = "done", now


class _Firing:
    """One batch of rows to members: decided on records, written together."""

    def __init__(self, tick: GroupTick, session, now, batch, groups, meetings, members):
        self.tick, self.content, self.session, self.now = tick, tick.content, session, now
        self.batch, self.groups, self.meetings, self.members = batch, groups, meetings, members
        self.writes = BatchWrites()
        self.own_rows: list[dict] = []  # members' own rows split off a whole group's
        self.rendered: dict[tuple, tuple[Result, bool] | None] = {}
        self._names: dict[int, str] | None = None
        self._extra: dict[tuple, object] = {}
        self.absent: dict[int, set[int]] = {}

    def mark(self, row, **values) -> None:
        if row.id is not None:
            self.writes.update(TASKS, "id", row.id, values)
        elif values.get("status") == "waiting" or "due_at" in values:
            # A member of a whole group's row held back: a row of their own, for later.
            self.own_rows.append(
                {"key": row.key, "kind": row.kind, "group_id": row.group_id,
                 "meeting_id": row.meeting_id, "person_id": row.person_id,
                 "due_at": values["due_at"]}
            )  # fmt: skip

    def row(self, row) -> None:
        now, content = self.now, self.content
        person = self.batch.people.get(row.person_id)
        group = self.groups.get(row.group_id)
        if person is None or group is None:
            self.mark(row, status="cancelled", note="gone")
            return
        reason = why_not(person, self.batch.consents.get(person.id, {}))
        contact = self.batch.contact(person.id)
        reason = reason or (None if contact is not None else "no contact")
        if reason is not None:
            self.mark(row, status="cancelled", note=reason[:120])
            return
        meeting = self.meetings.get(row.meeting_id) if row.meeting_id else None
        stale = self._stale(row, person, group, meeting)
        if stale is not None:
            self.mark(row, status="cancelled", note=stale)
            return
        timezone = timezone_of(person, content)
        if row.id is None and meeting is not None and row.kind in OWN_TIME:
            key = ("own", row.meeting_id, row.kind, timezone)
            if key not in self._extra:
                self._extra[key] = member_time(meeting, row.kind, timezone, content)
            own = self._extra[key]
            if own is not None and own > now + OWN_TIME_AFTER:
                self.mark(row, status="waiting", due_at=own)
                return
        deadline = self._deadline(row, group, meeting)
        if deadline is not None and now >= deadline:
            self.mark(row, status="skipped", note="too late")
            return
        conversation = self.batch.conversations[person.id]
        urgent = row.kind in URGENT
        if not urgent:
            later = hold_until(self.batch.cap, conversation, person.id, timezone, now)
            if later is not None:
                if deadline is not None and later >= deadline:
                    self.mark(row, status="skipped", note="no time to send before it was due")
                else:
                    self.mark(row, status="waiting", due_at=later)
                return
        language = spoken_language(person.language, content)
        rendered = self._render(
            row, person, contact, conversation, group, meeting, language, timezone
        )
        if rendered is None:
            self.mark(row, status="skipped", note="nothing to send")
            return
        result, starts = rendered
        self.batch.cap.note(person.id, now)
        # A question, or a message to answer, takes over an idle conversation; someone busy
        # with another question (only urgent news reaches them) keeps it, and gets the news
        # without buttons to answer.
        takes_over = starts and not busy(conversation, now, HOLDING_FLOWS)
        messages = result.messages
        if takes_over:
            state = {
                "flow": result.conversation.flow,
                "step": result.conversation.step,
                "state": dict(result.conversation.data),
                "updated_at": now,
            }
            self.writes.update(CONVERSATIONS, "id", conversation.id, state)
            self.batch.conversations[person.id] = SimpleNamespace(
                id=conversation.id, person_id=person.id, **state
            )
        elif starts:
            messages = _without_choices(messages)
        self.writes.outbound += step_values(person, contact, messages, now, initiated=True)
        self.mark(row, status="done", fired_at=now)

    # -- what is no longer to do, and by when ----------------------------------------------

    def _stale(self, row, person, group, meeting) -> str | None:
        kind, now = row.kind, self.now
        status = self.members.get((group.id, person.id))
        if kind == "invite":
            return None if status == "invited" else f"member {status}"
        if kind == "attendance":
            if (
                meeting is None
                or meeting.status == "cancelled"
                or meeting.attendance_at is not None
            ):
                return "attendance recorded" if meeting is not None else "no meeting"
            return None
        if status != "joined":
            return f"member {status}"
        if kind == "ended":
            return None
        if group.status == "ended":
            return "group ended"
        if kind == "poll":
            return None if self._poll_times(group.id) else "poll closed"
        if kind == "vote":
            open_until = group.vote_open_until
            return None if open_until is not None and open_until > now else "vote closed"
        ahead = meeting is not None and meeting.status == "scheduled" and meeting.starts_at > now
        if kind in ("before", "morning", "confirmed", "added", "change") and not ahead:
            return "meeting not ahead"
        if kind == "pulse":
            if meeting is None or meeting.status == "cancelled":
                return "meeting cancelled"
            if self._absent(meeting.id, person.id):
                return "not at the meeting"
        return None

    def _deadline(self, row, group, meeting) -> datetime | None:
        kind = row.kind
        if kind in ("before", "morning") and meeting is not None:
            return meeting.starts_at - LAST_CALL
        if kind in ("confirmed", "added") and meeting is not None:
            return meeting.starts_at
        if kind == "pulse" and meeting is not None:
            return meeting.starts_at + timedelta(days=ANSWER_DAYS)
        if kind == "vote":
            return group.vote_open_until
        if kind == "poll":
            times = self._poll_times(group.id)
            return times[0].closes_at if times else None
        return None

    def load_attendance(self, meeting_ids: set[int]) -> None:
        """Who was absent from the meetings whose pulses are in this batch, in one query."""
        self.absent = {m: set() for m in meeting_ids}
        for row in select_many(
            self.session.connection(), ATTENDANCE_COLUMNS, MeetingAttendance.meeting_id,
            meeting_ids,
        ):  # fmt: skip
            if row.attended is False or (row.attended is None and row.rsvp == "cant"):
                self.absent[row.meeting_id].add(row.person_id)

    def _absent(self, meeting_id: int, person_id: int) -> bool:
        """Marked absent, or said they could not come (and nothing recorded since)."""
        return person_id in self.absent.get(meeting_id, ())

    def _poll_times(self, group_id: int) -> list:
        key = ("poll", group_id)
        if key not in self._extra:
            self._extra[key] = list(
                self.session.execute(
                    select(GroupSlot)
                    .where(
                        GroupSlot.group_id == group_id,
                        GroupSlot.status == "open",
                        GroupSlot.closes_at > self.now,
                    )
                    .order_by(GroupSlot.position)
                ).scalars()
            )
        return self._extra[key]  # type: ignore[return-value]

    # -- what they get ---------------------------------------------------------------------

    def _render(self, row, person, contact, conversation, group, meeting, language, timezone):
        """(the result, whether it starts a conversation state), shared by members who
        read the same words: the same language, channel and timezone."""
        key = (row.kind, group.id, row.meeting_id, row.note, language, contact.channel, timezone)
        if key not in self.rendered:
            snap = snapshot(self.content, person, contact, conversation, self.now, {})
            result = self._start(row, snap, group, meeting, language, timezone)
            starts = result is not None and result.conversation is not snap.conversation
            self.rendered[key] = None if result is None else (result, starts)
        return self.rendered[key]

    def _start(self, row, snap, group, meeting, language, timezone) -> Result | None:
        content, now, kind = self.content, self.now, row.kind
        catalog = content.catalog

        def where(m) -> str:
            venue = m.venue or (group.venues[0] if group.venues else None)
            return venue or catalog.text(language, "groups.no_place")

        if kind == "invite":
            until = now + timedelta(days=content.groups.invitation_days)
            values = {
                "facilitator": self._facilitator(group, language),
                "district": self._area(group, language),
            }
            return question.ask(
                snap, content, kind="invite", group_id=group.id, until=until, values=values
            )
        if kind == "poll":
            times = self._poll_times(group.id)
            labels = [
                f"{local_when(content, language, s.starts_at, timezone)}, {where(s)}" for s in times
            ]
            return availability.start(
                snap,
                content,
                group_id=group.id,
                poll=times[0].poll,
                times=labels,
                until=times[0].closes_at,
            )
        if kind in ("before", "morning"):
            values = {
                "when": local_when(content, language, meeting.starts_at, timezone),
                "time": local_time(meeting.starts_at, timezone),
                "place": where(meeting),
            }
            return question.ask(
                snap, content, kind=kind, group_id=group.id, meeting_id=meeting.id,
                until=meeting.starts_at, values=values,
            )  # fmt: skip
        if kind == "pulse":
            until = now + timedelta(days=ANSWER_DAYS)
            return question.ask(
                snap, content, kind="pulse", group_id=group.id, meeting_id=meeting.id, until=until
            )
        if kind == "vote":
            return question.ask(
                snap, content, kind="vote", group_id=group.id, until=group.vote_open_until
            )
        if kind == "attendance":
            return self._attendance(snap, group, meeting, language, timezone)
        when = local_when(content, language, meeting.starts_at, timezone) if meeting else ""
        place = where(meeting) if meeting else ""
        until = now + timedelta(days=REPLY_DAYS)
        if kind == "confirmed":
            return news.confirmed(snap, content, when=when, place=place, count=int(row.note or 1))
        if kind in news.NOTICES:
            return news.notice(snap, content, kind, when=when, place=place)
        if kind == "checkin":
            return news.checkin(snap, content, group_id=group.id, until=until)
        if kind == "announcement":
            facilitator = self._facilitator(group, language)
            return news.announcement(
                snap, content, group_id=group.id, facilitator=facilitator, text=row.note or "",
                until=until,
            )  # fmt: skip
        raise ValueError(f"unknown group task kind {kind!r}")

    def _attendance(self, snap, group, meeting, language, timezone) -> Result | None:
        members = self.session.execute(
            select(Person.id, Person.display_name)
            .join(GroupMember, GroupMember.person_id == Person.id)
            .where(GroupMember.group_id == group.id, GroupMember.status == "joined")
            .order_by(GroupMember.id)
        ).all()
        if not members:
            return None
        names = [
            (pid, (name or "").split()[0] if name else f"#{n}")
            for n, (pid, name) in enumerate(members, 1)
        ]
        return attendance_flow.start(
            snap, self.content, meeting_id=meeting.id,
            when=local_when(self.content, language, meeting.starts_at, timezone),
            members=names, until=self.now + timedelta(days=REPLY_DAYS),
        )  # fmt: skip

    def _facilitator(self, group, language: str) -> str:
        """Who leads the group, by first name: a staff member or a trained returnee."""
        if self._names is None:
            staff_ids = {g.facilitator_id for g in self.groups.values() if g.facilitator_id}
            person_ids = {
                g.facilitator_person_id for g in self.groups.values() if g.facilitator_person_id
            }
            self._names = {
                ("staff", i): n
                for i, n in self.session.execute(
                    select(Staff.id, Staff.name).where(Staff.id.in_(staff_ids))
                )
            }
            self._names.update(
                {
                    ("person", i): n
                    for i, n in self.session.execute(
                        select(Person.id, Person.display_name).where(Person.id.in_(person_ids))
                    )
                    if n
                }
            )
        name = self._names.get(("person", group.facilitator_person_id)) or self._names.get(
            ("staff", group.facilitator_id)
        )
        first = (name or "").split()
        return first[0] if first else self.content.catalog.text(language, "groups.no_facilitator")

    def _area(self, group, language: str) -> str:
        if group.district and group.district in self.content.option_sets.get("district", ()):
            return self.content.label(language, "district", group.district)
        return group.district or self.content.catalog.text(language, "mentoring.no_area")


def _without_choices(messages) -> tuple[Message, ...]:
    """Someone busy with another question gets the news without buttons to answer it."""
    return tuple(Message(m.text, (), m.key) for m in messages)
