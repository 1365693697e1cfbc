"""Shortcuts every flow uses: the person's language and channel, and catalog messages."""

from __future__ import annotations

from flows.choices import parse_yes_no
from flows.content import Content
from flows.survey.flow import Ctx
from flows.types import Choice, Message, Snapshot


def spoken_language(language: str | None, content: Content) -> str:
    """The person's language, or the programme's when they have not chosen one."""
    return language or content.default_language


def language_of(snap: Snapshot, content: Content) -> str:
    return spoken_language(snap.person.language, content)


def ctx_for(snap: Snapshot, content: Content) -> Ctx:
    return Ctx(content, language_of(snap, content), snap.person.channel, snap.today)


def say(snap: Snapshot, content: Content, key: str, **values) -> Message:
    text = content.catalog.text(language_of(snap, content), key, snap.person.channel, **values)
    return Message(text=text, key=key)


def yes_no_choices(snap: Snapshot, content: Content) -> tuple[Choice, ...]:
    """Yes / No, Yes first (numbered 1 and 2 on SMS)."""
    language = language_of(snap, content)
    return tuple(Choice(v, content.label(language, "yesno", v)) for v in ("yes", "no"))


def yes_no_question(snap: Snapshot, content: Content, key: str, **values) -> Message:
    """A catalog message asked as Yes / No, Yes first (numbered 1 and 2 on SMS)."""
    text = content.catalog.text(language_of(snap, content), key, snap.person.channel, **values)
    return Message(text, yes_no_choices(snap, content), key)


def yes_no_answer(snap: Snapshot, content: Content) -> bool | None:
    """The answer to a `yes_no_question`: a button, 1 or 2, or a yes or no word; else None."""
    inp = snap.input
    if inp.kind == "choice":
        return {"yes": True, "no": False}.get(inp.choice or "")
    return parse_yes_no(inp.text, content.lexicon, numbered=True) if inp.kind == "text" else None
