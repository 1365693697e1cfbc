"""Column helpers every table family uses: UTC datetimes and JSON columns."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field

from bot.timeutil import UTCDateTime


def _utc(**kwargs: Any) -> Any:
    nullable = kwargs.pop("nullable", True)
    index = kwargs.pop("index", False)
    return Field(sa_type=UTCDateTime, nullable=nullable, index=index, **kwargs)


def _json(default_factory) -> Any:
    # The column's own default too: a Core insert (a new person in one statement) gets the
    # same empty value as a model built in Python.
    return Field(
        default_factory=default_factory,
        sa_column=Column(JSON, nullable=False, default=lambda: default_factory()),
    )


def new_public_id() -> str:
    return uuid.uuid4().hex
