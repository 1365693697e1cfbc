"""Reading numbers that staff (or a crafted link) put in forms and addresses."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

# Ids are integers the databases store in 32 bits; anything longer is not one of ours.
MAX_ID = 2**31 - 1
Id = Annotated[int, Path(ge=1, le=MAX_ID)]


def parse_id(raw: object) -> int | None:
    """An id from a form or query: ASCII digits only ("²" and "٣" are digits to Python, not
    to a database), within range; None for anything else."""
    text = str(raw or "").strip()
    if not text or len(text) > 10 or not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None
