"""While the database cannot be reached, the webhooks store nothing and say so with 503 and
Retry-After (the provider sends it again), /healthz says why, and the service recovers by
itself when the database is back: nothing is lost, no restart."""

from __future__ import annotations

from bot.db import make_engine
from bot.models import Inbound
from tests.fakes.updates import sms_form, tg_text

# Nothing listens on port 1: connecting fails at once, as during an outage.
UNREACHABLE = "postgresql+psycopg://homecoming@127.0.0.1:1/homecoming"


async def test_webhooks_answer_503_while_the_database_is_down_and_recover(sqlite_stack):
    stack = sqlite_stack
    services = stack.services
    working, services.engine = services.engine, make_engine(UNREACHABLE)
    try:
        telegram = await stack.post_update(tg_text(801, "help me"))
        sms = await stack.post_sms(sms_form("+221771239999", "hello"))
        status = await stack.post_sms({"MessageSid": "SM1", "MessageStatus": "delivered"},
                                      path="/webhooks/twilio/status")  # fmt: skip
        health = await stack.client.get("/healthz")
    finally:
        services.engine.dispose()
        services.engine = working
    for response in (telegram, sms, status):
        assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert health.status_code == 503
    assert health.json()["database"] == "unreachable" and "127.0.0.1" not in health.text
    assert stack.count(Inbound) == 0
    # The database is back: the provider's retry is stored and answered; health is ok.
    assert (await stack.post_update(tg_text(801, "help me"))).status_code == 200
    assert (await stack.client.get("/healthz")).json() == {"status": "ok"}
    await stack.work()
    assert stack.count(Inbound) == 1 and stack.telegram_api.sent_to(801)
