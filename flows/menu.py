"""MENU: what the person can do now. Remembers where they were so "continue" resumes it."""

from __future__ import annotations

from flows.anonymous_cry import NAME as ANONYMOUS_CRY
from flows.choices import Option, match_choice
from flows.content import Content
from flows.context import language_of
from flows.optout import NAME as STOP_QUESTION
from flows.types import Choice, ConversationState, Message, Snapshot

NAME = "menu"


def items(resume: dict | None, snap: Snapshot | None = None) -> tuple[str, ...]:
    base = ("language", "help", "agent", "stop")
    if snap is not None and _may_ask_for_mentor(snap):
        base = (*base, "mentor")  # last: the numbers people know stay as they were
    if snap is not None and snap.person.status == "active":
        base = (*base, "group")  # join a peer-support group
    return ("continue", *base) if resume and resume.get("flow") else base


def _may_ask_for_mentor(snap: Snapshot) -> bool:
    """Enrolled people who are not volunteers themselves may ask for a mentor."""
    return snap.person.status == "active" and snap.person.profile.get("role") != "mentor"


def menu_message(snap: Snapshot, content: Content, resume: dict | None) -> Message:
    language = language_of(snap, content)
    catalog = content.catalog
    choices = tuple(
        Choice(item, catalog.text(language, f"menu.{item}")) for item in items(resume, snap)
    )
    return Message(
        catalog.text(language, "menu.title", snap.person.channel), choices, key="menu.title"
    )


def open_menu(snap: Snapshot, content: Content) -> tuple[ConversationState, Message]:
    """Opening the menu keeps the interrupted conversation to come back to."""
    resume = resume_point(snap.conversation)
    state = ConversationState(NAME, "choose", {"resume": resume, "reasks": 0})
    return state, menu_message(snap, content, resume)


def resume_point(conv: ConversationState) -> dict | None:
    if conv.flow in (None, NAME, "language", STOP_QUESTION, ANONYMOUS_CRY):
        return conv.data.get("resume") if conv.flow else None
    return {"flow": conv.flow, "step": conv.step, "data": conv.data}


def parse_item(snap: Snapshot, content: Content) -> str | None:
    resume = snap.conversation.data.get("resume")
    allowed = items(resume, snap)
    inp = snap.input
    if inp.kind == "choice":
        return inp.choice if inp.choice in allowed else None
    if inp.kind != "text" or not inp.text:
        return None
    options = [Option(item, content.catalog.all_labels(f"menu.{item}")) for item in allowed]
    return match_choice(inp.text, options, content.lexicon)


def restore(resume: dict | None) -> ConversationState:
    if not resume:
        return ConversationState()
    return ConversationState(resume["flow"], resume["step"], resume["data"])
