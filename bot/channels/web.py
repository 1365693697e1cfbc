"""The web simulator (and `homecoming chat`): no provider; the page reads the outbox."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.channels.base import OutboundMessage, SendOutcome
from bot.db import transaction
from bot.models import Contact, Outbound

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


def delivered_since(engine: Engine, address: str, after: int) -> list[Outbound]:
    """What the bot said to this simulator address after message `after`, in order."""
    with transaction(engine) as session:
        contact = session.scalars(
            select(Contact).where(Contact.channel == NAME, Contact.address == address)
        ).first()
        if contact is None:
            return []
        rows = session.scalars(
            select(Outbound)
            .where(
                Outbound.contact_id == contact.id,
                Outbound.id > after,
                Outbound.status == "delivered",
            )
            .order_by(Outbound.id)
        ).all()
        session.expunge_all()
        return list(rows)
