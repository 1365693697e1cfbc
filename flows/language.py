"""Choosing a language: the very first question, and what LANG asks at any time."""

from __future__ import annotations

from flows.choices import Option, match_choice
from flows.content import Content
from flows.types import Choice, Input, Message

MAX_REASKS = 2


def language_message(content: Content) -> Message:
    """Asked before we know the language, so it speaks every shipped one."""
    catalog = content.catalog
    lines = [catalog.text(lang, "language.choose") for lang in content.languages]
    choices = tuple(Choice(lang, catalog.text(lang, "language.name")) for lang in content.languages)
    return Message("\n".join(lines), choices, key="language.choose")


def parse_language(inp: Input, content: Content) -> str | None:
    if inp.kind == "choice":
        return inp.choice if inp.choice in content.languages else None
    if inp.kind != "text" or not inp.text:
        return None
    options = [
        Option(
            lang,
            (lang, content.catalog.text(lang, "language.name"))
            + content.catalog.all_labels(f"option.language.{lang}"),
        )
        for lang in content.languages
    ]
    return match_choice(inp.text, options, content.lexicon)
