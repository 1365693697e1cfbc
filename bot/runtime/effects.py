"""The effect registry: each domain registers the handlers of its own effect types next to
its own code (a `register(effects)` function in bot/<domain>/effects.py); the composition
root (bot/services.py) calls them. Applying an effect nobody handles fails loudly."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.models import Contact, Conversation, Inbound, Person
from flows.content import Content
from flows.types import Effect


@dataclass
class EffectContext:
    """What a handler may touch: the open transaction and the rows of this step."""

    session: Session
    person: Person
    contact: Contact
    conversation: Conversation
    content: Content
    now: datetime
    inbound: Inbound | None = None  # None when the step was started by the scheduler


Handler = Callable[[EffectContext, Effect], None]


class UnknownEffect(TypeError):
    """A flow returned an effect no domain registered a handler for."""


class EffectRegistry:
    def __init__(self) -> None:
        self._handlers: dict[type[Effect], list[Handler]] = {}

    def add(self, kind: type[Effect], handler: Handler) -> None:
        """Several domains may act on one effect (Activate: status, facilitator, plan), in
        the order they registered."""
        if not (isinstance(kind, type) and issubclass(kind, Effect)):
            raise TypeError(f"{kind!r} is not an Effect type")
        self._handlers.setdefault(kind, []).append(handler)

    def handles(self, kind: type[Effect]) -> bool:
        return kind in self._handlers

    def apply(self, context: EffectContext, effect: Effect) -> None:
        handlers = self._handlers.get(type(effect))
        if not handlers:
            raise UnknownEffect(f"no handler registered for effect {effect!r}")
        for handler in handlers:
            handler(context, effect)
