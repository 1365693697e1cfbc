"""The whole service as tests drive it: the app over ASGI, real channel libraries talking HTTP
to local fakes, a frozen clock, and inbox/outbox steps run by hand instead of by workers."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest
from sqlmodel import select

from bot.app import create_app
from bot.config import Settings
from bot.db import transaction
from bot.models import Contact, Conversation, Inbound, Outbound, Person
from bot.services import build_services
from tests.fakes.updates import sms_form, tg_button, tg_text, twilio_signature

PUBLIC_URL = "https://homecoming.example.org"
TG_SECRET = "tg-secret-123"


@dataclass
class Stack:
    settings: Settings
    services: object
    client: httpx.AsyncClient
    telegram_api: object
    twilio_api: object
    clock: object
    app: object = None

    @property
    def engine(self):
        return self.services.engine

    # -- what providers do ------------------------------------------------------------------
    async def post_update(self, update: dict, secret: str | None = TG_SECRET) -> httpx.Response:
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        return await self.client.post("/webhooks/telegram", json=update, headers=headers)

    async def post_sms(
        self, form: dict[str, str], signature: str | None = None, path: str = "/webhooks/twilio/sms"
    ) -> httpx.Response:
        token = self.settings.twilio_auth_token.get_secret_value()
        signature = (
            signature if signature is not None else twilio_signature(token, PUBLIC_URL + path, form)
        )
        return await self.client.post(path, data=form, headers={"X-Twilio-Signature": signature})

    # -- the service's own work ------------------------------------------------------------
    async def work(self) -> None:
        """What the background workers would do: process the inbox, tell staff of alerts,
        send the outbox."""
        self.services.inbox.process_pending()
        self.services.notices.tick()
        await self.services.sender.drain()

    async def tick(self) -> int:
        """What the follow-up tick would do, then send what it queued."""
        moved = (
            self.services.scheduler.tick()
            + self.services.mentoring.tick()
            + self.services.groups.tick()
            + self.services.savings.tick()
        )
        self.services.notices.tick()
        await self.work()
        return moved

    # -- a person talking ------------------------------------------------------------------
    async def tg_says(self, chat_id: int, text: str, username: str | None = None) -> list[str]:
        before = len(self.telegram_api.sent_to(chat_id))
        response = await self.post_update(tg_text(chat_id, text, username=username))
        assert response.status_code == 200
        await self.work()
        return [m.text for m in self.telegram_api.sent_to(chat_id)[before:]]

    async def tg_presses(self, chat_id: int, data: str) -> list[str]:
        before = len(self.telegram_api.sent_to(chat_id))
        response = await self.post_update(tg_button(chat_id, data))
        assert response.status_code == 200
        await self.work()
        return [m.text for m in self.telegram_api.sent_to(chat_id)[before:]]

    async def sms_says(self, number: str, text: str, **extra: str) -> list[str]:
        before = len(self.twilio_api.sent_to(number))
        response = await self.post_sms(sms_form(number, text, **extra))
        assert response.status_code == 200
        await self.work()
        return [m.body for m in self.twilio_api.sent_to(number)[before:]]

    # -- what is stored --------------------------------------------------------------------
    def person(self, channel: str, address: str) -> Person | None:
        with transaction(self.engine) as session:
            contact = session.exec(
                select(Contact).where(Contact.channel == channel, Contact.address == address)
            ).first()
            if contact is None:
                return None
            person = session.get(Person, contact.person_id)
            session.expunge(person)
            return person

    def conversation(self, person_id: int) -> Conversation:
        with transaction(self.engine) as session:
            conv = session.exec(
                select(Conversation).where(Conversation.person_id == person_id)
            ).one()
            session.expunge(conv)
            return conv

    def count(self, model) -> int:
        with transaction(self.engine) as session:
            return len(session.exec(select(model)).all())

    def outbound(self) -> list[Outbound]:
        with transaction(self.engine) as session:
            rows = session.exec(select(Outbound).order_by(Outbound.id)).all()
            session.expunge_all()
            return list(rows)

    def inbound(self) -> list[Inbound]:
        with transaction(self.engine) as session:
            rows = session.exec(select(Inbound).order_by(Inbound.id)).all()
            session.expunge_all()
            return list(rows)


def stack_settings(database_url: str, telegram_api, twilio_api, **overrides) -> Settings:
    values = dict(
        database_url=database_url,
        secret_key="test-secret",
        public_url=PUBLIC_URL,
        telegram_bot_token=telegram_api.token,
        telegram_webhook_secret=TG_SECRET,
        telegram_api_url=telegram_api.url,
        twilio_account_sid=twilio_api.account_sid,
        twilio_auth_token=twilio_api.auth_token,
        twilio_from="+15005550006",
        twilio_api_url=twilio_api.url,
        # Tests move a frozen clock; real-time pacing would only slow them down.
        sms_segments_per_second=1000.0,
        telegram_per_chat_per_second=1000.0,
        telegram_global_per_second=1000.0,
    )
    values.update(overrides)
    return Settings(**values)


async def open_stack(settings: Settings, telegram_api, twilio_api, clock) -> Stack:
    services = build_services(settings, clock)
    if services.telegram is not None:
        await services.telegram.open()
    app = create_app(settings, clock, services, start_workers=False)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC_URL)
    return Stack(settings, services, client, telegram_api, twilio_api, clock, app)


async def close_stack(stack: Stack) -> None:
    await stack.client.aclose()
    if stack.services.telegram is not None:
        await stack.services.telegram.close()
    stack.services.dispose()


@pytest.fixture
async def stack(database_url, telegram_api, twilio_api, clock):
    """The service on both storage backends."""
    opened = await open_stack(
        stack_settings(database_url, telegram_api, twilio_api), telegram_api, twilio_api, clock
    )
    yield opened
    await close_stack(opened)


@pytest.fixture
async def sqlite_stack(sqlite_url, telegram_api, twilio_api, clock):
    """For tests about behaviour, not storage: SQLite only, for speed."""
    opened = await open_stack(
        stack_settings(sqlite_url, telegram_api, twilio_api), telegram_api, twilio_api, clock
    )
    yield opened
    await close_stack(opened)
