"""What a flow step sees and what it returns. Flows decide; the runtime does."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

# "edited": an earlier message changed (Telegram); read for distress, not as an answer.
InputKind = Literal["text", "choice", "start", "media", "unsupported", "prompt", "edited"]


@dataclass(frozen=True)
class Choice:
    """One numbered option; `value` travels back as Telegram callback data (<= 64 bytes)."""

    value: str
    label: str


@dataclass(frozen=True)
class Message:
    """A channel-neutral message: text plus optional choices."""

    text: str
    choices: tuple[Choice, ...] = ()
    key: str | None = None  # catalog key, so transcripts and timelines can say what it was


@dataclass(frozen=True)
class Input:
    """What the person sent, already reduced to one shape by the channel."""

    kind: InputKind
    text: str | None = None
    choice: str | None = None  # a button's value
    # Twilio Advanced Opt-Out handled STOP/START/HELP already (OptOutType).
    provider_keyword: str | None = None
    # The last thing the programme sent them asked for a reply (a broadcast that said
    # "reply if you want to come"): what they write is that reply, for a person to read.
    replying_to_broadcast: bool = False


@dataclass(frozen=True)
class PersonView:
    """The person as flows may see them."""

    id: int | None
    status: str
    language: str | None
    channel: str
    profile: dict[str, Any] = field(default_factory=dict)
    consents: dict[str, bool] = field(default_factory=dict)
    opted_out: bool = False
    comeback_hint_at: datetime | None = None


@dataclass(frozen=True)
class ConversationState:
    flow: str | None = None
    step: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    updated_at: datetime | None = None

    @property
    def idle(self) -> bool:
        return self.flow is None


@dataclass(frozen=True)
class PromptView:
    """A scheduled prompt as the follow-up flow sees it."""

    id: int
    kind: str
    instrument: str | None = None
    message: str | None = None
    wave: str | None = None


@dataclass(frozen=True)
class Snapshot:
    person: PersonView
    conversation: ConversationState
    input: Input
    now: datetime  # aware UTC, from the runtime's clock
    today: date  # the person's local date


# Effects: what the runtime must apply, in the same transaction as the new state. Each is a
# frozen dataclass deriving from Effect; a domain's own effects live in flows/<domain>/
# and its handlers register in bot/<domain>/ (bot/runtime/effects.py holds the registry).


class Effect:
    """Something the runtime does for a flow step; data only."""

    __slots__ = ()


@dataclass(frozen=True)
class SetLanguage(Effect):
    language: str


@dataclass(frozen=True)
class SetProfile(Effect):
    fields: dict[str, Any]


@dataclass(frozen=True)
class RecordConsent(Effect):
    purpose: str
    version: str
    granted: bool


@dataclass(frozen=True)
class Activate(Effect):
    """Onboarding finished: the person is enrolled."""


@dataclass(frozen=True)
class Decline(Effect):
    """Consent refused: keep nothing but the opt-out."""


@dataclass(frozen=True)
class OptOut(Effect):
    reason: str  # "keyword", "provider", "sentence" (in their own words) or "asked" (yes to the question)


@dataclass(frozen=True)
class OptIn(Effect):
    pass


@dataclass(frozen=True)
class NoteComebackHint(Effect):
    """We told an opted-out person how to come back; not again today."""


@dataclass(frozen=True)
class HandToStaff(Effect):
    """A person should read this: unhandled input or a request to talk to someone."""

    reason: str


@dataclass(frozen=True)
class RaiseAlert(Effect):
    """Someone must act: the person's facilitator gets an alert with a severity and due time."""

    reason: str
    severity: str
    detail: str | None = None


@dataclass(frozen=True)
class RaiseAnonymousAlert(Effect):
    """Someone must act, but the person chose to stay anonymous: an alert with no person (the
    words only), for the safeguarding lead."""

    reason: str
    severity: str
    detail: str | None = None


@dataclass(frozen=True)
class FlagForReview(Effect):
    """Possibly a cry for help: the message goes to the top of the staff inbox, with a time by
    which a person must have read it (flows/distress/)."""

    reason: str
    detail: str | None = None


@dataclass(frozen=True)
class ForgetInput(Effect):
    """Keep no trace of what was just said (an anonymous answer)."""


@dataclass(frozen=True)
class Result:
    conversation: ConversationState
    messages: tuple[Message, ...] = ()
    effects: tuple[Effect, ...] = ()
