"""SMS through the twilio library: transport only."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from urllib.parse import urlsplit

import phonenumbers
from requests import RequestException
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from bot.channels.base import InboundEvent, OutboundMessage, SendError, SendOutcome
from bot.channels.errors import twilio_error
from bot.channels.render import sms_text
from bot.channels.segments import count_segments
from bot.config import Settings

log = logging.getLogger(__name__)

NAME = "sms"
OPT_OUT_TYPES = {"STOP", "START", "HELP"}
# How many of a number's latest messages are read when asking whether one went already.
LOOKUP_LIMIT = 20


class TwilioChannel:
    name = NAME

    def __init__(self, settings: Settings):
        self.settings = settings
        self.sender = settings.twilio_from or ""
        self.client = Client(
            settings.twilio_account_sid,
            settings.twilio_auth_token.get_secret_value(),
            http_client=TwilioHttpClient(timeout=settings.provider_timeout_seconds),
        )
        # Point the library at the configured REST base (a local fake in tests).
        self.client.api.base_url = settings.twilio_api_url

    def rate_key(self, address: str) -> str | None:
        return None

    def cost(self, message: OutboundMessage) -> float:
        return float(count_segments(sms_text(message.text, message.choices)))

    async def send(self, message: OutboundMessage) -> SendOutcome:
        body = sms_text(message.text, message.choices)
        return await asyncio.to_thread(self._create, message.address, body)

    def _create(self, to: str, body: str) -> SendOutcome:
        kwargs = {"to": to, "body": body}
        if self.sender.startswith("MG"):
            kwargs["messaging_service_sid"] = self.sender
        else:
            kwargs["from_"] = self.sender
        if _reachable_from_twilio(self.settings.public_url):
            kwargs["status_callback"] = f"{self.settings.public_url}/webhooks/twilio/status"
        try:
            created = self.client.messages.create(**kwargs)
        except TwilioRestException as error:
            raise twilio_error(error.status, error.code, error.msg) from error
        except (TwilioException, RequestException) as error:
            raise SendError("retry", "twilio:network", str(error)) from error
        segments = int(created.num_segments) if created.num_segments else count_segments(body)
        return SendOutcome(provider_id=created.sid, segments=segments)

    async def find_sent(
        self, message: OutboundMessage, since: datetime, known: frozenset[str]
    ) -> SendOutcome | None:
        """The message Twilio already has, if an earlier attempt reached it: to this number,
        with these words, created since `since`, and not one we recorded for another row."""
        body = sms_text(message.text, message.choices)
        return await asyncio.to_thread(self._find, message.address, body, since, known)

    def _find(
        self, to: str, body: str, since: datetime, known: frozenset[str]
    ) -> SendOutcome | None:
        try:
            # Newest first; not filtered by DateSent, which a queued message has not yet.
            recent = self.client.messages.list(to=to, limit=LOOKUP_LIMIT)
        except TwilioRestException as error:
            raise twilio_error(error.status, error.code, error.msg) from error
        except (TwilioException, RequestException) as error:
            raise SendError("retry", "twilio:network", str(error)) from error
        for found in recent:
            created = found.date_created
            if found.sid in known or found.body != body or created is None or created < since:
                continue
            segments = int(found.num_segments) if found.num_segments else count_segments(body)
            return SendOutcome(provider_id=found.sid, segments=segments)
        return None


def _reachable_from_twilio(public_url: str) -> bool:
    host = urlsplit(public_url).hostname or ""
    return host not in ("localhost", "127.0.0.1", "::1")


def signature_ok(auth_token: str, url: str, form: dict[str, str], signature: str | None) -> bool:
    if not signature:
        return False
    return RequestValidator(auth_token).validate(url, form, signature)


def normalize_number(
    raw: str | None, allowed_countries: list[str], default_region: str | None = None
) -> str | None:
    """E.164 for any valid number; None for what does not parse or is not allowed.
    `default_region` reads a national number typed by staff ("77 123 45 67")."""
    if not raw:
        return None
    try:
        number = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    if allowed_countries:
        region = phonenumbers.region_code_for_number(number)
        if region not in {c.upper() for c in allowed_countries}:
            return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def parse_inbound(form: dict[str, str], allowed_countries: list[str]) -> InboundEvent | None:
    sid = form.get("MessageSid") or form.get("SmsSid")
    address = normalize_number(form.get("From"), allowed_countries)
    if not sid or address is None:
        return None
    keyword = (form.get("OptOutType") or "").upper() or None
    body = form.get("Body") or ""
    if body.strip():
        return InboundEvent(
            NAME, sid, address, "text", text=body, provider_keyword=_keyword(keyword)
        )
    if _media_count(form) > 0:
        return InboundEvent(NAME, sid, address, "media", provider_keyword=_keyword(keyword))
    return InboundEvent(NAME, sid, address, "text", text="", provider_keyword=_keyword(keyword))


def _media_count(form: dict[str, str]) -> int:
    """NumMedia as Twilio sends it (a small number); anything else counts what MediaUrlN say."""
    raw = (form.get("NumMedia") or "").strip()
    if raw.isascii() and raw.isdigit() and len(raw) < 4:
        return int(raw)
    return sum(1 for key in form if key.startswith("MediaUrl"))


def _keyword(value: str | None) -> str | None:
    return value if value in OPT_OUT_TYPES else None
