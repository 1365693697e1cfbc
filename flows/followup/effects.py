"""Effects of the follow-up flows: a finished instrument, a prompt answered, an outcome."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flows.types import Effect


@dataclass(frozen=True)
class RecordResponse(Effect):
    """A finished instrument. Anonymous: stored with no link to the person or the prompt."""

    prompt_id: int | None
    instrument: str
    version: int
    wave: str | None
    answers: dict[str, Any]
    items: dict[str, float]
    dimensions: dict[str, float]
    composite: float | None
    anonymous: bool = False


@dataclass(frozen=True)
class PromptAnswered(Effect):
    prompt_id: int


@dataclass(frozen=True)
class SetOutcome(Effect):
    """How the person's time in the programme ended (completed, remigrated, left_programme)."""

    outcome: str
