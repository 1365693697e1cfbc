"""Asking to join a peer group from MENU: noted for staff, who invite them to a group that is
forming near them."""

from __future__ import annotations

from flows.content import Content
from flows.context import say
from flows.groups.effects import AskToJoinGroup
from flows.types import ConversationState, Result, Snapshot


def start(snap: Snapshot, content: Content) -> Result:
    return Result(
        ConversationState(), (say(snap, content, "groups.join.done"),), (AskToJoinGroup(),)
    )
