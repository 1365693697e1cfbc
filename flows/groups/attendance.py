"""Attendance in the chat: after a meeting the group's facilitator, when they are a trained
returnee on the service, gets the members as a numbered list and replies with the numbers
of those who came ("1 3 4", "all", "0"). Staff facilitators tick them in the admin."""

from __future__ import annotations

from datetime import datetime

from flows.content import Content
from flows.context import language_of, say
from flows.groups.effects import RecordAttendance
from flows.groups.poll import read_ticks
from flows.mentoring.asking import ask_again
from flows.types import ConversationState, Message, Result, Snapshot

NAME = "groups.attendance"


def start(
    snap: Snapshot,
    content: Content,
    *,
    meeting_id: int,
    when: str,
    members: list[tuple[int, str]],
    until: datetime,
) -> Result:
    """`members`: (person id, first name) in list order."""
    data = {
        "meeting": meeting_id,
        "when": when,
        "members": [list(m) for m in members],
        "until": until.isoformat(),
        "reasks": 0,
    }
    return Result(ConversationState(NAME, "ticks", data), (_question(snap, content, data),))


def _question(snap: Snapshot, content: Content, data: dict, lead: str | None = None) -> Message:
    listed = "\n".join(f"{n}. {name}" for n, (_, name) in enumerate(data["members"], 1))
    text = content.catalog.text(
        language_of(snap, content),
        "groups.attendance",
        snap.person.channel,
        when=data["when"],
        members=listed,
    )
    return Message(f"{lead}\n{text}" if lead else text, (), "groups.attendance")


def prompt(snap: Snapshot, content: Content, conv: ConversationState, lead: str | None):
    return (_question(snap, content, conv.data, lead),)


def handle(snap: Snapshot, content: Content, resumed: bool) -> Result:
    data = snap.conversation.data
    if snap.now >= datetime.fromisoformat(data["until"]):
        return Result(ConversationState(), (say(snap, content, "groups.closed"),))
    members = data["members"]
    text = snap.input.text if snap.input.kind == "text" else None
    ticked = read_ticks(text, len(members), content.lexicon)
    if ticked is None:
        return ask_again(snap, content, prompt, "groups.attendance.again")
    present = tuple(members[n - 1][0] for n in sorted(ticked))
    done = say(snap, content, "groups.attendance.done", count=len(present), of=len(members))
    return Result(ConversationState(), (done,), (RecordAttendance(data["meeting"], present),))
