"""/metrics: off unless a token is set, refused without it, and in Prometheus' text format
what an operator watches: the queues and how old their oldest row is, the send rate and the
429s, open alerts and how long the oldest has waited."""

from __future__ import annotations

from datetime import timedelta

from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from bot.db import transaction
from bot.models import Alert
from tests.fakes.updates import tg_text

TOKEN = "scrape-token-0123456789"


def _samples(text: str) -> dict[tuple[str, tuple], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


async def _scrape(stack, token: str | None = TOKEN):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await stack.client.get("/metrics", headers=headers)


async def test_metrics_are_off_without_a_token_and_refused_without_the_right_one(sqlite_stack):
    stack = sqlite_stack
    assert (await _scrape(stack)).status_code == 404
    stack.services.settings.metrics_token = SecretStr(TOKEN)
    assert (await _scrape(stack, None)).status_code == 401
    assert (await _scrape(stack, "guess")).status_code == 401
    answer = await _scrape(stack)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")


async def test_queues_sends_429s_and_alert_age_are_counted(stack):
    stack.services.settings.metrics_token = SecretStr(TOKEN)
    await stack.tg_says(501, "hi")  # stored, processed, answered
    found = _samples((await _scrape(stack)).text)
    assert found[("homecoming_sends_total", (("channel", "telegram"), ("outcome", "sent")))] >= 1
    stack.telegram_api.fail_next("sendMessage", 429, "Too Many Requests", retry_after=1)
    await stack.post_update(tg_text(502, "hello"))  # stored, not yet processed
    now = stack.clock()
    with transaction(stack.services.engine) as session:
        session.add(Alert(reason="phrase", severity="high", status="open",
                          due_at=now + timedelta(minutes=10), created_at=now))  # fmt: skip
    stack.clock.advance(minutes=30)
    found = _samples((await _scrape(stack)).text)
    assert found[("homecoming_inbound_stored_total", (("channel", "telegram"),))] == 2
    assert found[("homecoming_sends_total", (("channel", "telegram"), ("outcome", "sent")))] >= 1
    assert found[("homecoming_inbox_pending", ())] == 1
    assert found[("homecoming_inbox_oldest_seconds", ())] == 30 * 60
    assert found[("homecoming_alerts_open", (("severity", "high"),))] == 1
    assert found[("homecoming_alerts_overdue", (("severity", "high"),))] == 1
    assert found[("homecoming_alert_oldest_open_seconds", (("severity", "high"),))] == 30 * 60
    # The second person's reply meets a 429: counted, and the row waits, due, in the queue.
    await stack.work()
    found = _samples((await _scrape(stack)).text)
    assert found[("homecoming_provider_throttled_total", (("channel", "telegram"),))] == 1
    assert found[("homecoming_sends_total", (("channel", "telegram"), ("outcome", "retried")))] == 1
    stack.clock.advance(seconds=5)
    found = _samples((await _scrape(stack)).text)
    assert found[("homecoming_outbox_due", (("channel", "telegram"),))] == 1
    assert found[("homecoming_outbox_oldest_due_seconds", (("channel", "telegram"),))] >= 1
