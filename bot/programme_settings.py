"""Programme settings admins change in the page: the name people see, the neutral SMS name,
the help and emergency contacts, how soon alerts must be handled, the safeguarding lead, the
timezone, the SMS price. Stored as rows over content/programme.yaml; the running service takes them at once
(and other processes at their next housekeeping)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session, select

from bot.audit import audit, staff_actor
from bot.db import parse_id
from bot.models import ProgrammeSetting, Staff
from flows.content import Content
from flows.vocabulary import SEVERITIES as RISING

TEXTS = ("name", "sms_name", "help_contact", "emergency_contact")
# Gravest first, as staff read them on the settings page.
SEVERITIES = tuple(reversed(RISING))
EDITABLE = (
    *TEXTS,
    "default_timezone",
    "alert_due_hours",
    "sms_price_per_segment",
    "sms_currency",
    "safeguarding_lead_id",
)
# Who owns an alert nobody else covers, and hears of every one still open when due
# (bot/casework/alerts.py): settings are not saved without one.
LEAD = "safeguarding_lead_id"
TEXT_MAX = 60
# The words the message catalogs use for these settings ({programme}, {sms_name}, ...).
VARIABLES = {
    "name": "programme",
    "sms_name": "sms_name",
    "help_contact": "help_contact",
    "emergency_contact": "emergency_contact",
}


class SettingError(ValueError):
    """`key` names the setting, `code` the words for the page."""

    def __init__(self, key: str, code: str):
        super().__init__(f"{key}: {code}")
        self.key, self.code = key, code


def clean(key: str, raw: Any) -> Any:
    """A value as stored, or SettingError."""
    if key in TEXTS:
        text = " ".join(str(raw or "").split())
        if not text:
            raise SettingError(key, "empty")
        if len(text) > TEXT_MAX:
            raise SettingError(key, "too_long")
        if "{" in text or "}" in text:
            raise SettingError(key, "braces")  # they would break the message templates
        return text
    if key == "default_timezone":
        try:
            ZoneInfo(str(raw))
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise SettingError(key, "timezone") from error
        return str(raw)
    if key == "alert_due_hours":
        hours = {}
        for severity in SEVERITIES:
            try:
                value = Decimal(str(raw.get(severity, "")).strip())
            except (InvalidOperation, AttributeError) as error:
                raise SettingError(key, "hours") from error
            if not Decimal("0.25") <= value <= Decimal("720"):
                raise SettingError(key, "hours")
            hours[severity] = float(value)  # hours of a timedelta, not money
        return hours
    if key == "sms_price_per_segment":
        try:
            price = Decimal(str(raw).strip().replace(",", "."))
        except InvalidOperation as error:
            raise SettingError(key, "price") from error
        if not price.is_finite() or price < 0 or price > 10:
            raise SettingError(key, "price")
        return str(price)  # money stays exact: a string read as Decimal
    if key == "sms_currency":
        code = str(raw or "").strip().upper()
        if not re.fullmatch(r"[A-Z]{3}", code):
            raise SettingError(key, "currency")
        return code
    if key == LEAD:
        lead = parse_id(raw)
        if lead is None:
            raise SettingError(key, "lead")
        return lead
    raise SettingError(key, "unknown")


def _check_lead(session: Session, content: Content, cleaned: dict[str, Any]) -> None:
    lead = cleaned.get(LEAD, content.programme.get(LEAD))
    staff = session.get(Staff, int(lead)) if lead is not None else None
    if staff is None or not staff.active or staff.role not in ("admin", "facilitator"):
        raise SettingError(LEAD, "lead")


def overrides(session: Session) -> dict[str, Any]:
    rows = session.exec(select(ProgrammeSetting)).all()
    return {row.key: row.value for row in rows if row.key in EDITABLE}


def save(
    session: Session, content: Content, values: Mapping[str, Any], staff_id: int, now: datetime
) -> list[str]:
    """Checks every value first (all or nothing); stores those that differ from what is in
    force; returns their names."""
    cleaned = {key: clean(key, raw) for key, raw in values.items()}
    _check_lead(session, content, cleaned)
    changed = []
    for key, value in cleaned.items():
        if content.programme.get(key) == value:
            continue
        row = session.get(ProgrammeSetting, key)
        if row is None:
            session.add(ProgrammeSetting(key=key, value=value, updated_at=now, updated_by=staff_id))
        else:
            row.value, row.updated_at, row.updated_by = value, now, staff_id
        changed.append(key)
    if changed:
        audit(session, staff_actor(staff_id), "programme.settings", None, now, changed=changed)
    return changed


def with_overrides(content: Content, found: Mapping[str, Any]) -> Content:
    """The content as the programme set it: programme.yaml, then the page's changes."""
    if not found:
        return content
    programme = {**content.programme, **found}
    variables = dict(content.catalog.variables)
    for key, name in VARIABLES.items():
        if key in found:
            variables[name] = str(found[key])
    if "help_contact" in found and "emergency_contact" not in content.programme:
        variables["emergency_contact"] = str(found["help_contact"])
    catalog = dataclasses.replace(content.catalog, variables=variables)
    return dataclasses.replace(content, programme=programme, catalog=catalog)
