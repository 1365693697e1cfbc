"""The people filters staff use everywhere (people list, broadcast audiences, exports):
one definition, so "women in the north who came back in March" means the same on every page."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, fields
from datetime import date
from urllib.parse import urlencode

from sqlalchemy import Boolean, String, and_, bindparam, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement

from bot.db import parse_id
from bot.models import Contact, GroupMember, GroupRequest, Mentor, Person

FLAGS = (
    "unreachable", "paused", "assisted", "unassigned", "mentor", "mentor_ready", "wants_group",
)  # fmt: skip
_COHORT = re.compile(r"^(\d{4})-(\d{2})$", re.ASCII)


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class PeopleFilter:
    q: str = ""  # a name, part of a phone number or chat id, or a person's reference
    district: str = ""
    status: str = ""
    cohort: str = ""  # return month, YYYY-MM
    role: str = ""
    language: str = ""
    gender: str = ""
    age_band: str = ""
    flag: str = ""
    facilitator: str = ""  # a staff id (admins only)
    group: str = ""  # a peer group's id: its members who joined (a broadcast to a group)

    @classmethod
    def from_mapping(cls, values) -> PeopleFilter:
        """Forgiving: unknown keys are ignored, values trimmed and bounded."""
        given = {}
        for field in fields(cls):
            value = values.get(field.name)
            if value is not None:
                given[field.name] = str(value).strip()[:80]
        return cls(**given)

    def as_dict(self) -> dict[str, str]:
        return {key: value for key, value in asdict(self).items() if value}

    def query(self, **changes) -> str:
        """The URL query for these filters, e.g. for the next page."""
        values = {**self.as_dict(), **{k: v for k, v in changes.items() if v not in (None, "")}}
        return urlencode(values)

    @property
    def empty(self) -> bool:
        return not self.as_dict()

    def conditions(self) -> list:
        found = []
        if self.q:
            found.append(_search(self.q))
        for name in ("district", "status", "role", "language", "gender", "age_band"):
            value = getattr(self, name)
            if value:
                found.append(getattr(Person, name) == value)
        cohort = _COHORT.match(self.cohort)
        if cohort:
            year, month = int(cohort.group(1)), int(cohort.group(2))
            if 1 <= month <= 12 and 1900 <= year <= 2999:
                start = date(year, month, 1)
                end = date(year + (month == 12), month % 12 + 1, 1)
                found.append(and_(Person.return_date >= start, Person.return_date < end))
        if self.flag == "unreachable":
            found.append(Person.unreachable_at.is_not(None))
        elif self.flag == "paused":
            found.append(Person.followup_paused.is_(True))
        elif self.flag == "assisted":
            found.append(Person.enrolled_by_staff.is_(True))
        elif self.flag == "unassigned":
            found.append(Person.facilitator_id.is_(None))
        elif self.flag == "mentor":  # in the mentor registry (applied, approved, paused)
            found.append(
                Person.id.in_(select(Mentor.person_id).where(Mentor.status != "withdrawn"))
            )
        elif self.flag == "mentor_ready":  # approved mentors (training checked at matching)
            found.append(Person.id.in_(select(Mentor.person_id).where(Mentor.status == "approved")))
        elif self.flag == "wants_group":  # asked to join a peer group, not invited yet
            waiting = select(GroupRequest.person_id).where(GroupRequest.status == "waiting")
            found.append(Person.id.in_(waiting))
        if parse_id(self.facilitator) is not None:
            found.append(Person.facilitator_id == parse_id(self.facilitator))
        if parse_id(self.group) is not None:
            members = select(GroupMember.person_id).where(
                GroupMember.group_id == parse_id(self.group), GroupMember.status == "joined"
            )
            found.append(Person.id.in_(members))
        # Erased people are tombstones: nothing to find.
        found.append(Person.erased_at.is_(None))
        return found


class FoldedLike(ColumnElement):
    """`column ILIKE pattern`, except on SQLite, whose LIKE already ignores (ASCII) case:
    there `lower()` on every row would only double the cost of the scan."""

    type = Boolean()
    inherit_cache = False

    def __init__(self, column, pattern: str):
        self.column = column
        self.pattern = bindparam(None, pattern, type_=String())


@compiles(FoldedLike)
def _folded_like(element, compiler, **kw):
    return compiler.process(element.column.ilike(element.pattern, escape="\\"), **kw)


@compiles(FoldedLike, "sqlite")
def _folded_like_sqlite(element, compiler, **kw):
    return compiler.process(element.column.like(element.pattern, escape="\\"), **kw)


def _digits(text: str) -> str:
    """Digits in any script ("٧٧١" typed on an Arabic keyboard) as the ASCII ones we store."""
    return "".join(str(unicodedata.decimal(c)) for c in text if c.isdecimal())


def _search(text: str):
    digits = _digits(text)
    if len(digits) >= 3 and all(c.isdecimal() or c in " +-()." for c in text):
        # A number (phone, chat id, reference): no name can match, and leaving the name out
        # lets the database use its indexes instead of reading every person.
        options = [
            Person.id.in_(select(Contact.person_id).where(Contact.address.like(f"%{digits}%")))
        ]
        if parse_id(digits) is not None and text.strip().isdecimal():
            options.append(Person.id == parse_id(digits))
        return or_(*options)
    pattern = f"%{escape_like(text)}%"
    options = [FoldedLike(Person.display_name, pattern), Person.public_id == text.lower()]
    if len(digits) >= 3:
        # Phone numbers are stored in E.164 and chat ids as digits: match on digits alone.
        options.append(
            Person.id.in_(select(Contact.person_id).where(Contact.address.like(f"%{digits}%")))
        )
    if parse_id(digits) is not None and text.strip().isdecimal():
        options.append(Person.id == parse_id(digits))
    return or_(*options)
