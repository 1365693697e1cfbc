"""Consent state: one decision per purpose, the latest one in force. The one place that says
so, for one person, for many at once, and as SQL."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import and_, exists, not_, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session

from bot.bulk import select_many
from bot.models import Consent, Person


def consents_of(session: Session, person_id: int) -> dict[str, bool]:
    return consents_of_many(session, [person_id]).get(person_id, {})


def consents_of_many(session: Session, person_ids: Iterable[int]) -> dict[int, dict[str, bool]]:
    ids = sorted(set(person_ids))
    found: dict[int, dict[str, bool]] = {}
    if not ids:
        return found
    rows = select_many(
        session.connection(),
        (Consent.person_id, Consent.purpose, Consent.granted),
        Consent.person_id,
        ids,
        order=(Consent.at, Consent.id),
    )
    for person_id, purpose, granted in rows:
        found.setdefault(person_id, {})[purpose] = granted
    return found


def granted_sql(purpose: str):
    """SQL: the person's decision in force for `purpose` is a yes (no later row says no)."""
    later = aliased(Consent)
    newer = exists().where(
        later.person_id == Consent.person_id,
        later.purpose == Consent.purpose,
        or_(later.at > Consent.at, and_(later.at == Consent.at, later.id > Consent.id)),
    )
    return exists().where(
        Consent.person_id == Person.id,
        Consent.purpose == purpose,
        Consent.granted.is_(True),
        not_(newer),
    )


def record_consent(
    session: Session,
    person_id: int,
    purpose: str,
    granted: bool,
    version: str,
    channel: str,
    now: datetime,
) -> None:
    session.add(
        Consent(
            person_id=person_id,
            purpose=purpose,
            version=version,
            granted=granted,
            channel=channel,
            at=now,
        )
    )


def record_consents(
    session: Session,
    person_id: int,
    decisions: list[tuple[str, bool]],
    version: str,
    channel: str,
    now: datetime,
) -> None:
    """Decisions (purpose, granted) taken outside a flow: enrolment with staff, demo data."""
    for purpose, granted in decisions:
        record_consent(session, person_id, purpose, granted, version, channel, now)
