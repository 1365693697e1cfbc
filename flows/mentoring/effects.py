"""Effects of the mentoring flows, applied by bot/mentoring/effects.py."""

from __future__ import annotations

from dataclasses import dataclass

from flows.types import Effect


@dataclass(frozen=True)
class AnswerPairing(Effect):
    """A mentor (role "mentor") or a mentee ("mentee") answered a pairing message. `reach`:
    how the other may reach them once both agree, as they consented to share it ("phone"
    for the number we write to, "telegram" for their Telegram name, or a number they typed)."""

    match_id: int
    role: str
    accepted: bool
    reach: str | None = None


@dataclass(frozen=True)
class RegisterMentor(Effect):
    """A volunteer's mentor profile from the chat: they are a mentor who applied."""

    capacity: int | None = None
    skills: tuple[str, ...] = ()
    abroad_in: str | None = None
    years_abroad: int | None = None
    languages: tuple[str, ...] = ()


@dataclass(frozen=True)
class RequestMentor(Effect):
    """They would like a mentor (from MENU), with whom they would prefer."""

    prefers_gender: str | None = None


@dataclass(frozen=True)
class RecordPulse(Effect):
    """A pulse, a contact log or an evaluation answered (flows/mentoring/pulse.py)."""

    match_id: int
    kind: str
    role: str
    month: int
    score: int | None
    comment: str | None = None
    outcome: str | None = None  # the mentee's choice at the end: continue, rematch, close
