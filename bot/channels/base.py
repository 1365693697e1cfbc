"""The shapes every channel speaks: one Inbound event in, one outbound message out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

InboundKind = Literal["text", "choice", "media", "unsupported", "blocked", "unblocked", "edited"]


@dataclass(frozen=True)
class InboundEvent:
    channel: str
    provider_id: str
    address: str
    kind: InboundKind
    text: str | None = None
    choice: str | None = None
    provider_keyword: str | None = None


@dataclass(frozen=True)
class OutboundMessage:
    address: str
    text: str
    choices: tuple[tuple[str, str], ...]  # (value, label)
    rtl: bool = False
    reference: int | None = None  # our outbox row id, for status callbacks


@dataclass(frozen=True)
class SendOutcome:
    provider_id: str
    segments: int | None = None
    delivered: bool = False  # the channel has no later delivery report (simulator)


class SendError(Exception):
    """A failed send, already classified by the provider error table."""

    def __init__(
        self,
        kind: Literal["retry", "permanent", "blocked", "opted_out", "unreachable"],
        code: str,
        detail: str,
        retry_after: float | None = None,
    ):
        super().__init__(f"{kind} {code}: {detail}")
        self.kind = kind
        self.code = code
        self.detail = detail
        self.retry_after = retry_after


class Channel(Protocol):
    name: str

    async def send(self, message: OutboundMessage) -> SendOutcome: ...

    def rate_key(self, address: str) -> str | None:
        """Per-recipient rate-limit key, if the provider limits per chat."""
        ...

    def cost(self, message: OutboundMessage) -> float:
        """Units the per-sender rate limit counts (messages, or SMS segments)."""
        ...
