"""A group's availability poll: the facilitator proposes 2 to 5 times, each member answers
Yes / If need be / No per time (one row per member and time, written with an upsert, so
members answering at the same instant are all counted), the tally is read live, and the
facilitator confirms a time, which schedules the first series."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlmodel import Session

from bot.audit import audit
from bot.groups import meetings
from bot.groups.errors import GroupError
from bot.groups.tasks import add_task, cancel_tasks
from bot.models import GroupMember, GroupSlot, PeerGroup, SlotAnswer
from bot.models.groups import JOINED
from bot.upsert import insert_or_update
from flows.content import Content
from flows.groups.rules import ANSWERS, SlotTally, best_slot, tally


@dataclass(frozen=True)
class SlotView:
    slot: GroupSlot
    tally: SlotTally


@dataclass(frozen=True)
class PollView:
    poll: int
    slots: tuple[SlotView, ...]
    best: int | None  # the suggested position: most Yes, then fewest No
    answered: int  # members who answered
    members: int  # members who joined
    open: bool


def current_poll(session: Session, group_id: int) -> int | None:
    return session.scalar(select(func.max(GroupSlot.poll)).where(GroupSlot.group_id == group_id))


def open_poll(
    session: Session,
    group: PeerGroup,
    times: Sequence[tuple[datetime, str | None]],
    content: Content,
    now: datetime,
    *,
    actor: str,
) -> int:
    """Proposes the times to every member who joined (and to those who join while it is
    open); returns the poll's number. An earlier poll still open closes."""
    rules = content.groups
    if group.status == "ended":
        raise GroupError("groups.error.ended")
    if not rules.slots_min <= len(times) <= rules.slots_max:
        raise GroupError("groups.error.slots")
    starts = [start for start, _ in times]
    if len(set(starts)) != len(starts) or min(starts) <= now:
        raise GroupError("groups.error.slot_times")
    for start in starts:
        if not content.groups.may_meet(start, group.first_meeting_at):
            raise GroupError("groups.error.past_year_end")
    previous = current_poll(session, group.id) or 0
    for slot in session.scalars(
        select(GroupSlot).where(GroupSlot.group_id == group.id, GroupSlot.status == "open")
    ):
        slot.status = "closed"
    cancel_tasks(session, "a new poll", group_id=group.id, kinds=("poll",))
    poll = previous + 1
    # Answers are taken for poll_days, and never once the first proposed time has come.
    closes = min(now + timedelta(days=rules.poll_days), min(starts) - timedelta(hours=1))
    for position, (start, venue) in enumerate(sorted(times, key=lambda t: t[0]), 1):
        session.add(
            GroupSlot(
                group_id=group.id,
                poll=poll,
                position=position,
                starts_at=start,
                venue=(venue or "").strip()[:120] or None,
                closes_at=closes,
                created_at=now,
            )
        )
    for person_id in joined_ids(session, group.id):
        add_task(
            session,
            f"poll:{group.id}:{poll}:{person_id}",
            "poll",
            group.id,
            now,
            now,
            person_id=person_id,
        )
    group.updated_at = now
    audit(
        session, actor, "group.poll_opened", None, now, group=group.id, poll=poll, times=len(times)
    )
    return poll


def joined_ids(session: Session, group_id: int) -> list[int]:
    return list(
        session.scalars(
            select(GroupMember.person_id)
            .where(GroupMember.group_id == group_id, GroupMember.status == JOINED)
            .order_by(GroupMember.id)
        )
    )


def record_answers(
    session: Session,
    group_id: int,
    poll: int,
    person_id: int,
    answers: Mapping[int, str],
    now: datetime,
) -> int:
    """A member's answers (position -> yes | maybe | no); returns how many counted. One
    upsert per time: concurrent answers of different members never conflict, and a member
    answering again replaces their earlier answer."""
    member = session.scalar(
        select(GroupMember.id).where(
            GroupMember.group_id == group_id,
            GroupMember.person_id == person_id,
            GroupMember.status == JOINED,
        )
    )
    if member is None:
        return 0
    slots = {
        slot.position: slot.id
        for slot in session.scalars(
            select(GroupSlot).where(
                GroupSlot.group_id == group_id,
                GroupSlot.poll == poll,
                GroupSlot.status == "open",
                GroupSlot.closes_at > now,
            )
        )
    }
    rows = [
        {"slot_id": slots[p], "person_id": person_id, "answer": a, "answered_at": now}
        for p, a in sorted(answers.items())
        if p in slots and a in ANSWERS
    ]
    if not rows:
        return 0
    session.flush()
    insert_or_update(
        session.connection(), SlotAnswer.__table__, ("slot_id", "person_id"), rows,
        update=("answer", "answered_at"),
    )  # fmt: skip
    return len(rows)


def view(
    session: Session, group_id: int, now: datetime, poll: int | None = None
) -> PollView | None:
    """The tally of the group's latest poll (or `poll`), as it stands now."""
    poll = poll if poll is not None else current_poll(session, group_id)
    if poll is None:
        return None
    slots = list(
        session.scalars(
            select(GroupSlot)
            .where(GroupSlot.group_id == group_id, GroupSlot.poll == poll)
            .order_by(GroupSlot.position)
        )
    )
    members = set(joined_ids(session, group_id))
    answers = session.execute(
        select(GroupSlot.position, SlotAnswer.answer, SlotAnswer.person_id)
        .join(SlotAnswer, SlotAnswer.slot_id == GroupSlot.id)
        .where(GroupSlot.group_id == group_id, GroupSlot.poll == poll)
    ).all()
    # Only members still in the group count.
    counted = [(position, answer) for position, answer, person in answers if person in members]
    tallies = tally(counted, [s.position for s in slots])
    by_position = {t.position: t for t in tallies}
    answered = {person for _, _, person in answers if person in members}
    is_open = any(s.status == "open" and s.closes_at > now for s in slots)
    return PollView(
        poll=poll,
        slots=tuple(SlotView(s, by_position[s.position]) for s in slots),
        best=best_slot(tallies),
        answered=len(answered),
        members=len(members),
        open=is_open,
    )


def confirm(
    session: Session,
    group: PeerGroup,
    position: int,
    content: Content,
    now: datetime,
    *,
    actor: str,
    meetings_count: int | None = None,
) -> list[int]:
    """The facilitator chose a time: the poll closes, the first series is scheduled weekly
    from it and every member is told. Only once the community leader approved."""
    if group.status != "active":
        raise GroupError("groups.error.not_approved")
    poll = current_poll(session, group.id)
    slot = session.scalar(
        select(GroupSlot).where(
            GroupSlot.group_id == group.id, GroupSlot.poll == poll, GroupSlot.position == position
        )
    )
    if slot is None or slot.status == "chosen":
        raise GroupError("groups.error.slot")
    if slot.starts_at <= now:
        raise GroupError("groups.error.slot_times")
    for other in session.scalars(
        select(GroupSlot).where(GroupSlot.group_id == group.id, GroupSlot.poll == poll)
    ):
        other.status = "chosen" if other.id == slot.id else "closed"
    cancel_tasks(session, "time chosen", group_id=group.id, kinds=("poll",))
    count = meetings_count or group.series_meetings
    rules = content.groups
    if not rules.series_min <= count <= rules.series_max:
        raise GroupError("groups.error.series")
    venue = slot.venue or (group.venues[0] if group.venues else None)
    created = meetings.schedule_weekly(
        session, group, slot.starts_at, count, venue, content, now, actor=actor, series=True
    )
    audit(
        session,
        actor,
        "group.time_confirmed",
        None,
        now,
        group=group.id,
        poll=poll,
        position=position,
    )
    return created
