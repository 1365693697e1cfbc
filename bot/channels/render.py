"""Rendering a channel-neutral message for text-only channels."""

from __future__ import annotations

RLM = "\u200f"  # right-to-left mark: makes Telegram lay out Arabic from the right


def sms_text(text: str, choices: tuple[tuple[str, str], ...] | list[tuple[str, str]]) -> str:
    """Each choice on its own line, starting with its number: "1 English"."""
    lines = [text] + [f"{number} {label}" for number, (_, label) in enumerate(choices, start=1)]
    return "\n".join(lines)
