"""`homecoming chat`: the simulator in a terminal, through the real inbox and outbox."""

from __future__ import annotations

import asyncio
import uuid
from typing import TextIO

from sqlalchemy import select

from bot.channels.base import InboundEvent
from bot.channels.render import sms_text
from bot.channels.web import NAME as WEB
from bot.channels.web import delivered_since
from bot.db import transaction
from bot.messaging.inbox import store
from bot.models import Contact, Outbound
from bot.services import Services


async def run_chat(services: Services, who: str, stdin: TextIO, stdout: TextIO) -> int:
    address = f"cli-{who}"[:64]
    last = _last_id(services, address)
    stdout.write("Talk to Homecoming. Type a message and press Enter; Ctrl-D to leave.\n")
    stdout.flush()
    while True:
        stdout.write("> ")
        stdout.flush()
        line = await asyncio.to_thread(stdin.readline)
        if not line:
            stdout.write("\n")
            return 0
        text = line.strip()
        if not text:
            continue
        event = InboundEvent(WEB, uuid.uuid4().hex, address, "text", text=text)
        await asyncio.to_thread(store, services.engine, event, services.clock())
        await asyncio.to_thread(services.inbox.process_pending)
        await services.sender.drain()
        for body in _replies(services, address, last):
            last = body[0]
            stdout.write(f"{body[1]}\n\n")
        stdout.flush()


def _last_id(services: Services, address: str) -> int:
    with transaction(services.engine) as session:
        contact = session.scalars(
            select(Contact).where(Contact.channel == WEB, Contact.address == address)
        ).first()
        if contact is None:
            return 0
        last = session.scalars(
            select(Outbound.id)
            .where(Outbound.contact_id == contact.id)
            .order_by(Outbound.id.desc())
        ).first()
        return last or 0


def _replies(services: Services, address: str, after: int) -> list[tuple[int, str]]:
    """Rendered like an SMS: a terminal has no buttons either."""
    return [
        (row.id, sms_text(row.body, [(c["value"], c["label"]) for c in row.choices]))
        for row in delivered_since(services.engine, address, after)
    ]
