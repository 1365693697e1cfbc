"""A member answering the group's facilitator: after an announcement or a check-in, what
they write next goes to the facilitator's inbox (the facilitator answers from there; no
member ever sees another's number). After a few days it is an ordinary message again."""

from __future__ import annotations

from datetime import datetime

from flows.content import Content
from flows.context import say
from flows.groups.effects import ReplyToGroup
from flows.types import ConversationState, HandToStaff, Result, Snapshot

NAME = "groups.reply"


def listen(group_id: int, until: datetime) -> ConversationState:
    return ConversationState(NAME, "listening", {"group": group_id, "until": until.isoformat()})


def prompt(snap: Snapshot, content: Content, conv: ConversationState, lead: str | None):
    return (say(snap, content, "groups.reply.prompt"),)


def handle(snap: Snapshot, content: Content, resumed: bool) -> Result:
    data = snap.conversation.data
    media = snap.input.kind != "text"
    if snap.now >= datetime.fromisoformat(data["until"]):
        reason = "media" if media else "unhandled"
        return Result(
            ConversationState(),
            (say(snap, content, "common.passed_to_team"),),
            (HandToStaff(reason),),
        )
    return Result(
        ConversationState(),
        (say(snap, content, "groups.reply.thanks"),),
        (ReplyToGroup(data["group"]),),
    )
