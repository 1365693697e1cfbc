"""Prometheus metrics for `/metrics`: what this instance did (counters, since it started)
and what the whole deployment still owes (gauges read from the database at each scrape:
queue depths, the oldest due row, open alerts and their age).

Counters are per instance; sum them across instances. Gauges are the same on every
instance, since they read the one database: take them from any one."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from bot.models import Alert, Inbound, Outbound
from bot.timeutil import Clock

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class Metrics:
    def __init__(self, engine: Engine, clock: Clock):
        # A registry of its own: several apps in one process (the tests) never collide.
        self.registry = CollectorRegistry(auto_describe=True)
        self.sends = Counter(
            "homecoming_sends", "Provider calls for outbound messages, by outcome",
            ["channel", "outcome"], registry=self.registry,
        )  # fmt: skip
        self.throttled = Counter(
            "homecoming_provider_throttled", "429s (too many requests) from a provider",
            ["channel"], registry=self.registry,
        )  # fmt: skip
        self.inbound = Counter(
            "homecoming_inbound_stored", "Inbound messages stored by the webhooks",
            ["channel"], registry=self.registry,
        )  # fmt: skip
        self.registry.register(_Backlog(engine, clock))

    def sent(self, channel: str) -> None:
        self.sends.labels(channel, "sent").inc()

    def failed(self, channel: str, code: str, retried: bool) -> None:
        self.sends.labels(channel, "retried" if retried else "failed").inc()
        if code.endswith("429"):  # telegram:429, twilio:429, twilio:20429
            self.throttled.labels(channel).inc()

    def stored(self, channel: str) -> None:
        self.inbound.labels(channel).inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)


class _Backlog(Collector):
    """Read at each scrape: a handful of counts on indexes (the inbox's, the outbox's due
    rows, open alerts), nothing per person. The send rate is the counters' rate."""

    def __init__(self, engine: Engine, clock: Clock):
        self.engine = engine
        self.clock = clock

    def describe(self) -> list:
        return []  # nothing to ask the database at registration

    def collect(self) -> Iterator[GaugeMetricFamily]:
        now = self.clock()
        with self.engine.connect() as connection:
            inbox = connection.execute(
                select(func.count(), func.min(Inbound.received_at)).where(
                    Inbound.processed_at.is_(None)
                )
            ).one()
            outbox = connection.execute(
                select(Outbound.channel, func.count(), func.min(Outbound.next_attempt_at))
                .where(Outbound.status.in_(("pending", "sending")), Outbound.next_attempt_at <= now)
                .group_by(Outbound.channel)
            ).all()
            alerts = connection.execute(
                select(
                    Alert.severity,
                    func.count(),
                    func.min(Alert.created_at),
                    func.count().filter(Alert.due_at < now),
                )
                .where(Alert.status == "open")
                .group_by(Alert.severity)
            ).all()

        def age(since) -> float:
            return max(0.0, (now - since).total_seconds()) if since else 0.0

        yield _gauge("homecoming_inbox_pending", "Inbound messages stored, not yet processed",
                     [([], inbox[0])])  # fmt: skip
        yield _gauge("homecoming_inbox_oldest_seconds", "Age of the oldest unprocessed inbound",
                     [([], age(inbox[1]))])  # fmt: skip
        yield _gauge("homecoming_outbox_due", "Outbound rows due and not yet sent",
                     [([c], n) for c, n, _ in outbox], ["channel"])  # fmt: skip
        yield _gauge("homecoming_outbox_oldest_due_seconds",
                     "How long the oldest due outbound row has waited",
                     [([c], age(oldest)) for c, _, oldest in outbox], ["channel"])  # fmt: skip
        yield _gauge("homecoming_alerts_open", "Open alerts",
                     [([s], n) for s, n, _, _ in alerts], ["severity"])  # fmt: skip
        yield _gauge("homecoming_alerts_overdue", "Open alerts past their due time",
                     [([s], late) for s, _, _, late in alerts], ["severity"])  # fmt: skip
        yield _gauge("homecoming_alert_oldest_open_seconds", "Age of the oldest open alert",
                     [([s], age(oldest)) for s, _, oldest, _ in alerts], ["severity"])  # fmt: skip


def _gauge(name: str, documentation: str, samples, labels: list[str] | None = None):
    family = GaugeMetricFamily(name, documentation, labels=labels or [])
    for values, value in samples:
        family.add_metric(values, float(value))
    return family
