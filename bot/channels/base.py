"""The shapes every channel speaks: one Inbound event in, one outbound message out."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, Protocol

InboundKind = Literal["text", "choice", "media", "unsupported", "blocked", "unblocked", "edited"]


# A surrogate code point alone: JSON may carry one ("\ud800"), UTF-8 and the database cannot.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(text: str | None) -> str | None:
    """Text as it can be stored: a lone surrogate becomes the replacement character."""
    return _LONE_SURROGATE.sub("\ufffd", text) if text else text


@dataclass(frozen=True)
class InboundEvent:
    channel: str
    provider_id: str
    address: str
    kind: InboundKind
    text: str | None = None
    choice: str | None = None
    provider_keyword: str | None = None
    # The sender's public name on the channel (a Telegram username), when they have one:
    # what a mentor and mentee may share once both agree.
    handle: str | None = None

    def __post_init__(self) -> None:
        # Whatever the channel, nothing unstorable reaches the inbox.
        for name in ("provider_id", "address", "text", "choice", "handle"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, clean_text(value))


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
