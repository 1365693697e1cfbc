"""The engine and the runtime under any sequence hypothesis can think of: people writing
anything on either channel, pressing buttons that were never offered, providers sending the
same update twice or updates out of order, days passing without a reply, delivery reports
in any order. Whatever comes: no flow crashes (no inbound row keeps an error), nobody has
two active conversations, and no outbound row's status moves backwards."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.models import Conversation, Outbound
from tests.clock import FakeClock
from tests.fakes.updates import sms_form, tg_button, tg_text
from tests.stack import close_stack, open_stack, stack_settings

CHATS = (88_001, 88_002)
NUMBERS = ("+221770008801", "+221770008802")
SAID = st.sampled_from([
    "hi", "Bonjour", "1", "2", "3", "4", "9", "0", "yes", "no", "oui", "non", "skip", "back",
    "STOP", "START", "help", "AIDE", "01/03/2026", "yesterday", "I want to die", "je suis seul",
    "😀", " ", "", "12345678901234567890", "menu", "mentor", "group",
]) | st.text(max_size=30)  # fmt: skip
PRESSED = st.sampled_from(["1", "2", "3", "yes", "no", "0", "99", "lang:fr", ""]) | st.text(
    max_size=12
)
# Reports Twilio sends, in any order, sometimes with an error code.
REPORTED = st.tuples(
    st.sampled_from(["queued", "sending", "sent", "delivered", "read", "failed", "undelivered"]),
    st.sampled_from([None, "30003", "30005", "21610"]),
)

ACTION = st.one_of(
    st.tuples(st.just("say"), st.integers(0, 1), st.sampled_from(["telegram", "sms"]), SAID),
    st.tuples(st.just("press"), st.integers(0, 1), PRESSED),
    st.tuples(st.just("again")),
    st.tuples(st.just("shuffled"), st.permutations(range(3)), st.lists(SAID, min_size=3,
                                                                       max_size=3)),
    st.tuples(st.just("wait"), st.sampled_from([1, 20, 60 * 3, 60 * 26, 60 * 24 * 8, 60 * 24 * 35])),
    st.tuples(st.just("report"), st.integers(0, 50), REPORTED),
)  # fmt: skip

# How far along a row is; a status may only stay or move on (or end, before delivery).
ORDER = {"pending": 0, "sending": 0, "sent": 1, "delivered": 2, "read": 3}
ENDED = {"failed", "undelivered", "cancelled"}


def _moved_on(before: str, after: str) -> bool:
    if before == after:
        return True
    if before in ENDED:
        return False
    if after in ENDED:
        return ORDER[before] < ORDER["delivered"]
    return ORDER[after] >= ORDER[before]


class _Run:
    def __init__(self, stack):
        self.stack = stack
        self.last = None
        self.seen: dict[int, str] = {}

    async def post(self, kind: str, payload: dict) -> None:
        self.last = (kind, payload)
        if kind == "telegram":
            answer = await self.stack.post_update(payload)
        else:
            answer = await self.stack.post_sms(payload)
        assert answer.status_code in (200, 204)

    async def do(self, action: tuple) -> None:
        stack = self.stack
        match action:
            case ("say", who, "telegram", text):
                await self.post("telegram", tg_text(CHATS[who], text))
            case ("say", who, "sms", text):
                await self.post("sms", sms_form(NUMBERS[who], text))
            case ("press", who, data):
                await self.post("telegram", tg_button(CHATS[who], data))
            case ("again",) if self.last is not None:
                await self.post(*self.last)  # the provider's retry: the same update id
            case ("shuffled", order, texts):
                updates = [tg_text(CHATS[0], text) for text in texts]  # ids in this order
                for index in order:
                    await self.post("telegram", updates[index])
            case ("wait", minutes):
                stack.clock.advance(minutes=minutes)
                await stack.tick()
                return
            case ("report", pick, (status, code)):
                sms = [row for row in stack.outbound() if row.provider_id and row.channel == "sms"]
                if sms:
                    row = sms[pick % len(sms)]
                    form = {"MessageSid": row.provider_id, "MessageStatus": status}
                    if code:
                        form["ErrorCode"] = code
                    answer = await stack.post_sms(form, path="/webhooks/twilio/status")
                    assert answer.status_code == 204
        await stack.work()

    def check(self) -> None:
        stack = self.stack
        broken = [(row.id, row.text, row.error) for row in stack.inbound() if row.error]
        assert not broken, broken  # a flow crashed on one of these
        assert all(row.processed_at is not None for row in stack.inbound())
        with stack.engine.connect() as connection:
            twice = connection.execute(
                select(Conversation.person_id)
                .group_by(Conversation.person_id)
                .having(func.count() > 1)
            ).all()
            conversations = connection.execute(select(Conversation.flow, Conversation.step)).all()
            statuses = connection.execute(select(Outbound.id, Outbound.status)).all()
        assert not twice
        assert all(step is not None for flow, step in conversations if flow is not None)
        for row_id, status in statuses:
            before = self.seen.get(row_id, status)
            assert _moved_on(before, status), (row_id, before, status)
            self.seen[row_id] = status


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(actions=st.lists(ACTION, min_size=1, max_size=14))
async def test_any_sequence_of_inputs_keeps_the_invariants(
    sqlite_databases, telegram_api, twilio_api, actions
):
    # A fresh service and clock for each sequence: a failure replays the same way.
    settings = stack_settings(sqlite_databases.fresh(), telegram_api, twilio_api)
    stack = await open_stack(settings, telegram_api, twilio_api, FakeClock())
    try:
        run = _Run(stack)
        for action in actions:
            await run.do(action)
            run.check()
    finally:
        await close_stack(stack)


async def test_a_failure_reported_after_delivery_does_not_undo_it(sqlite_stack):
    stack = sqlite_stack
    await stack.sms_says(NUMBERS[0], "Bonjour")
    [row] = [r for r in stack.outbound() if r.channel == "sms"][:1]
    for status in ("delivered", "undelivered", "sent"):
        form = {"MessageSid": row.provider_id, "MessageStatus": status, "ErrorCode": "30003"}
        assert (await stack.post_sms(form, path="/webhooks/twilio/status")).status_code == 204
    [after] = [r for r in stack.outbound() if r.id == row.id]
    assert after.status == "delivered"
