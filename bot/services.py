"""Dependencies in one place: what the app, the CLI and the tests wire together."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx
from sqlalchemy.engine import Engine

from bot.casework import effects as casework_effects
from bot.casework import erasure as casework_erasure
from bot.casework.erasure import ErasureRegistry
from bot.casework.notices import AlertNotices
from bot.channels.base import Channel
from bot.channels.telegram import TelegramChannel
from bot.channels.twilio_sms import TwilioChannel
from bot.channels.web import WebChannel
from bot.config import Settings
from bot.content import load_content
from bot.db import is_sqlite, make_engine, transaction
from bot.followup import anonymity
from bot.followup import effects as followup_effects
from bot.followup import erasure as followup_erasure
from bot.followup.prompts import Scheduler
from bot.groups import effects as group_effects
from bot.groups import erasure as group_erasure
from bot.groups.tick import GroupTick
from bot.integrations import webhooks as outbound_webhooks
from bot.mentoring import effects as mentoring_effects
from bot.mentoring import erasure as mentoring_erasure
from bot.mentoring import refreshers
from bot.mentoring.tick import MentoringTick
from bot.messaging import erasure as messaging_erasure
from bot.messaging.inbox import Inbox
from bot.messaging.ratelimit import RateLimiter
from bot.messaging.sender import OutboxSender
from bot.messaging.shared_ratelimit import SharedRateLimiter
from bot.metrics import Metrics
from bot.people import erasure as people_erasure
from bot.people import import_jobs, retention
from bot.programme_settings import overrides, with_overrides
from bot.runtime import core as core_effects
from bot.runtime.effects import EffectRegistry
from bot.savings import effects as savings_effects
from bot.savings import erasure as savings_erasure
from bot.savings.tick import SavingsTick
from bot.timeutil import Clock, utcnow
from flows.content import Content

# Every domain that adds effect types registers their handlers here, in this order (the
# spine first: an Activate sets the status before follow-up gives the plan).
DOMAINS = (
    core_effects, casework_effects, followup_effects, mentoring_effects, group_effects,
    savings_effects,
)  # fmt: skip


# Every domain with tables that refer to a person adds its erasers here; contacts last,
# since the others find rows by the person's addresses.
ERASERS = (
    messaging_erasure,
    followup_erasure,
    mentoring_erasure,
    group_erasure,
    savings_erasure,
    casework_erasure,
    people_erasure,
)


def build_effects() -> EffectRegistry:
    effects = EffectRegistry()
    for domain in DOMAINS:
        domain.register(effects)
    return effects


def build_erasers() -> ErasureRegistry:
    return ErasureRegistry(eraser for domain in ERASERS for eraser in domain.ERASERS)


@dataclass
class Services:
    settings: Settings
    engine: Engine
    content: Content
    clock: Clock
    inbox: Inbox
    sender: OutboxSender
    limiter: RateLimiter | SharedRateLimiter
    scheduler: Scheduler
    mentoring: MentoringTick
    groups: GroupTick
    savings: SavingsTick
    notices: AlertNotices
    effects: EffectRegistry
    erasers: ErasureRegistry
    channels: dict[str, Channel] = field(default_factory=dict)
    telegram: TelegramChannel | None = None
    twilio: TwilioChannel | None = None
    # content/ as shipped; `content` is it with the admins' programme settings over it.
    base_content: Content | None = None
    metrics: Metrics | None = None

    def dispose(self) -> None:
        self.engine.dispose()

    def use_programme_settings(self, found: dict) -> None:
        """Every part that reads the content gets the programme's settings at once."""
        content = with_overrides(self.base_content or self.content, found)
        self.content = self.inbox.content = self.scheduler.content = content
        self.mentoring.content = self.groups.content = self.savings.content = content
        self.notices.content = content

    def reload_programme_settings(self) -> None:
        with transaction(self.engine) as session:
            found = overrides(session)
        self.use_programme_settings(found)

    def release_anonymous(self) -> int:
        """One housekeeping round of bot/followup/anonymity.py."""
        with transaction(self.engine) as session:
            return anonymity.release(session, self.clock().date())

    def remind_refreshers(self) -> int:
        """One housekeeping round of bot/mentoring/refreshers.py."""
        with transaction(self.engine) as session:
            return refreshers.queue_reminders(session, self.content, self.clock())

    def send_webhooks(self) -> int:
        """Due webhook deliveries (bot/integrations/webhooks.py)."""
        with httpx.Client() as client:
            return outbound_webhooks.deliver_due(self.engine, self.clock, client)

    def resume_imports(self) -> int:
        """People imports left running by a process that stopped (bot/people/import_jobs.py)."""
        return import_jobs.resume_stale(
            self.engine, self.content, self.settings.sms_allowed_countries, self.clock
        )

    def enforce_retention(self) -> dict[str, int]:
        """One housekeeping round of bot/people/retention.py."""
        with transaction(self.engine) as session:
            return retention.enforce(session, self.content, self.clock())


def build_services(
    settings: Settings, clock: Clock = utcnow, engine: Engine | None = None
) -> Services:
    engine = engine or make_engine(settings.database_url)
    content = load_content(settings.content_dir)
    # Several instances on PostgreSQL share the provider's limits; SQLite is one process.
    limiter = RateLimiter() if is_sqlite(engine) else SharedRateLimiter(engine)
    # At most half a second's worth at once: sends released together after a stall reach
    # the provider a little bunched, and a full second's burst then meets its 429.
    limiter.configure(
        "telegram",
        settings.telegram_global_per_second,
        burst=settings.telegram_global_per_second / 2,
    )
    limiter.configure("telegram_chat", settings.telegram_per_chat_per_second)
    limiter.configure("sms", settings.sms_segments_per_second)
    channels: dict[str, Channel] = {"web": WebChannel()}
    telegram = TelegramChannel(settings) if settings.telegram_enabled else None
    twilio = TwilioChannel(settings) if settings.twilio_enabled else None
    if telegram:
        channels["telegram"] = telegram
    if twilio:
        channels["sms"] = twilio
    metrics = Metrics(engine, clock)
    sender = OutboxSender(engine, channels, clock, limiter, content.catalog.rtl,
                          settings.send_concurrency, settings.instance, metrics)  # fmt: skip
    effects = build_effects()
    return Services(
        settings=settings,
        engine=engine,
        content=content,
        clock=clock,
        inbox=Inbox(engine, content, clock, effects),
        sender=sender,
        limiter=limiter,
        scheduler=Scheduler(engine, content, clock, effects),
        mentoring=MentoringTick(engine, content, clock, effects),
        groups=GroupTick(engine, content, clock, effects),
        savings=SavingsTick(engine, content, clock),
        notices=AlertNotices(engine, content, clock, settings.public_url),
        effects=effects,
        erasers=build_erasers(),
        channels=channels,
        telegram=telegram,
        twilio=twilio,
        base_content=content,
        metrics=metrics,
    )
