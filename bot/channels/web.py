"""The web simulator (and `homecoming chat`): no provider; the page reads the outbox."""

from __future__ import annotations

from bot.channels.base import OutboundMessage, SendOutcome

NAME = "web"


class WebChannel:
    name = NAME

    def rate_key(self, address: str) -> str | None:
        return None

    def cost(self, message: OutboundMessage) -> float:
        return 0.0

    async def send(self, message: OutboundMessage) -> SendOutcome:
        # The simulator page polls the outbox; handing over is delivery.
        return SendOutcome(provider_id=f"web-{message.reference}", delivered=True)
