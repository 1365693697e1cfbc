"""Logs name rows by id: a whole onboarding over SMS and Telegram, a cry for help, a STOP
and a delivery failure log nothing at INFO or above that holds a phone number, a chat id or
a word anyone wrote, nor a provider's token. JSON lines carry the request id (answered in X-Request-ID) and the ids
a call gave."""

from __future__ import annotations

import json
import logging

from bot.logs import JsonFormatter, quiet_libraries, request_id
from tests.builders import enrol_on_sms, enrol_on_telegram
from tests.fakes.updates import tg_text

NUMBER = "+221774443322"
CHAT = 731_947_288
WORDS = ["Zanzibarine", "nobody wants me here", "Mariama Kouyatequa"]


async def test_nothing_personal_reaches_the_logs_at_info(sqlite_stack, caplog):
    stack = sqlite_stack
    caplog.set_level(logging.INFO)
    quiet_libraries()  # as `homecoming serve` does (bot/logs.py configure)
    await enrol_on_sms(stack, NUMBER, "01/03/2026")
    await enrol_on_telegram(stack, CHAT, "01/03/2026")
    for said in WORDS:
        await stack.sms_says(NUMBER, said)
        await stack.tg_says(CHAT, said)
    await stack.tg_says(CHAT, "I want to end my life, Zanzibarine")
    stack.telegram_api.block(CHAT)
    await stack.tg_says(CHAT, "are you there")  # its reply fails for good: 403 blocked
    await stack.post_update({"update_id": 1, "message": {"text": "Zanzibarine"}})  # malformed
    # Twilio's own error words name the number.
    stack.twilio_api.fail_next(400, 21211, f"The 'To' number {NUMBER} is not a valid phone number.")
    await stack.sms_says(NUMBER, "hello?")
    await stack.sms_says(NUMBER, "STOP")
    lines = [record.getMessage() for record in caplog.records if record.levelno >= logging.INFO]
    assert any("telegram:403" in line for line in lines)  # both failures were logged
    assert any("twilio:21211" in line for line in lines)
    digits = (NUMBER, NUMBER.lstrip("+"), NUMBER[-9:], str(CHAT))
    secrets = (stack.settings.telegram_bot_token.get_secret_value(),
               stack.settings.twilio_auth_token.get_secret_value())  # fmt: skip
    for line in lines:
        assert not any(secret in line for secret in secrets), line
        assert not any(found in line for found in digits), line
        assert not any(word.lower() in line.lower() for word in WORDS), line


async def test_json_lines_carry_the_request_id_and_row_ids(sqlite_stack):
    stack = sqlite_stack
    answer = await stack.post_update(tg_text(732, "hi"), secret="wrong")
    assert answer.status_code == 403 and len(answer.headers["X-Request-ID"]) == 16
    given = await stack.client.post(
        "/webhooks/telegram", json=tg_text(732, "hi"),
        headers={"X-Request-ID": "lb-7f3a-0001", "X-Telegram-Bot-Api-Secret-Token": "wrong"},
    )  # fmt: skip
    assert given.headers["X-Request-ID"] == "lb-7f3a-0001"  # the load balancer's, kept
    odd = await stack.client.get("/healthz", headers={"X-Request-ID": "<script>" * 20})
    assert odd.headers["X-Request-ID"] != "<script>" * 20  # not echoed: a new one
    record = logging.LogRecord("bot.messaging.sender", logging.INFO, __file__, 1,
                               "outbound %s: sent", (41,), None)  # fmt: skip
    record.outbound_id = 41
    token = request_id.set("abc123")
    try:
        line = json.loads(JsonFormatter().format(record))
    finally:
        request_id.reset(token)
    assert line["message"] == "outbound 41: sent" and line["level"] == "INFO"
    assert line["request_id"] == "abc123" and line["outbound_id"] == 41
