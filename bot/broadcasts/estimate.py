"""What a broadcast will say and cost before it goes: texts per language checked, the SMS as
it will go out (GSM-7 or UCS-2, segments) and the estimated cost in Decimal."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from bot.broadcasts.audience import Recipient, audience
from bot.channels.render import sms_text
from bot.channels.segments import count_segments, encoding
from flows.content import Content

MAX_LENGTH = 1000


class BroadcastError(ValueError):
    """A broadcast that cannot go as written: `code` says why (for the page's words)."""

    def __init__(self, code: str, language: str | None = None):
        super().__init__(code if language is None else f"{code} ({language})")
        self.code = code
        self.language = language


@dataclass
class LanguageEstimate:
    language: str
    text: str  # what staff wrote (the default language's text where this one has none)
    sms_text: str  # as the SMS will go out: GSM-7 folding applied
    encoding: str  # GSM-7 or UCS-2
    segments: int
    fallback: bool  # no text of its own: these people get the default language's
    recipients: int = 0
    sms_recipients: int = 0
    cost: Decimal = Decimal(0)


@dataclass
class Preview:
    recipients: int
    by_language: dict[str, int]
    by_channel: dict[str, int]
    languages: list[LanguageEstimate]
    cost: Decimal
    currency: str
    price_per_segment: Decimal
    recipients_list: list[Recipient] = field(default_factory=list, repr=False)

    def estimate(self) -> dict[str, Any]:
        """What is stored on the broadcast: money and counts as strings, never floats."""
        return {
            "currency": self.currency,
            "price_per_segment": str(self.price_per_segment),
            "cost": str(self.cost),
            "languages": {
                e.language: {
                    "segments": str(e.segments),
                    "cost": str(e.cost),
                    "recipients": str(e.recipients),
                    "sms_recipients": str(e.sms_recipients),
                }
                for e in self.languages
            },
        }


def clean_texts(texts: Mapping[str, str | None], content: Content) -> dict[str, str]:
    """The programme's languages only, trimmed, line ends unified; the default language's
    text is required and none may be longer than MAX_LENGTH."""
    cleaned: dict[str, str] = {}
    for language in content.languages:
        text = (texts.get(language) or "").replace("\r\n", "\n").replace("\r", "\n").strip()
        if len(text) > MAX_LENGTH:
            raise BroadcastError("too_long", language)
        if text:
            cleaned[language] = text
    if content.default_language not in cleaned:
        raise BroadcastError("default_required", content.default_language)
    return cleaned


def price(content: Content) -> tuple[Decimal, str]:
    raw = content.programme.get("sms_price_per_segment", "0")
    return Decimal(str(raw)), str(content.programme.get("sms_currency", ""))


def preview(
    session: Session,
    conditions: Iterable,
    texts: Mapping[str, str | None],
    content: Content,
    channels: Iterable[str] | None = None,
) -> Preview:
    """Recipients, per language and channel; per language the SMS as it will go, its segments
    and the estimated cost (SMS recipients × segments × price). Telegram costs nothing."""
    cleaned = clean_texts(texts, content)
    recipients = audience(session, conditions, content, cleaned, channels)
    per_segment, currency = price(content)
    default = content.default_language
    by_language = Counter(r.language for r in recipients)
    sms_by_language = Counter(r.language for r in recipients if r.channel == "sms")
    estimates = []
    for language in content.languages:
        own = language in cleaned
        text = cleaned[language] if own else cleaned[default]
        sms = sms_text(text, ())
        segments = count_segments(sms)
        sms_count = sms_by_language.get(language, 0)
        estimates.append(
            LanguageEstimate(
                language=language,
                text=text,
                sms_text=sms,
                encoding=encoding(sms),
                segments=segments,
                fallback=not own,
                recipients=by_language.get(language, 0),
                sms_recipients=sms_count,
                cost=per_segment * segments * sms_count,
            )
        )
    return Preview(
        recipients=len(recipients),
        by_language=dict(by_language),
        by_channel=dict(Counter(r.channel for r in recipients)),
        languages=estimates,
        cost=sum((e.cost for e in estimates), Decimal(0)),
        currency=currency,
        price_per_segment=per_segment,
        recipients_list=recipients,
    )
