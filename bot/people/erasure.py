"""Erasing a person's contacts, consents and conversation (the person row itself is the
tombstone bot/casework/erasure.py writes last)."""

from __future__ import annotations

from sqlalchemy import delete, update

from bot.casework.erasure import ERASED, Eraser, ErasureContext
from bot.models import Consent, Contact, Conversation


def _erase_contacts(ctx: ErasureContext) -> None:
    """The number or chat id replaced by a placeholder, stopped: a new message from the same
    number starts afresh as someone new."""
    for contact_id in ctx.contact_ids:
        ctx.session.execute(
            update(Contact)
            .where(Contact.id == contact_id)
            .values(
                address=f"{ERASED}:{contact_id}",
                handle=None,
                stopped=True,
                stopped_at=ctx.now,
                stopped_reason=ERASED,
                comeback_hint_at=None,
                last_inbound_at=None,
            )
        )


def _erase_conversation(ctx: ErasureContext) -> None:
    """Its state can hold answers in progress."""
    ctx.session.execute(
        update(Conversation)
        .where(Conversation.person_id == ctx.person_id)
        .values(flow=None, step=None, state={}, updated_at=ctx.now)
    )


def _erase_consents(ctx: ErasureContext) -> None:
    ctx.session.execute(delete(Consent).where(Consent.person_id == ctx.person_id))


ERASERS = (
    Eraser("conversation", frozenset({("conversation", "person_id")}), _erase_conversation),
    Eraser("consents", frozenset({("consent", "person_id")}), _erase_consents),
    # Last: the others find rows by these addresses.
    Eraser("contacts", frozenset({("contact", "person_id")}), _erase_contacts),
)
