"""Staff linking their own Telegram or phone: a one-time code from their account page, sent
to the bot, makes that chat or number a place their alert notices go (bot/casework/notices.py).

A code is eight digits (typed on any phone), lives fifteen minutes, works once, and only its
hash is stored. A message that carries a code is never a person's message: it is read before
anyone is looked up or created, so linking leaves no person behind. A linked address that is
not also a person's contact is answered as staff: STOP unlinks it, anything else gets a
short note that people are answered from the admin.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from datetime import datetime, timedelta

from sqlalchemy import bindparam, update
from sqlmodel import Session, select

from bot.audit import SYSTEM, audit, staff_actor
from bot.casework.alerts import can_own_alerts
from bot.messaging.optout import unlink_staff_contact
from bot.messaging.outbox import enqueue_to_staff
from bot.models import Inbound, Staff, StaffContact, StaffLinkCode
from bot.people.contacts import find_contact
from flows.content import Content
from flows.keywords import detect_keyword
from flows.vocabulary import Keyword

CODE_DIGITS = 8
CODE_LIFETIME = timedelta(minutes=15)
# Channels a staff member can link: where a notice reaches them away from the admin.
LINKABLE = ("telegram", "sms")
LINKED = "staff.linked"
UNLINKED = "staff.unlinked"
STAFF_NOTE = "staff.note"
# At most one word beside the code ("LINK 1234 5678", "code: 12345678", Telegram's
# "/start link-12345678" from a deep link); anything more is someone's sentence.
_WORD = re.compile(r"[^\W\d_]+")
_DIGIT = re.compile(r"\d")
_ALLOWED = re.compile(r"^[\w\s:#.\-]*$")


def code_in(text: str | None) -> str | None:
    """The eight digits of a link code in `text` (any script's digits), else None."""
    if not text or len(text) > 60:
        return None
    text = text.strip().replace("_", " ")
    if text.lower().startswith("/start"):
        text = text[len("/start") :]
    if not _ALLOWED.match(text) or len(_WORD.findall(text)) > 1:
        return None
    digits = "".join(str(unicodedata.digit(d)) for d in _DIGIT.findall(text))
    return digits if len(digits) == CODE_DIGITS else None


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def may_link(staff: Staff | None) -> bool:
    """Those who can own an alert link a contact for its notices."""
    return can_own_alerts(staff)


def new_code(session: Session, staff_id: int, now: datetime) -> str:
    """A fresh code for this staff member; their earlier unused codes stop working."""
    session.exec(
        update(StaffLinkCode)
        .where(StaffLinkCode.staff_id == staff_id, StaffLinkCode.used_at.is_(None))
        .values(used_at=now)
    )
    while True:
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        taken = session.exec(
            select(StaffLinkCode.id).where(StaffLinkCode.code_hash == _hash(code))
        ).first()
        if taken is None:
            break
    session.add(
        StaffLinkCode(
            staff_id=staff_id,
            code_hash=_hash(code),
            created_at=now,
            expires_at=now + CODE_LIFETIME,
        )
    )
    audit(session, staff_actor(staff_id), "staff.link_code", None, now)
    return code


def linked_contacts(session: Session, staff_id: int) -> list[StaffContact]:
    """Where this staff member's notices go now."""
    return list(
        session.exec(
            select(StaffContact)
            .where(StaffContact.staff_id == staff_id, StaffContact.stopped_at.is_(None))
            .order_by(StaffContact.id)
        ).all()
    )


def handle_staff_message(
    session: Session, inbound: Inbound, content: Content, now: datetime
) -> bool:
    """True when this inbound message was a staff member's (a link code, or a message from a
    linked address that is no person's): answered here, never seen by a flow."""
    if inbound.kind not in ("text", "start") or inbound.channel not in LINKABLE:
        return False
    code = code_in(inbound.text)
    if code is not None and _link(session, inbound, code, content, now):
        return True
    linked_id = session.scalar(_LINKED, {"channel": inbound.channel, "address": inbound.address})
    if linked_id is None:
        return False  # nearly every message: one prebuilt query, no model
    linked = session.get(StaffContact, linked_id)
    if find_contact(session, inbound.channel, inbound.address) is not None:
        return False
    staff = session.get(Staff, linked.staff_id)
    if detect_keyword(inbound.text, content.lexicon) == Keyword.STOP:
        unlink_staff_contact(session, linked, "stop", SYSTEM, now)
        notify(session, linked, staff, content, UNLINKED, now)
    else:
        notify(session, linked, staff, content, STAFF_NOTE, now)
    return True


# Built once: it runs for every message anyone sends.
_LINKED = (
    select(StaffContact.id)
    .where(
        StaffContact.channel == bindparam("channel"),
        StaffContact.address == bindparam("address"),
        StaffContact.stopped_at.is_(None),
    )
    .limit(1)
)


def _link(session: Session, inbound: Inbound, code: str, content: Content, now: datetime) -> bool:
    found = session.exec(
        select(StaffLinkCode)
        .where(
            StaffLinkCode.code_hash == _hash(code),
            StaffLinkCode.used_at.is_(None),
            StaffLinkCode.expires_at > now,
        )
        .with_for_update()
    ).first()
    staff = session.get(Staff, found.staff_id) if found is not None else None
    if found is None or not may_link(staff):
        return False
    found.used_at = now
    contact = session.exec(
        select(StaffContact).where(
            StaffContact.channel == inbound.channel, StaffContact.address == inbound.address
        )
    ).first()
    if contact is None:
        contact = StaffContact(
            staff_id=staff.id, channel=inbound.channel, address=inbound.address, linked_at=now
        )
        session.add(contact)
    else:
        # A shared office phone moves to whoever linked it last.
        contact.staff_id, contact.linked_at = staff.id, now
        contact.stopped_at = contact.stopped_reason = None
    session.flush()
    audit(
        session,
        staff_actor(staff.id),
        "staff.contact_linked",
        None,
        now,
        channel=inbound.channel,
        contact=contact.id,
    )
    notify(session, contact, staff, content, LINKED, now, name=staff.name)
    return True


def notify(
    session: Session,
    contact: StaffContact,
    staff: Staff | None,
    content: Content,
    key: str,
    now: datetime,
    **values: object,
) -> None:
    """One message to a staff contact, in the staff member's language, through the outbox."""
    language = staff_language(staff, content)
    body = content.catalog.text(language, key, contact.channel, **values)
    enqueue_to_staff(session, contact, body, language, key, now)


def staff_language(staff: Staff | None, content: Content) -> str:
    language = staff.language if staff is not None else None
    return language if language in content.languages else content.default_language
