"""Delivery reports from providers: move an outbound row forward, never back."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.casework.alerts import note_undelivered
from bot.channels.errors import TWILIO_FINAL_FAILURES, TWILIO_PROGRESS, TWILIO_UNDELIVERABLE
from bot.db import transaction
from bot.messaging.optout import mark_undeliverable
from bot.models import Outbound

log = logging.getLogger(__name__)


def record_status(
    engine: Engine, provider_id: str, status: str, error_code: int | None, now: datetime
) -> bool:
    status = status.lower()
    with transaction(engine) as session:
        row = session.scalars(select(Outbound).where(Outbound.provider_id == provider_id)).first()
        if row is None:
            log.info("status %s for unknown message %s; ignored", status, provider_id)
            return False
        if status in TWILIO_FINAL_FAILURES:
            if row.status in ("delivered", "read") or row.status in TWILIO_FINAL_FAILURES:
                # Reports can arrive out of order: the handset had it, or the first final
                # report stands. A status never moves back.
                log.info("status %s for outbound %s, already %s; ignored", status, row.id,
                         row.status)  # fmt: skip
                return True
            row.status = status
            row.error_code = f"twilio:{error_code}" if error_code else row.error_code
            reason = TWILIO_UNDELIVERABLE.get(error_code or 0)
            if reason is not None:
                mark_undeliverable(session, row, reason, now)
            note_undelivered(session, row, row.error_code, now)
            return True
        if status not in TWILIO_PROGRESS:
            return False
        current = TWILIO_PROGRESS.get(row.status, 0)
        if row.status in TWILIO_FINAL_FAILURES or TWILIO_PROGRESS[status] <= current:
            return True
        row.status = "delivered" if TWILIO_PROGRESS[status] >= 4 else "sent"
        if row.status == "delivered":
            row.delivered_at = now
        return True
