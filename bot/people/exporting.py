"""Taking the people list out (CSV or XLSX): the people a filter selects, within the staff
member's scope, pseudonymised (an HMAC of their public id, as the results export) unless an
admin asks for identities (name and phone number). Every export is in the audit log."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from openpyxl import Workbook
from sqlalchemy import select
from sqlmodel import Session

from bot.audit import audit
from bot.models import Contact, Person, Staff
from bot.results.export import pseudonym

COLUMNS = (
    "person", "status", "language", "role", "district", "return_date", "gender", "age_band",
    "sector", "enrolled_at", "plan", "outcome", "facilitator",
)  # fmt: skip
IDENTITY = ("display_name", "phone")
BATCH = 1000


def columns(identities: bool) -> tuple[str, ...]:
    return (*COLUMNS[:1], *IDENTITY, *COLUMNS[1:]) if identities else COLUMNS


def people_rows(
    session: Session, conditions: list, signing_key: str, identities: bool
) -> Iterator[dict]:
    """One row a person (erased people are never in it), in batches of ids."""
    staff = dict(session.execute(select(Staff.id, Staff.name)).all())
    ids = list(
        session.scalars(
            select(Person.id)
            .where(*conditions, Person.erased_at.is_(None), Person.status != "declined")
            .order_by(Person.id)
        )
    )
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        phones = {}
        if identities:
            phones = dict(
                session.execute(
                    select(Contact.person_id, Contact.address).where(
                        Contact.person_id.in_(chunk), Contact.channel == "sms"
                    )
                ).all()
            )
        for p in session.scalars(select(Person).where(Person.id.in_(chunk)).order_by(Person.id)):
            row = {
                "person": p.public_id if identities else pseudonym(signing_key, p.public_id),
                "status": p.status, "language": p.language, "role": p.role,
                "district": p.district,
                "return_date": p.return_date.isoformat() if p.return_date else None,
                "gender": p.gender, "age_band": p.age_band, "sector": p.sector,
                "enrolled_at": p.enrolled_at.isoformat() if p.enrolled_at else None,
                "plan": p.plan, "outcome": p.outcome, "facilitator": staff.get(p.facilitator_id),
            }  # fmt: skip
            if identities:
                row["display_name"] = p.display_name
                row["phone"] = phones.get(p.id)
            yield row


def to_csv(rows: Iterator[dict], identities: bool) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns(identities), extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return out.getvalue().encode("utf-8-sig")  # a BOM, so spreadsheets read UTF-8


def to_xlsx(rows: Iterator[dict], identities: bool) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("people")
    names = columns(identities)
    sheet.append(list(names))
    for row in rows:
        sheet.append([row.get(name) for name in names])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export(
    session: Session, conditions: list, signing_key: str, *, identities: bool, fmt: str,
    actor: str, now,
) -> tuple[bytes, int]:  # fmt: skip
    """The file and how many people are in it; the export is audited."""
    counted = 0

    def counting():
        nonlocal counted
        for row in people_rows(session, conditions, signing_key, identities):
            counted += 1
            yield row

    data = to_xlsx(counting(), identities) if fmt == "xlsx" else to_csv(counting(), identities)
    audit(session, actor, "people.exported", None, now, rows=counted, identities=identities,
          format=fmt)  # fmt: skip
    return data, counted
