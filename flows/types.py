"""What a flow step sees and what it returns. Flows decide; the runtime does."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

InputKind = Literal["text", "choice", "start", "media", "unsupported", "prompt"]


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


# Effects: what the runtime must apply, in the same transaction as the new state.


@dataclass(frozen=True)
class SetLanguage:
    language: str


@dataclass(frozen=True)
class SetProfile:
    fields: dict[str, Any]


@dataclass(frozen=True)
class RecordConsent:
    purpose: str
    version: str
    granted: bool


@dataclass(frozen=True)
class Activate:
    """Onboarding finished: the person is enrolled."""


@dataclass(frozen=True)
class Decline:
    """Consent refused: keep nothing but the opt-out."""


@dataclass(frozen=True)
class OptOut:
    reason: str  # "keyword" or "provider"


@dataclass(frozen=True)
class OptIn:
    pass


@dataclass(frozen=True)
class NoteComebackHint:
    """We told an opted-out person how to come back; not again today."""


@dataclass(frozen=True)
class HandToStaff:
    """A person should read this: unhandled input or a request to talk to someone."""

    reason: str


@dataclass(frozen=True)
class RaiseAlert:
    """Someone must act: the person's facilitator gets an alert with a severity and due time."""

    reason: str
    severity: str
    detail: str | None = None


@dataclass(frozen=True)
class RecordResponse:
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
class PromptAnswered:
    prompt_id: int


@dataclass(frozen=True)
class ForgetInput:
    """Keep no trace of what was just said (an anonymous answer)."""


@dataclass(frozen=True)
class SetOutcome:
    """How the person's time in the programme ended (completed, remigrated, left_programme)."""

    outcome: str


Effect = (
    SetLanguage
    | SetProfile
    | RecordConsent
    | Activate
    | Decline
    | OptOut
    | OptIn
    | NoteComebackHint
    | HandToStaff
    | RaiseAlert
    | RecordResponse
    | PromptAnswered
    | ForgetInput
    | SetOutcome
)


@dataclass(frozen=True)
class Result:
    conversation: ConversationState
    messages: tuple[Message, ...] = ()
    effects: tuple[Effect, ...] = ()
