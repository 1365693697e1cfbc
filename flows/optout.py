"""Opt-out in people's own words, and the one question asked when it is not clear.

STOP and its keywords (content/words/) are read first, by flows/keywords.py. A sentence that
asks to stop the messages ("please stop texting me", "je ne veux plus recevoir vos
messages") is read here, with patterns per language in content/optout/ over the same
machinery as cries for help: `clear` opts out at once with one confirmation; `unclear` ("I
don't want this", "stop please" inside a longer sentence) asks once, Yes first. No goes
back to where the person was; anything else is read as an answer to that.
"""

from __future__ import annotations

from enum import StrEnum

from flows.content import Content
from flows.context import yes_no_answer, yes_no_question
from flows.distress.detect import ALERT, REVIEW
from flows.types import ConversationState, Message, Snapshot

NAME = "stop_question"
QUESTION = "optout.ask"


class Intent(StrEnum):
    CLEAR = "clear"
    UNCLEAR = "unclear"


# content/optout/ names its tiers for what they mean here; the matcher knows two.
TIERS = {Intent.CLEAR.value: ALERT, Intent.UNCLEAR.value: REVIEW}


def read_intent(snap: Snapshot, content: Content) -> Intent | None:
    """Whether this text message asks to stop the messages."""
    inp = snap.input
    if inp.kind != "text" or not inp.text:
        return None
    found = content.optout.detect(inp.text, snap.person.language)
    if found is None:
        return None
    return Intent.CLEAR if found.tier == ALERT else Intent.UNCLEAR


def ask(snap: Snapshot, content: Content, resume: dict | None) -> tuple[ConversationState, Message]:
    """The question, remembering where the person was."""
    return ConversationState(NAME, "ask", {"resume": resume}), yes_no_question(
        snap, content, QUESTION
    )


# Yes (stop), No (carry on), or None for anything else.
answer = yes_no_answer
