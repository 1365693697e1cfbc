"""A stored option value (`woman`, `25_34`) in the staff member's words.

Staff words come first where the bot's are the person's own ("A woman", "I came back home
recently"); otherwise the label the bot offered, in the staff member's language."""

from __future__ import annotations

from collections.abc import Callable

from flows.content import Content


def staff_label(
    t: Callable[..., str], content: Content, language: str, option_set: str, value: str | None
) -> str:
    if value is None or value == "":
        return "—"
    key = f"staff.option.{option_set}.{value}"
    staff_words = t(key)
    if staff_words != key:
        return staff_words
    if value in content.option_sets.get(option_set, ()):
        return content.label(language if language in content.languages else "en", option_set, value)
    return str(value)
