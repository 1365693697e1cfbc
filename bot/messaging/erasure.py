"""Erasing a person's messages: what they wrote and where from, and what was sent to them."""

from __future__ import annotations

from sqlalchemy import delete, update

from bot.casework.erasure import ERASED, Eraser, ErasureContext
from bot.models import Inbound, Outbound, RateBudget
from flows.vocabulary import UNDER_WAY, OutboundStatus


def _erase_inbound(ctx: ErasureContext) -> None:
    """Including rows stored but never linked to them (a crash before processing, a message
    that failed to process): found by their addresses."""
    scrub = {"text": None, "choice": None, "handle": None, "address": ERASED, "error": None}
    session = ctx.session
    session.execute(update(Inbound).where(Inbound.person_id == ctx.person_id).values(**scrub))
    for contact in ctx.contacts:
        session.execute(
            update(Inbound)
            .where(Inbound.channel == contact.channel, Inbound.address == contact.address)
            .values(**scrub)
        )


def _erase_outbound(ctx: ErasureContext) -> None:
    session = ctx.session
    session.execute(
        update(Outbound)
        # Claimed rows too: the sender checks again right before the provider call.
        .where(Outbound.person_id == ctx.person_id, Outbound.status.in_(UNDER_WAY))
        .values(body="", choices=[], error=None, status=OutboundStatus.CANCELLED)
    )
    session.execute(
        update(Outbound)
        .where(Outbound.person_id == ctx.person_id)
        .values(body="", choices=[], error=None)
    )
    if ctx.contact_ids:
        # Also what went to their number before a person row existed.
        session.execute(
            update(Outbound)
            .where(Outbound.contact_id.in_(ctx.contact_ids))
            .values(body="", choices=[], error=None)
        )


def _erase_rate_buckets(ctx: ErasureContext) -> None:
    """A per-chat rate bucket is named by the address (it is forgotten after an hour idle
    anyway): gone with the person."""
    keys = [f"{contact.channel}_chat:{contact.address}" for contact in ctx.contacts]
    if keys:
        ctx.session.execute(delete(RateBudget).where(RateBudget.key.in_(keys)))


ERASERS = (
    Eraser("inbound messages", frozenset({("inbound", "person_id")}), _erase_inbound),
    Eraser(
        "outbound messages",
        frozenset({("outbound", "person_id"), ("outbound", "contact_id")}),
        _erase_outbound,
    ),
    Eraser("rate buckets", frozenset(), _erase_rate_buckets),
)
