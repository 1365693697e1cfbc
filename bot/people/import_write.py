"""Writing checked import rows, a chunk at a time in a few bulk statements: the people, their
phone contact, their conversation, their consent as recorded elsewhere (with its date,
version and who took it), the follow-up plans of those enrolled; those without consent are
invited through the consent flow, in the daytime window. A row whose phone number is already
someone's is left as it is, so a file imported twice adds nothing the second time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time

from sqlalchemy import insert, select
from sqlmodel import Session

from bot.audit import audit
from bot.followup.plans import enrol_many
from bot.integrations import events
from bot.messaging.outbox import enqueue_many, step_values
from bot.models import Consent, Contact, Conversation, Person, Staff, new_public_id
from bot.people.assignment import facilitator_for_district
from bot.people.importing import CheckedRow
from flows import onboarding
from flows.content import Content
from flows.pacing import next_slot
from flows.types import ConversationState, Input, PersonView, Snapshot

PEOPLE = Person.__table__
IMPORT_CHANNEL = "import"  # consents recorded elsewhere, brought in by a file
PROFILE = ("display_name", "role", "district", "return_date", "gender", "age_band", "sector")


@dataclass
class Written:
    created: int = 0
    invited: int = 0
    existing: int = 0


def write_rows(
    session: Session, rows: list[CheckedRow], content: Content, staff: Staff | None,
    now: datetime, *, actor: str,
) -> Written:  # fmt: skip
    """The valid rows of one chunk (the caller commits)."""
    out = Written()
    rows = [r for r in rows if r.status == "new"]
    phones = [r.values["phone"] for r in rows if r.values.get("phone")]
    taken = set(
        session.scalars(
            select(Contact.address).where(Contact.channel == "sms", Contact.address.in_(phones))
        )
    ) if phones else set()  # fmt: skip
    fresh = []
    for row in rows:
        phone = row.values.get("phone")
        if (phone and phone in taken) or (not phone and _known(session, row)):
            row.status = "exists"
            out.existing += 1
        else:
            fresh.append(row)
    if not fresh:
        return out
    default_language = content.default_language
    districts: dict[str | None, int | None] = {}

    def facilitator(district):
        if staff is not None and staff.role == "facilitator":
            return staff.id
        if district not in districts:
            districts[district] = facilitator_for_district(session, district)
        return districts[district]

    people = []
    for row in fresh:
        v = row.values
        base = {"public_id": new_public_id(), "language": v.get("language") or default_language,
                "created_at": now, "updated_at": now, "vulnerabilities": [],
                "enrolled_by_staff": True}  # fmt: skip
        if row.consented:
            people.append({
                **base, "status": "active", "enrolled_at": now,
                "role": v.get("role") or "returnee", "facilitator_id": facilitator(v.get("district")),
                **{k: v.get(k) for k in PROFILE if k != "role"},
                "return_date_precision": "day" if v.get("return_date") else None,
            })  # fmt: skip
        else:
            # Nothing but how to reach them until they agree (the rest of the row is not kept).
            people.append({**base, "status": "onboarding", "role": None, "facilitator_id": None,
                           "enrolled_by_staff": False, "enrolled_at": None,
                           **dict.fromkeys(PROFILE), "return_date_precision": None})  # fmt: skip
    connection = session.connection()
    # In the order the rows were given (insertmanyvalues keeps it only when asked).
    returning = insert(PEOPLE).returning(PEOPLE.c.id, sort_by_parameter_order=True)
    ids = [r.id for r in connection.execute(returning, people)]
    people_ids = {i: p["public_id"] for i, p in zip(ids, people, strict=True)}
    contacts, conversations, consents = [], [], []
    for person_id, row in zip(ids, fresh, strict=True):
        row.values["person_id"] = person_id
        if row.values.get("phone"):
            contacts.append({"person_id": person_id, "channel": "sms", "address": row.values["phone"],
                             "stopped": False, "created_at": now})  # fmt: skip
        conversations.append({"person_id": person_id, "state": {}, "updated_at": now})
        if row.consented:
            at = datetime.combine(row.values["consent_date"], time(12), UTC)
            for purpose, granted in (("messages", True),
                                     ("surveys", bool(row.values.get("consent_surveys")))):  # fmt: skip
                consents.append({"person_id": person_id, "purpose": purpose, "granted": granted,
                                 "version": row.values["consent_version"],
                                 "channel": IMPORT_CHANNEL, "taken_by": row.values["consent_by"],
                                 "at": at})  # fmt: skip
    if contacts:
        connection.execute(insert(Contact.__table__), contacts)
    connection.execute(insert(Conversation.__table__), conversations)
    if consents:
        connection.execute(insert(Consent.__table__), consents)
    enrolled = [r.values["person_id"] for r in fresh if r.consented]
    enrol_many(session, enrolled, content, now)
    for row in fresh:
        if row.consented:
            # A small record: the person's public id, as the bot's own enrolments.
            events.enrolled(
                session, _Public(people_ids[row.values["person_id"]]), now, actor.split(":")[0]
            )
    out.created = len(fresh)
    out.invited = _invite(session, [r for r in fresh if not r.consented], content, now)
    audit(session, actor, "people.imported", None, now, created=out.created,
          invited=out.invited, existing=out.existing)  # fmt: skip
    return out


def _known(session: Session, row: CheckedRow) -> bool:
    """A row with no phone (enrolled with consent, in person): the same name, district and
    return date as someone already here."""
    v = row.values
    return session.scalar(
        select(Person.id).where(
            Person.display_name == v.get("display_name"),
            Person.district == v.get("district"),
            Person.return_date == v.get("return_date"),
            Person.erased_at.is_(None),
        )
    ) is not None  # fmt: skip


def _invite(session: Session, rows: list[CheckedRow], content: Content, now: datetime) -> int:
    """The consent flow's first message to each person imported without consent, at the next
    daytime slot; their conversation waits at its first step."""
    if not rows:
        return 0
    zone = content.programme.get("default_timezone", "UTC")
    due = next_slot(now, zone, content.delivery)
    ids = [r.values["person_id"] for r in rows]
    contacts = {
        c.person_id: c for c in session.execute(
            select(Contact.id, Contact.person_id, Contact.channel).where(Contact.person_id.in_(ids))
        )
    }  # fmt: skip
    conversations = {
        c.person_id: c.id for c in session.execute(
            select(Conversation.id, Conversation.person_id).where(Conversation.person_id.in_(ids))
        )
    }  # fmt: skip
    outbound, started = [], None
    for row in rows:
        person_id = row.values["person_id"]
        contact = contacts[person_id]
        language = row.values.get("language") or content.default_language
        if started is None:
            snap = Snapshot(
                PersonView(id=person_id, status="onboarding", language=language,
                           channel="sms"),
                ConversationState(), Input("prompt"), now, now.date(),
            )  # fmt: skip
            started = onboarding.start(snap, content)
        record = _Record(person_id, language)
        outbound += step_values(record, contact, started.messages, now, initiated=True, due=due,
                                origin="import.invite")  # fmt: skip
        session.execute(
            Conversation.__table__.update()
            .where(Conversation.__table__.c.id == conversations[person_id])
            .values(flow=started.conversation.flow, step=started.conversation.step,
                    state=dict(started.conversation.data), updated_at=now)
        )  # fmt: skip
    enqueue_many(session, outbound)
    return len(rows)


@dataclass(frozen=True)
class _Public:
    public_id: str


@dataclass(frozen=True)
class _Record:
    id: int
    language: str
