"""People and their contacts: finding or creating them, and what flows may see of them."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.models import AuditLog, Consent, Contact, Conversation, Person
from flows.content import Content
from flows.types import PersonView

# Profile columns a flow may fill (SetProfile); anything else is refused.
PROFILE_FIELDS = frozenset(
    {
        "display_name",
        "role",
        "district",
        "district_other",
        "return_date",
        "return_date_precision",
        "gender",
        "age_band",
        "sector",
        "sector_other",
        "interests",
        "preferred_time",
        "timezone",
    }
)


def find_contact(session: Session, channel: str, address: str) -> Contact | None:
    statement = select(Contact).where(Contact.channel == channel, Contact.address == address)
    return session.exec(statement).first()


def contact_for(session: Session, channel: str, address: str, now: datetime) -> Contact:
    """The contact for this address; someone new gets a bare person row (no profile yet)."""
    contact = find_contact(session, channel, address)
    if contact is not None:
        return contact
    try:
        with session.begin_nested():
            person = Person(created_at=now, updated_at=now)
            session.add(person)
            session.flush()
            contact = Contact(person_id=person.id, channel=channel, address=address, created_at=now)
            session.add(contact)
            session.flush()
            session.add(Conversation(person_id=person.id, updated_at=now))
            session.flush()
    except IntegrityError:
        # Another worker created it a moment ago.
        contact = find_contact(session, channel, address)
        if contact is None:
            raise
    return contact


def conversation_for(session: Session, person_id: int, lock: bool) -> Conversation:
    statement = select(Conversation).where(Conversation.person_id == person_id)
    if lock:
        statement = statement.with_for_update()
    return session.exec(statement).one()


def consents_of(session: Session, person_id: int) -> dict[str, bool]:
    """The decision in force per purpose: the latest row wins."""
    rows = session.exec(
        select(Consent).where(Consent.person_id == person_id).order_by(Consent.at, Consent.id)
    ).all()
    return {row.purpose: row.granted for row in rows}


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


def timezone_of(person: Person, content: Content) -> str:
    """The person's timezone, else the programme's; an unknown name falls back to UTC."""
    name = person.timezone or content.programme.get("default_timezone", "UTC")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return name


def local_today(person: Person, content: Content, now: datetime) -> date:
    return now.astimezone(ZoneInfo(timezone_of(person, content))).date()


def preferred_contact(session: Session, person_id: int) -> Contact | None:
    """Where to write first: the working contact they last wrote from."""
    contacts = session.exec(select(Contact).where(Contact.person_id == person_id)).all()
    working = [c for c in contacts if not c.stopped]
    if not working:
        return None
    return max(
        working,
        key=lambda c: (c.last_inbound_at is not None, c.last_inbound_at or c.created_at, c.id),
    )


def person_view(
    session: Session, person: Person, contact: Contact, consents: dict[str, bool] | None = None
) -> PersonView:
    profile = {name: getattr(person, name) for name in sorted(PROFILE_FIELDS)}
    return PersonView(
        id=person.id,
        status=person.status,
        language=person.language,
        channel=contact.channel,
        profile=profile,
        consents=consents if consents is not None else consents_of(session, person.id),
        opted_out=person.opted_out_at is not None,
        comeback_hint_at=contact.comeback_hint_at,
    )


def audit(
    session: Session, actor: str, action: str, person_id: int | None, now: datetime, **details
) -> None:
    session.add(AuditLog(at=now, actor=actor, action=action, person_id=person_id, details=details))
