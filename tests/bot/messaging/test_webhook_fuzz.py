"""Webhooks under input nobody planned for: a request that passed the secret or signature
check is answered 200 (stored, or logged and ignored) or 4xx, never 500, and what is not
taken leaves the database as it was. Named cases first (each once crashed), then hypothesis."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.models import Contact, Inbound, Outbound, Person
from tests.fakes.updates import sms_form, tg_button, tg_text, twilio_signature
from tests.stack import PUBLIC_URL, TG_SECRET

TABLES = (Inbound, Person, Contact, Outbound)
HEADERS = {"X-Telegram-Bot-Api-Secret-Token": TG_SECRET, "Content-Type": "application/json"}


def _rows(stack) -> tuple[int, ...]:
    return tuple(stack.count(table) for table in TABLES)


async def _post_raw(stack, body: bytes):
    return await stack.client.post("/webhooks/telegram", content=body, headers=HEADERS)


def _deep_array(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


async def test_an_sms_with_a_media_count_that_is_not_a_number_is_taken_as_text(sqlite_stack):
    form = {"MessageSid": "SMx1", "From": "+221771234567", "NumMedia": "abc"}
    response = await sqlite_stack.post_sms(form)
    assert response.status_code == 200
    await sqlite_stack.work()
    assert [i.error for i in sqlite_stack.inbound()] == [None]


async def test_a_button_whose_data_is_an_object_is_ignored(sqlite_stack):
    update = tg_button(601, "1")
    update["callback_query"]["data"] = {"value": "1"}
    before = _rows(sqlite_stack)
    response = await sqlite_stack.post_update(update)
    assert response.status_code == 200
    assert _rows(sqlite_stack) == before


async def test_a_message_without_a_chat_is_ignored(sqlite_stack):
    update = tg_text(602, "hello")
    del update["message"]["chat"]
    before = _rows(sqlite_stack)
    response = await sqlite_stack.post_update(update)
    assert response.status_code == 200
    assert _rows(sqlite_stack) == before


async def test_a_lone_surrogate_in_text_is_stored_as_a_replacement_character(stack):
    # json.dumps escapes it as \ud800, which JSON allows and UTF-8 cannot hold.
    body = json.dumps(tg_text(603, "help \ud800 me")).encode()
    response = await _post_raw(stack, body)
    assert response.status_code == 200
    await stack.work()
    [inbound] = stack.inbound()
    assert inbound.text == "help \ufffd me"
    assert inbound.error is None and inbound.processed_at is not None


@pytest.mark.parametrize(
    "body",
    [b"9" * 5000, b'{"update_id": ' + b"7" * 5000 + b"}", _deep_array(100_000)],
    ids=["5000_digit_number", "5000_digit_update_id", "deeply_nested_array"],
)
async def test_json_that_python_cannot_read_is_ignored(sqlite_stack, body):
    response = await _post_raw(sqlite_stack, body)
    assert response.status_code == 200
    assert _rows(sqlite_stack) == (0, 0, 0, 0)


# -- hypothesis ----------------------------------------------------------------------------

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=12,
)
# Keys an update really has, so that arbitrary values reach the parser's inner branches.
UPDATE_KEYS = st.sampled_from(
    ["update_id", "message", "edited_message", "callback_query", "my_chat_member", "chat",
     "text", "data", "from", "id", "type", "caption", "message_id", "date"]
)  # fmt: skip


def _mutated(base: dict, path: list[str], value) -> dict:
    """`base` with the value at `path` (walked through dicts as far as they go) replaced."""
    update = json.loads(json.dumps(base))
    node = update
    for key in path[:-1]:
        child = node.get(key)
        if not isinstance(child, dict):
            break
        node = child
    node[path[-1]] = value
    return update


FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _taken_or_untouched(stack, before: tuple[int, ...], status: int) -> None:
    assert status != 500
    after = _rows(stack)
    if status >= 400 or after[0] == before[0]:
        assert after == before  # rejected or ignored: nothing kept
    else:
        assert after[0] == before[0] + 1  # taken: one inbound row, no more


@FUZZ
@given(data=JSON)
async def test_any_json_to_the_telegram_webhook_is_never_a_500(sqlite_stack, data):
    before = _rows(sqlite_stack)
    response = await _post_raw(sqlite_stack, json.dumps(data).encode())
    _taken_or_untouched(sqlite_stack, before, response.status_code)


@FUZZ
@given(
    base=st.sampled_from(["text", "button"]),
    path=st.lists(UPDATE_KEYS, min_size=1, max_size=3),
    value=JSON,
)
async def test_a_real_update_with_any_field_changed_is_never_a_500(sqlite_stack, base, path, value):
    update = tg_text(604, "hello") if base == "text" else tg_button(604, "1")
    before = _rows(sqlite_stack)
    response = await _post_raw(sqlite_stack, json.dumps(_mutated(update, path, value)).encode())
    _taken_or_untouched(sqlite_stack, before, response.status_code)
    await sqlite_stack.work()
    assert all(i.processed_at is not None for i in sqlite_stack.inbound())


FORM_KEYS = st.sampled_from(
    ["MessageSid", "SmsSid", "From", "To", "Body", "NumMedia", "OptOutType", "MessageStatus",
     "SmsStatus", "ErrorCode", "MediaUrl0", "AccountSid"]
)  # fmt: skip
FORM_VALUES = st.text(max_size=40) | st.integers().map(str) | st.just("9" * 5000)


@FUZZ
@given(
    changes=st.dictionaries(FORM_KEYS | st.text(max_size=10), FORM_VALUES, max_size=5),
    path=st.sampled_from(["/webhooks/twilio/sms", "/webhooks/twilio/status"]),
)
async def test_any_signed_form_to_the_twilio_webhooks_is_never_a_500(sqlite_stack, changes, path):
    form = {**sms_form("+221771234567", "hello"), **changes}
    token = sqlite_stack.settings.twilio_auth_token.get_secret_value()
    signature = twilio_signature(token, PUBLIC_URL + path, form)
    before = _rows(sqlite_stack)
    response = await sqlite_stack.client.post(
        path, data=form, headers={"X-Twilio-Signature": signature}
    )
    _taken_or_untouched(sqlite_stack, before, response.status_code)
    await sqlite_stack.work()
    assert all(i.processed_at is not None for i in sqlite_stack.inbound())
