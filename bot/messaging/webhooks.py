"""Provider webhooks: check the secret, store, acknowledge. Replies go through the outbox."""

from __future__ import annotations

import json
import logging
from urllib.parse import parse_qsl

from fastapi import APIRouter, BackgroundTasks, Request, Response
from fastapi.concurrency import run_in_threadpool

from bot.channels import telegram, twilio_sms
from bot.db import DATABASE_DOWN
from bot.messaging.batching import GroupCall
from bot.messaging.delivery import record_status
from bot.messaging.inbox import store_together

log = logging.getLogger(__name__)
router = APIRouter(prefix="/webhooks")

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
MAX_BODY = 256 * 1024
RETRY_AFTER_SECONDS = 5


def unavailable(error: Exception) -> Response:
    """Nothing was stored (DATABASE_DOWN): the provider is asked to send it again, later."""
    log.warning("webhook: database unavailable (%s); the provider is asked to retry",
                type(getattr(error, "orig", None) or error).__name__)  # fmt: skip
    return Response(status_code=503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def _services(request: Request):
    return request.app.state.services


# Updates stored in one transaction at most: a flood of thousands at once still holds
# SQLite's writer for a few milliseconds at a time, not for all of them.
STORE_TOGETHER_MOST = 200


def inbound_storer(services) -> GroupCall:
    """The webhooks' group commit (`create_app` keeps one): the updates arriving while one
    transaction runs share the next, one turn at SQLite's writer and one commit for many."""
    # The engine as it is at each call (a test swaps it for one that cannot connect).
    return GroupCall(
        lambda events: store_together(services.engine, events), most=STORE_TOGETHER_MOST
    )


async def _store(request: Request, event) -> None:
    """Stored before it is acknowledged, then the inbox woken."""
    services = _services(request)
    await request.app.state.inbound_storer((event, services.clock()))
    _stored(services, event)
    _wake(request)


def _stored(services, event) -> None:
    if services.metrics is not None:
        services.metrics.stored(event.channel)


def _wake(request: Request) -> None:
    workers = getattr(request.app.state, "workers", None)
    if workers is not None:
        workers.wake_inbox()


@router.post("/telegram")
async def telegram_update(request: Request, background: BackgroundTasks) -> Response:
    services = _services(request)
    settings = services.settings
    expected = settings.telegram_webhook_secret
    given = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
    if services.telegram is None or not telegram.secret_ok(
        expected.get_secret_value() if expected else None, given
    ):
        return Response(status_code=403)
    raw = await request.body()
    try:
        data = json.loads(raw[:MAX_BODY].decode("utf-8"))
    except (ValueError, RecursionError):
        # Not UTF-8, not JSON, a number longer than Python reads (4,300 digits), an array
        # nested deeper than the parser goes: nothing Telegram sends.
        log.info("telegram webhook: body is not JSON we can read; ignored")
        return Response(status_code=200)
    event = telegram.parse_update(data)
    if event is None:
        log.info(
            "telegram update %s not handled; ignored",
            data.get("update_id") if isinstance(data, dict) else None,
        )
        return Response(status_code=200)
    try:
        await _store(request, event)
    except DATABASE_DOWN as error:
        return unavailable(error)
    query_id = telegram.callback_id(data)
    if query_id:
        # Stops the button's spinner, after the 200: Telegram should not wait for it.
        background.add_task(services.telegram.answer_callback, query_id)
    return Response(status_code=200)


async def _twilio_form(request: Request) -> tuple[dict[str, str], bool]:
    """The form as Twilio signed it, and whether the signature holds."""
    services = _services(request)
    settings = services.settings
    raw = (await request.body())[:MAX_BODY]
    form = dict(parse_qsl(raw.decode("utf-8", errors="replace"), keep_blank_values=True))
    url = f"{settings.public_url}{request.url.path}"
    if request.url.query:
        url = f"{url}?{request.url.query}"
    if services.twilio is None:
        return form, False
    token = settings.twilio_auth_token.get_secret_value()
    return form, twilio_sms.signature_ok(
        token, url, form, request.headers.get("X-Twilio-Signature")
    )


@router.post("/twilio/sms")
async def twilio_sms_inbound(request: Request) -> Response:
    form, valid = await _twilio_form(request)
    if not valid:
        return Response(status_code=403)
    services = _services(request)
    event = twilio_sms.parse_inbound(form, services.settings.sms_allowed_countries)
    if event is None:
        log.info("twilio inbound without a usable MessageSid/From; ignored")
    else:
        try:
            await _store(request, event)
        except DATABASE_DOWN as error:
            return unavailable(error)
    return Response(EMPTY_TWIML, media_type="application/xml")


@router.post("/twilio/status")
async def twilio_status(request: Request) -> Response:
    form, valid = await _twilio_form(request)
    if not valid:
        return Response(status_code=403)
    services = _services(request)
    sid = form.get("MessageSid") or form.get("SmsSid")
    status = form.get("MessageStatus") or form.get("SmsStatus")
    if sid and status:
        code = form.get("ErrorCode")
        try:
            await run_in_threadpool(
                record_status,
                services.engine,
                sid,
                status,
                int(code)
                if code and code.isascii() and code.isdigit() and len(code) < 10
                else None,
                services.clock(),
            )
        except DATABASE_DOWN as error:
            return unavailable(error)
    return Response(status_code=204)
