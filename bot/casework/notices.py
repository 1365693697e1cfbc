"""Notices to staff about alerts, through the outbox like everything else.

- A new high alert: its owner gets a short, discreet notice at once on every contact they
  linked (bot/casework/staff_links.py). Discreet: a case number and a link, never the
  person's name, words or reason; a phone left on a desk tells nobody anything.
- An alert still open at its due time: the programme's safeguarding lead is told, one
  notice per round however many fell due together.

The alert row is the work: `owner_noticed_at` and `escalated_at` say what was done, so a
crash between raising an alert and telling someone loses nothing, and nothing goes twice.
Runs right after the inbox and follow-up work (at once) and on a tick (the safety net, and
the due times).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.audit import SYSTEM, audit
from bot.casework.alerts import safeguarding_lead
from bot.casework.staff_links import linked_contacts, notify
from bot.db import transaction
from bot.models import Alert, Staff
from bot.timeutil import Clock
from flows.content import Content

NEW_ALERT = "staff.alert_notice"
OVERDUE = "staff.alert_overdue"
OVERDUE_MANY = "staff.alerts_overdue"
BATCH = 200


class AlertNotices:
    def __init__(self, engine: Engine, content: Content, clock: Clock, admin_url: str):
        self.engine = engine
        self.content = content
        self.clock = clock
        self.admin_url = admin_url.rstrip("/")

    def tick(self) -> int:
        """Notices written this round (rows in the outbox)."""
        now = self.clock()
        with transaction(self.engine) as session:
            return self.new_high_alerts(session, now) + self.overdue(session, now)

    def new_high_alerts(self, session: Session, now: datetime) -> int:
        alerts = session.exec(
            select(Alert)
            .where(
                Alert.status == "open",
                Alert.severity == "high",
                Alert.owner_noticed_at.is_(None),
            )
            .order_by(Alert.id)
            .limit(BATCH)
            .with_for_update(skip_locked=True)
        ).all()
        written = 0
        for alert in alerts:
            alert.owner_noticed_at = now
            owner = session.get(Staff, alert.owner_id) if alert.owner_id else None
            sent = self._notify(
                session, owner, NEW_ALERT, now, case=alert.id, link=self._link(alert)
            )
            audit(
                session,
                SYSTEM,
                "alert.noticed",
                alert.person_id,
                now,
                alert_id=alert.id,
                owner=alert.owner_id,
                contacts=sent,
            )
            written += sent
        return written

    def overdue(self, session: Session, now: datetime) -> int:
        alerts = session.exec(
            select(Alert)
            .where(Alert.status == "open", Alert.due_at <= now, Alert.escalated_at.is_(None))
            .order_by(Alert.due_at, Alert.id)
            .limit(BATCH)
            .with_for_update(skip_locked=True)
        ).all()
        if not alerts:
            return 0
        lead_id = safeguarding_lead(session, self.content.programme)
        lead = session.get(Staff, lead_id) if lead_id is not None else None
        for alert in alerts:
            alert.escalated_at = now
        if len(alerts) == 1:
            [alert] = alerts
            sent = self._notify(session, lead, OVERDUE, now, case=alert.id, link=self._link(alert))
        else:
            link = f"{self.admin_url}/admin/alerts"
            sent = self._notify(session, lead, OVERDUE_MANY, now, count=len(alerts), link=link)
        for alert in alerts:
            audit(
                session,
                SYSTEM,
                "alert.escalated",
                alert.person_id,
                now,
                alert_id=alert.id,
                lead=lead_id,
                contacts=sent,
            )
        return sent

    def _link(self, alert: Alert) -> str:
        return f"{self.admin_url}/admin/alerts/{alert.id}"

    def _notify(
        self, session: Session, staff: Staff | None, key: str, now: datetime, **values
    ) -> int:
        if staff is None or not staff.active:
            return 0
        contacts = linked_contacts(session, staff.id)
        for contact in contacts:
            notify(session, contact, staff, self.content, key, now, **values)
        return len(contacts)
