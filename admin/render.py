"""Rendering admin pages: every template gets the staff context, its translator and filters."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.numbers import (
    UnknownCurrencyError,
    format_currency,
    format_decimal,
    get_currency_precision,
)
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from admin.deps import StaffContext
from admin.i18n import LANGUAGE_NAMES, LANGUAGES, format_number, translator
from admin.options import staff_label

LOGIN_LANGUAGE = "homecoming_admin_lang"
_SLUG = re.compile(r"[^a-z0-9]+")

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.globals["LANGUAGES"] = LANGUAGES
templates.env.globals["LANGUAGE_NAMES"] = LANGUAGE_NAMES


def _local(value: datetime | date | None, zone: str = "UTC", with_time: bool = True) -> str:
    """Staff read times in the programme's timezone; storage stays UTC."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        local = value.astimezone(ZoneInfo(zone))
        return local.strftime("%Y-%m-%d %H:%M") if with_time else local.strftime("%Y-%m-%d")
    return value.isoformat()


def _timezone(request: Request) -> str:
    return request.app.state.services.content.programme.get("default_timezone", "UTC")


def login_language(request: Request) -> str:
    chosen = request.query_params.get("lang") or request.cookies.get(LOGIN_LANGUAGE) or "en"
    return chosen if chosen in LANGUAGES else "en"


def render(
    request: Request, ctx: StaffContext | None, name: str, status: int = 200, /, **context
) -> HTMLResponse:
    """Positional-only, so that a page may pass its own `status` (of alerts, say) as context."""
    language = ctx.language if ctx else login_language(request)
    t = ctx.t if ctx else translator(language)
    zone = _timezone(request)
    content = request.app.state.services.content

    def option(option_set: str, value: str | None) -> str:
        return staff_label(t, content, language, option_set, value)

    def coded(prefix: str, text: str | None) -> str:
        """A note or reason the service wrote in its own code words ("late enrolment"), in
        the staff member's language when the catalog knows it."""
        if not text:
            return ""
        key = f"{prefix}.{_SLUG.sub('_', str(text).lower()).strip('_')}"
        said = t(key)
        return str(text) if said == key else said

    def money(amount, currency: str | None) -> str:
        """An amount as the staff member's language writes it, with the currency's own
        decimals (an estimate of 0.0075 USD reads "$0.01")."""
        if amount is None or amount == "":
            return "—"
        value = Decimal(str(amount))
        if not currency:
            return format_decimal(value, locale=language)
        try:
            places = Decimal(1).scaleb(-get_currency_precision(currency))
            rounded = value.quantize(places, rounding=ROUND_HALF_UP)
            return format_currency(rounded, currency, locale=language)
        except (ValueError, UnknownCurrencyError):
            return f"{value} {currency}"

    def number(value) -> str:
        """A count as the staff member's language writes it: 12,345 · 12 345."""
        if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
            return "—" if value is None else str(value)
        return format_number(value, language)

    values = {
        "money": money,
        "number": number,
        "option": option,
        "coded": coded,
        "option_sets": content.option_sets,
        "content_languages": content.languages,
        "ctx": ctx,
        "t": t,
        "language": language,
        "rtl": language in ("ar",),
        "local": lambda value, with_time=True: _local(value, zone, with_time),
        "timezone": zone,
        **context,
    }
    return templates.TemplateResponse(request, name, values, status_code=status)
