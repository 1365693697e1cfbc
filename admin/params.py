"""Reading numbers that staff (or a crafted link) put in forms and addresses."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

from bot.db import MAX_ID, parse_id

Id = Annotated[int, Path(ge=1, le=MAX_ID)]

__all__ = ["MAX_ID", "Id", "parse_id"]
