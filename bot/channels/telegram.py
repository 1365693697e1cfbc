"""Telegram through python-telegram-bot, used as a library: transport only."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import re
from collections.abc import Awaitable, Callable

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.request import HTTPXRequest

from bot.channels.base import InboundEvent, OutboundMessage, SendOutcome
from bot.channels.errors import telegram_error
from bot.channels.render import RLM
from bot.channels.telegram_transport import AiohttpRequest
from bot.config import Settings

log = logging.getLogger(__name__)

NAME = "telegram"
_USERNAME = re.compile(r"[A-Za-z0-9_]{5,32}")
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]
MAX_CALLBACK_BYTES = 64


class TelegramChannel:
    name = NAME

    def __init__(self, settings: Settings):
        token = settings.telegram_bot_token.get_secret_value()
        api = settings.telegram_api_url
        self.settings = settings
        self.bot = Bot(
            token,
            base_url=f"{api}/bot",
            base_file_url=f"{api}/file/bot",
            # Sending on aiohttp: a quarter of httpx's CPU (bot/channels/telegram_transport.py).
            request=AiohttpRequest(
                pool_size=16, connect_timeout=5, read_timeout=settings.provider_timeout_seconds
            ),
            get_updates_request=HTTPXRequest(connect_timeout=5, read_timeout=40),
        )

    async def open(self) -> None:
        """Prepares the HTTP clients; an unreachable Bot API must not stop start-up."""
        try:
            await self.bot.initialize()
        except TelegramError as error:
            log.warning("Telegram Bot API not reachable yet: %s", error)

    async def close(self) -> None:
        try:
            await self.bot.shutdown()
        except Exception:  # noqa: BLE001
            log.debug("telegram shutdown", exc_info=True)

    def rate_key(self, address: str) -> str:
        return f"telegram_chat:{address}"

    def cost(self, message: OutboundMessage) -> float:
        return 1.0

    async def send(self, message: OutboundMessage) -> SendOutcome:
        markup = None
        if message.choices:
            rows = [
                [InlineKeyboardButton(label, callback_data=value[:MAX_CALLBACK_BYTES])]
                for value, label in message.choices
            ]
            markup = InlineKeyboardMarkup(rows)
        text = f"{RLM}{message.text}" if message.rtl else message.text
        try:
            sent = await self.bot.send_message(
                chat_id=int(message.address), text=text, reply_markup=markup
            )
        except Exception as error:  # noqa: BLE001 - classified by the error table
            raise telegram_error(error) from error
        return SendOutcome(provider_id=str(sent.message_id))

    async def answer_callback(self, callback_id: str) -> None:
        """Stops the button's spinner; cosmetic, so failures are only logged."""
        try:
            await self.bot.answer_callback_query(callback_id)
        except Exception as error:  # noqa: BLE001
            log.info("answerCallbackQuery failed: %s", error)

    async def register_webhook(self, stop: asyncio.Event, delay: float = 5.0) -> None:
        """setWebhook with our secret, retried in the background until it works."""
        secret = self.settings.telegram_webhook_secret
        url = f"{self.settings.public_url}/webhooks/telegram"
        while not stop.is_set():
            try:
                await self.bot.set_webhook(
                    url=url,
                    secret_token=secret.get_secret_value() if secret else None,
                    allowed_updates=ALLOWED_UPDATES,
                )
                log.info("Telegram webhook set to %s", url)
                return
            except Exception as error:  # noqa: BLE001
                log.warning("setWebhook failed (%s); retrying in %.0fs", error, delay)
            try:
                await asyncio.wait_for(stop.wait(), timeout=delay)
            except TimeoutError:
                delay = min(delay * 2, 300)

    async def poll(self, stop: asyncio.Event, store: Callable[[dict], Awaitable[None]]) -> None:
        """Polling mode, for a laptop without a public URL: every update goes through `store`."""
        offset = None
        delay = 1.0
        while not stop.is_set():
            try:
                await self.bot.delete_webhook()
                break
            except Exception as error:  # noqa: BLE001
                log.warning("deleteWebhook failed: %s", error)
                await _pause(stop, delay)
        while not stop.is_set():
            try:
                updates = await self.bot.get_updates(
                    offset=offset, timeout=30, allowed_updates=ALLOWED_UPDATES
                )
                delay = 1.0
            except Exception as error:  # noqa: BLE001
                log.warning("getUpdates failed: %s", error)
                await _pause(stop, delay)
                delay = min(delay * 2, 60)
                continue
            for update in updates:
                # Stored before the offset moves past it: a crash re-fetches, the inbox dedupes.
                await store(update.to_dict())
                offset = update.update_id + 1


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


def secret_ok(expected: str | None, given: str | None) -> bool:
    if not expected or given is None:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def parse_update(data: object) -> InboundEvent | None:
    """One Telegram Update as an InboundEvent, or None for what we do not handle."""
    if not isinstance(data, dict) or type(data.get("update_id")) is not int:
        return None
    try:
        update = Update.de_json(data, None)
    except Exception:  # noqa: BLE001 - malformed updates are a logged ignore
        log.info("unparseable Telegram update %s", data.get("update_id"))
        return None
    try:
        return _event(update)
    except (AttributeError, TypeError, ValueError):
        # python-telegram-bot builds objects without checking field types: a chat missing,
        # a number where an object goes. What does not have the shape we read is ignored.
        log.info("Telegram update %s has an unexpected shape; ignored", update.update_id)
        return None


def _private_chat(chat) -> str | None:
    """The chat's id as our address, if it is a one-to-one chat with a numeric id."""
    if chat is None or chat.type != "private" or type(chat.id) is not int:
        return None
    return str(chat.id)


def _text(value) -> str | None:
    return value if isinstance(value, str) else None


def _event(update: Update) -> InboundEvent | None:
    provider_id = str(update.update_id)
    if update.callback_query is not None:
        query = update.callback_query
        address = _private_chat(query.message.chat) if query.message is not None else None
        choice = _text(query.data)
        if address is None or choice is None:
            return None
        return InboundEvent(
            NAME, provider_id, address, "choice", choice=choice, handle=_handle(query.from_user)
        )
    if update.my_chat_member is not None:
        member = update.my_chat_member
        address = _private_chat(member.chat)
        if address is None:
            return None
        kind = "blocked" if member.new_chat_member.status in ("kicked", "left") else "unblocked"
        return InboundEvent(NAME, provider_id, address, kind)
    message = update.message or update.edited_message
    if message is None:
        return None  # channel posts, polls...: a logged ignore
    address = _private_chat(message.chat)
    if address is None:
        return None
    text, caption = _text(message.text), _text(message.caption)
    handle = _handle(message.from_user)
    if message is update.edited_message:
        # Read again for distress (flows/engine.py), not taken as a new answer.
        text = text or caption
        return InboundEvent(NAME, provider_id, address, "edited", text=text) if text else None
    if text is not None:
        return InboundEvent(NAME, provider_id, address, "text", text=text, handle=handle)
    if caption:
        return InboundEvent(NAME, provider_id, address, "text", text=caption, handle=handle)
    return InboundEvent(NAME, provider_id, address, "media", handle=handle)


def _handle(user) -> str | None:
    """The Telegram username (5 to 32 letters, digits and underscores), if they set one."""
    name = getattr(user, "username", None)
    return name if isinstance(name, str) and _USERNAME.fullmatch(name) else None


def callback_id(data: dict) -> str | None:
    query = data.get("callback_query") if isinstance(data, dict) else None
    found = query.get("id") if isinstance(query, dict) else None
    return found if isinstance(found, str) else None
