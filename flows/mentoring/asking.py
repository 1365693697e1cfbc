"""What every mentoring question does with an answer it cannot read: asked again, twice,
with "Sorry, I did not understand" (or a more precise lead); then a person reads what they
wrote, so nothing they said is dropped."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from flows.content import Content
from flows.context import language_of, say
from flows.types import ConversationState, HandToStaff, Message, Result, Snapshot

MAX_REASKS = 2
Prompt = Callable[[Snapshot, Content, ConversationState, str | None], tuple[Message, ...]]


def ask_again(
    snap: Snapshot, content: Content, prompt: Prompt, key: str = "common.not_understood"
) -> Result:
    conv = snap.conversation
    reasks = int(conv.data.get("reasks", 0))
    if reasks >= MAX_REASKS:
        return Result(
            ConversationState(),
            (say(snap, content, "common.passed_to_team"),),
            (HandToStaff("unhandled"),),
        )
    state = replace(conv, data={**conv.data, "reasks": reasks + 1})
    lead = content.catalog.text(language_of(snap, content), key, snap.person.channel)
    return Result(state, prompt(snap, content, state, lead))
