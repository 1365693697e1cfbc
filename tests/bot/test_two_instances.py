"""Two instances on one PostgreSQL database, the whole product: people in their follow-up
(prompts, pulses, no-reply reminders), a peer group with its meetings, a savings group
with its reminders, a cry for help and its escalation to the safeguarding lead. The same
six weeks are lived twice from one copy of the database: once by one instance, once by two
ticking and sending side by side. Every due row is processed once (the audit trail and
the rows match), every message goes once (the providers saw exactly the rows sent), and
nothing is missed (the two runs sent the same messages to the same people)."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select, text

from bot import programme_settings
from bot.db import make_engine, transaction
from bot.models import AuditLog, Contact, GroupTask, Outbound, SavingsTask, ScheduledPrompt
from tests.bot.groups import helpers as g
from tests.bot.savings import helpers as s
from tests.builders import add_person, add_staff, enrol_on_sms, enrol_on_telegram, link_phone
from tests.clock import FakeClock
from tests.stack import close_stack, open_stack, stack_settings

START = datetime(2026, 11, 24, 9, tzinfo=UTC)
LEAD_PHONE = "+221770006601"


async def _build(stack) -> None:
    lead = add_staff(stack, "lead@example.org", "facilitator", "Lena")
    with transaction(stack.engine) as session:
        programme_settings.save(session, stack.services.content, {"safeguarding_lead_id": lead},
                                lead, stack.clock())  # fmt: skip
    stack.services.reload_programme_settings()
    await link_phone(stack, lead, LEAD_PHONE)
    for chat in range(66_010, 66_016):
        await enrol_on_telegram(stack, chat, "20/11/2026")
    for n in range(3):
        await enrol_on_sms(stack, f"+22177000662{n}", "11/2026")
    await stack.tg_says(66_010, "i want to kill myself")  # a high alert, due soon
    members = [add_person(stack, f"Member {n}", channel="telegram", address=str(66_100 + n))
               for n in range(4)]  # fmt: skip
    gid = g.create_group(stack)
    for person in members:
        g.invite(stack, gid, person)
    await stack.tick()
    for n in range(4):
        await stack.tg_presses(66_100 + n, "yes")
    g.approve(stack, gid)
    for days in (3, 10, 17):
        g.add_meeting(stack, gid, START + timedelta(days=days, hours=8))
    savers = [add_person(stack, f"Saver {n}", channel="sms", address=f"+22177000663{n}")
              for n in range(4)]  # fmt: skip
    s.register(stack, savers, {"treasurer": savers[0]}, date(2026, 11, 26), cadence="weekly")
    await stack.work()


def _copy(server_url: str, source: str, target: str) -> None:
    engine = make_engine(server_url)
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f'CREATE DATABASE "{target}" TEMPLATE "{source}"'))
    finally:
        engine.dispose()


async def _live(instances, clock: FakeClock, until: datetime) -> None:
    """Every six hours, each instance runs its ticks and sends, at the same time as the
    others (threads on the same database), as their workers would."""

    def ticks(services) -> None:
        services.scheduler.tick()
        services.groups.tick()
        services.savings.tick()
        services.notices.tick()
        services.inbox.process_pending()

    while clock.now < until:
        clock.advance(hours=6)
        await asyncio.gather(*(asyncio.to_thread(ticks, one.services) for one in instances))
        await asyncio.gather(*(one.services.sender.drain() for one in instances))


def _outcome(stack, since: datetime) -> dict:
    """What the run did: sent since it began, the audit trail, the due rows' statuses."""
    done = (Outbound.status.in_(("sent", "delivered")), Outbound.sent_at > since)
    with stack.engine.connect() as connection:
        sent = connection.execute(
            select(Contact.address, Outbound.origin, Outbound.body)
            .join(Contact, Contact.id == Outbound.contact_id, isouter=True)
            .where(*done)
        ).all()
        audit = connection.execute(select(AuditLog.action, func.count()).group_by(AuditLog.action))
        staff_sent = connection.execute(
            select(func.count()).where(Outbound.staff_contact_id.is_not(None), *done)
        ).scalar()  # fmt: skip
        rows = {
            model.__name__: Counter(
                connection.execute(select(model.status)).scalars()
            ) for model in (ScheduledPrompt, GroupTask, SavingsTask)
        }  # fmt: skip
        waiting = connection.execute(
            select(func.count()).where(Outbound.status.in_(("pending", "sending")))
        ).scalar()
    return {
        "sent": Counter((address, origin, body) for address, origin, body in sent if address),
        "staff_sent": staff_sent,
        "audit": dict(audit.all()),
        "rows": rows,
        "waiting": waiting,
    }


def _provider_calls(telegram_api, twilio_api) -> int:
    return len(telegram_api.sent) + len(twilio_api.sent)


async def test_two_instances_do_what_one_does_once(
    postgres_databases, postgres_server, telegram_api, twilio_api
):
    clock = FakeClock(START)
    original = postgres_databases.fresh()
    stack = await open_stack(stack_settings(original, telegram_api, twilio_api), telegram_api,
                             twilio_api, clock)  # fmt: skip
    try:
        await _build(stack)
    finally:
        await close_stack(stack)
    name = original.rsplit("/", 1)[1]
    for copy in ("one", "two"):
        _copy(postgres_server.url, name, f"{name}_{copy}")
    until = START + timedelta(days=42)
    outcomes, calls = {}, {}
    for copy, count in (("one", 1), ("two", 2)):
        url = original.rsplit("/", 1)[0] + f"/{name}_{copy}"
        run_clock = FakeClock(clock.now)
        instances = [
            await open_stack(
                stack_settings(url, telegram_api, twilio_api, instance=f"i{n}"),
                telegram_api,
                twilio_api,
                run_clock,
            )  # fmt: skip
            for n in range(count)
        ]
        for one in instances:
            one.services.reload_programme_settings()  # as Workers.start does
        before = _provider_calls(telegram_api, twilio_api)
        try:
            await _live(instances, run_clock, until)
            outcomes[copy] = _outcome(instances[0], clock.now)
        finally:
            for one in instances:
                await close_stack(one)
        calls[copy] = _provider_calls(telegram_api, twilio_api) - before
    one, two = outcomes["one"], outcomes["two"]
    # Six weeks of every kind of due row happened ...
    kinds = Counter(origin.split(".")[0] for _, origin, _ in one["sent"].elements())
    assert sum(one["sent"].values()) >= 60 and one["staff_sent"] >= 1, kinds
    assert {"checkin", "groups", "savings"} <= set(kinds), kinds
    assert one["rows"]["ScheduledPrompt"]["pending"] < sum(one["rows"]["ScheduledPrompt"].values())
    assert one["audit"].get("alert.escalated", 0) >= 1
    # ... and two instances did exactly the same, once each.
    assert two["sent"] == one["sent"]
    assert two["audit"] == one["audit"] and two["rows"] == one["rows"]
    assert two["waiting"] == one["waiting"] == 0
    assert calls["two"] == calls["one"] == sum(one["sent"].values()) + one["staff_sent"]
