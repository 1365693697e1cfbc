"""Shortcuts every flow uses: the person's language and channel, and catalog messages."""

from __future__ import annotations

from flows.content import Content
from flows.survey.flow import Ctx
from flows.types import Message, Snapshot


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
