"""Twelve months of follow-up under an advancing clock: the prompts each person gets, and when."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import select

from bot.db import transaction
from bot.followup.plans import recompute
from bot.followup.prompts import Scheduler
from bot.models import Alert, Person, ScheduledPrompt
from tests.builders import (
    enrol_on_sms,
    enrol_on_telegram,
    fired,
    live_until,
    prompts,
)
from tests.fakes.updates import tg_text


async def test_a_simulated_year_for_a_small_cohort(sqlite_stack):
    stack = sqlite_stack
    awa = await enrol_on_telegram(stack, 11, "20/11/2026")  # returned 4 days ago
    binta = await enrol_on_sms(stack, "+221770000012", "05/10/2026")  # returned 7 weeks ago
    community = await enrol_on_telegram(stack, 13, "", role="2")  # lives here: no plan
    await live_until(stack, datetime(2028, 1, 1, tzinfo=UTC))

    assert fired(stack, awa.id) == [
        ("w1_settling", "2026-11-27 09:00"),
        ("m1_checkin", "2026-12-20 09:00"),
        ("m3_survey", "2027-02-20 09:00"),
        ("m6_checkin", "2027-05-20 09:00"),
        ("m6_feedback", "2027-05-22 09:00"),
        ("m9_checkin", "2027-08-20 09:00"),
        ("m12_survey", "2027-11-20 09:00"),
        ("m12_feedback", "2027-11-22 09:00"),
        ("m12_closure", "2027-11-24 09:00"),
    ]
    # Enrolled seven weeks after return: the week-1 check is stale and skipped; the month-1
    # check (due 19 days ago) comes at once; the rest keeps to the calendar.
    assert [(r.step_key, r.status) for r in prompts(stack, binta.id)][:2] == [
        ("w1_settling", "skipped"),
        ("m1_checkin", "answered"),
    ]
    assert fired(stack, binta.id)[0][0] == "m1_checkin"
    assert [key for key, _ in fired(stack, binta.id)] == [
        "m1_checkin",
        "m3_survey",
        "m6_checkin",
        "m6_feedback",
        "m9_checkin",
        "m12_survey",
        "m12_feedback",
        "m12_closure",
    ]
    assert prompts(stack, community.id) == []
    assert all(r.status == "answered" for r in prompts(stack, awa.id))
    assert stack.person("telegram", "11").outcome == "completed"
    # Every programme message arrived in local daytime.
    for row in stack.outbound():
        if row.origin and row.origin.split(".")[0] in ("checkin", "survey", "feedback", "followup"):
            assert 9 <= row.created_at.hour < 19


async def test_a_prompt_waits_behind_a_conversation_and_never_interrupts(sqlite_stack):
    stack = sqlite_stack
    awa = await enrol_on_telegram(stack, 21, "20/11/2026")
    stack.clock.now = datetime(2026, 11, 27, 8, 59, tzinfo=UTC)
    await stack.tg_says(21, "menu")  # she opens the menu just before the check-in is due
    stack.clock.advance(minutes=1)
    await stack.tick()
    assert [r.status for r in prompts(stack, awa.id)][0] == "waiting"
    assert stack.telegram_api.sent_to(21)[-1].text == "What would you like to do?"
    await stack.tg_presses(21, "help")  # ... and leaves it: the conversation has ended
    stack.clock.advance(minutes=15)
    await stack.tick()
    assert stack.telegram_api.sent_to(21)[-2].text.startswith(
        "Hello! How are your first days going?"
    )
    assert prompts(stack, awa.id)[0].status == "open"


async def test_no_reply_reminder_then_missed_then_unreachable_then_reachable(sqlite_stack):
    stack = sqlite_stack
    awa = await enrol_on_telegram(stack, 31, "20/11/2026")
    await live_until(stack, datetime(2026, 11, 27, 9, tzinfo=UTC), answer=False)
    assert stack.telegram_api.sent_to(31)[-1].text == "Do you have a good place to stay?"
    await live_until(stack, datetime(2026, 11, 29, 9, tzinfo=UTC), answer=False)
    reminder = stack.telegram_api.sent_to(31)[-1].text
    assert (
        reminder == "A gentle reminder, when you have a moment:\nDo you have a good place to stay?"
    )
    await live_until(stack, datetime(2026, 12, 1, 9, 1, tzinfo=UTC), answer=False)
    assert prompts(stack, awa.id)[0].status == "missed"
    assert stack.conversation(awa.id).flow is None
    # Two more waves pass without a word: unreachable, and the facilitator hears of it.
    await live_until(stack, datetime(2027, 2, 26, tzinfo=UTC), answer=False)
    person = stack.person("telegram", "31")
    assert person.missed_in_row == 3 and person.unreachable_at is not None
    with transaction(stack.engine) as session:
        [alert] = session.exec(select(Alert).where(Alert.reason == "unreachable")).all()
        assert alert.person_id == awa.id and alert.status == "open"
    await stack.tg_says(31, "hello, I lost my phone")
    person = stack.person("telegram", "31")
    assert person.unreachable_at is None and person.missed_in_row == 0


async def test_a_survey_left_behind_the_menu_takes_its_answers_with_it_when_it_expires(
    sqlite_stack,
):
    """Half-given answers are kept only until the survey ends or expires, also when the
    person opened the menu in the middle and never came back."""
    stack = sqlite_stack
    awa = await enrol_on_telegram(stack, 32, "20/11/2026")
    await live_until(stack, datetime(2026, 11, 27, 9, tzinfo=UTC), answer=False)
    await stack.tg_says(32, "1")  # the first answer
    await stack.tg_says(32, "MENU")
    parked = stack.conversation(awa.id)
    assert parked.flow == "menu" and parked.state["resume"]["data"]["survey"]["answers"]
    await live_until(stack, datetime(2026, 12, 2, 9, tzinfo=UTC), answer=False)
    assert prompts(stack, awa.id)[0].status == "missed"
    conversation = stack.conversation(awa.id)
    assert (conversation.flow, conversation.state) == (None, {})


async def test_daily_cap_and_window(sqlite_stack):
    stack = sqlite_stack
    awa = await enrol_on_telegram(stack, 41, "20/11/2026")
    with transaction(stack.engine) as session:
        # Three prompts due at the same moment, late in the evening.
        for row in session.exec(
            select(ScheduledPrompt).where(ScheduledPrompt.person_id == awa.id)
        ).all():
            if row.step_key in ("w1_settling", "m1_checkin", "m3_survey"):
                row.due_at = datetime(2026, 11, 27, 20, tzinfo=UTC)
    await live_until(stack, datetime(2026, 11, 30, tzinfo=UTC))
    days = [at for _, at in fired(stack, awa.id)[:3]]
    # Not at 20:00; two the next morning (the second once the first is answered); the third
    # the day after, as two a day is the most.
    assert days == ["2026-11-28 09:00", "2026-11-28 09:15", "2026-11-29 09:00"]


async def test_late_enrolment_and_a_corrected_return_date(sqlite_stack):
    stack = sqlite_stack
    awa = await enrol_on_telegram(stack, 51, "20/11/2026")
    assert prompts(stack, awa.id)[1].due_at == datetime(2026, 12, 20, 9, tzinfo=UTC)
    with transaction(stack.engine) as session:
        person = session.get(Person, awa.id)
        person.return_date = date(2026, 10, 1)  # staff correct it: she came back in October
        recompute(session, person, stack.services.content, stack.clock(), "staff:1")
    current = [r for r in prompts(stack, awa.id) if r.plan_revision == 2]
    assert {r.step_key: r.status for r in current}["w1_settling"] == "skipped"
    m1 = next(r for r in current if r.step_key == "m1_checkin")
    assert m1.due_at == stack.clock()  # due 24 days ago, within the grace: at once
    assert next(r for r in current if r.step_key == "m3_survey").due_at == datetime(
        2027, 1, 1, 9, tzinfo=UTC
    )
    assert all(r.status == "superseded" for r in prompts(stack, awa.id) if r.plan_revision == 1)


async def test_prompts_due_during_downtime_go_out_once_after_restart(
    database_url, telegram_api, twilio_api, clock
):
    from tests.stack import close_stack, open_stack, stack_settings

    settings = stack_settings(database_url, telegram_api, twilio_api)
    first = await open_stack(settings, telegram_api, twilio_api, clock)
    awa = await enrol_on_telegram(first, 61, "20/11/2026")
    await close_stack(first)
    clock.now = datetime(2026, 11, 27, 22, tzinfo=UTC)  # down all day while it fell due
    second = await open_stack(settings, telegram_api, twilio_api, clock)
    try:
        before = len(telegram_api.sent_to(61))
        await second.tick()  # 22:00 local: outside the window, nothing yet
        assert len(telegram_api.sent_to(61)) == before
        clock.now = datetime(2026, 11, 28, 9, tzinfo=UTC)
        await second.tick()
        await second.tick()
        sent = [m.text for m in telegram_api.sent_to(61)[before:]]
        assert sent[0].startswith("Hello! How are your first days going?")
        assert len(sent) == 2
        assert prompts(second, awa.id)[0].fired_at == datetime(2026, 11, 28, 9, tzinfo=UTC)
    finally:
        await close_stack(second)


async def test_two_instances_never_send_the_same_prompt(stack):
    from bot.db import make_engine

    people = [await enrol_on_telegram(stack, chat, "20/11/2026") for chat in range(70, 76)]
    stack.clock.now = datetime(2026, 11, 27, 9, tzinfo=UTC)
    other_engine = make_engine(stack.settings.database_url)
    other = Scheduler(
        other_engine, stack.services.content, stack.clock, stack.services.effects, batch=2
    )
    mine = Scheduler(
        stack.engine, stack.services.content, stack.clock, stack.services.effects, batch=2
    )
    import asyncio

    try:
        await asyncio.gather(asyncio.to_thread(mine.tick), asyncio.to_thread(other.tick))
    finally:
        other_engine.dispose()
    await stack.work()
    assert len(people) == 6
    for chat in range(70, 76):
        intros = [
            m
            for m in stack.telegram_api.sent_to(chat)
            if m.text.startswith("Hello! How are your first days")
        ]
        assert len(intros) == 1


async def test_stop_skips_prompts_and_start_resumes_them(sqlite_stack):
    stack = sqlite_stack
    awa = await enrol_on_telegram(stack, 81, "20/11/2026")
    await stack.tg_says(81, "stop")
    await live_until(stack, datetime(2026, 12, 1, tzinfo=UTC))
    assert prompts(stack, awa.id)[0].status == "skipped"
    await stack.tg_says(81, "start")
    await live_until(stack, datetime(2026, 12, 21, tzinfo=UTC))
    assert prompts(stack, awa.id)[1].status == "answered"


async def test_the_inbox_and_the_tick_share_the_persons_conversation_safely(sqlite_stack):
    stack = sqlite_stack
    await enrol_on_telegram(stack, 91, "20/11/2026")
    stack.clock.now = datetime(2026, 11, 27, 9, tzinfo=UTC)
    await stack.post_update(tg_text(91, "hello"))
    await (
        stack.tick()
    )  # the inbox row is processed first by work(); the prompt waits or fires after
    texts = [m.text for m in stack.telegram_api.sent_to(91)][-3:]
    assert any(t.startswith("Hello! How are your first days going?") for t in texts)


async def test_remigration_is_an_outcome_not_a_deletion(sqlite_stack):
    from bot.followup.outcomes import record_outcome

    stack = sqlite_stack
    awa = await enrol_on_telegram(stack, 201, "20/11/2026")
    await live_until(stack, datetime(2026, 12, 21, tzinfo=UTC))
    with transaction(stack.engine) as session:
        cancelled = record_outcome(
            session, session.get(Person, awa.id), "remigrated", "staff:1", stack.clock()
        )
    assert cancelled == 7
    statuses = [r.status for r in prompts(stack, awa.id)]
    assert statuses[:2] == ["answered", "answered"] and set(statuses[2:]) == {"cancelled"}
    person = stack.person("telegram", "201")
    assert person.outcome == "remigrated" and person.display_name == "Awa"
    await live_until(stack, datetime(2028, 1, 1, tzinfo=UTC))
    assert len(fired(stack, awa.id)) == 2


async def test_you_said_we_did_reaches_everyone_who_answered_the_round(sqlite_stack):
    from bot.followup.feedback import said_we_did

    stack = sqlite_stack
    named = await enrol_on_telegram(stack, 211, "20/11/2026")
    hidden = await enrol_on_telegram(stack, 212, "20/11/2026", language="2")
    silent = await enrol_on_telegram(stack, 213, "20/11/2026")
    with transaction(stack.engine) as session:
        for row in session.exec(select(ScheduledPrompt)).all():
            if row.step_key != "m6_feedback":
                row.status = "skipped"
    await live_until(stack, datetime(2027, 5, 22, 9, tzinfo=UTC), answer=False)
    for said in ["no", "4", "1", "1", "skip"]:
        await stack.tg_says(211, said)
    for said in ["oui", "5", "2", "2", "passer"]:
        await stack.tg_says(212, said)
    summaries = {"en": "More mentors in the North district.", "fr": "Plus de mentors dans le Nord."}
    with transaction(stack.engine) as session:
        sent = said_we_did(
            session, "feedback:m6", summaries, stack.services.content, "staff:1", stack.clock()
        )
    await stack.work()
    assert sent == 2
    assert (
        stack.telegram_api.sent_to(211)[-1].text
        == "You said, we did: More mentors in the North district."
    )
    assert stack.telegram_api.sent_to(212)[-1].text.endswith("Plus de mentors dans le Nord.")
    assert "mentors" not in stack.telegram_api.sent_to(213)[-1].text
    assert named.id and hidden.id and silent.id


async def test_a_plan_that_needs_a_guardian_waits_for_consent_and_tells_staff(sqlite_stack):
    from bot.models import Alert, Consent

    stack = sqlite_stack
    awa = await enrol_on_telegram(stack, 221, "20/11/2026")
    with transaction(stack.engine) as session:
        person = session.get(Person, awa.id)
        person.vulnerabilities = ["unaccompanied_minor"]
        recompute(session, person, stack.services.content, stack.clock(), "staff:1")
    assert stack.person("telegram", "221").plan == "minor"
    await live_until(stack, datetime(2026, 11, 30, tzinfo=UTC))
    assert fired(stack, awa.id) == []
    with transaction(stack.engine) as session:
        [alert] = session.exec(select(Alert)).all()
        assert alert.reason == "consent_needed"
        session.add(
            Consent(
                person_id=awa.id,
                purpose="guardian",
                version="v1",
                granted=True,
                channel="staff",
                at=stack.clock(),
            )
        )
    await live_until(stack, datetime(2026, 12, 2, tzinfo=UTC))
    assert [key for key, _ in fired(stack, awa.id)] == ["w1_settling"]


async def test_trafficking_survivors_get_monthly_check_ins(sqlite_stack):
    stack = sqlite_stack
    awa = await enrol_on_telegram(stack, 231, "20/11/2026")
    with transaction(stack.engine) as session:
        person = session.get(Person, awa.id)
        person.vulnerabilities = ["trafficking"]
        recompute(session, person, stack.services.content, stack.clock(), "staff:1")
    await live_until(stack, datetime(2027, 6, 1, tzinfo=UTC))
    months = [at[:7] for key, at in fired(stack, awa.id) if not key.startswith("w1")]
    assert months[:6] == ["2026-12", "2027-01", "2027-02", "2027-03", "2027-04", "2027-05"]


async def test_a_number_that_no_longer_exists_makes_the_person_unreachable(sqlite_stack):
    stack = sqlite_stack
    binta = await enrol_on_sms(stack, "+221770000241", "20/11/2026")
    stack.twilio_api.fail_next(400, 21614, "'To' number is not a valid mobile number")
    await live_until(stack, datetime(2026, 11, 27, 9, tzinfo=UTC), answer=False)
    person = stack.person("sms", "+221770000241")
    assert person.unreachable_at is not None
    with transaction(stack.engine) as session:
        [alert] = session.exec(select(Alert).where(Alert.reason == "unreachable")).all()
        assert "21614" in alert.detail
    assert binta.id == person.id


async def test_the_running_service_fires_due_prompts_on_its_own(
    sqlite_url, telegram_api, twilio_api, clock
):
    """Through the real APScheduler tick, started with the app's workers."""
    import asyncio

    from bot.workers import Workers
    from tests.stack import close_stack, open_stack, stack_settings

    settings = stack_settings(
        sqlite_url, telegram_api, twilio_api, worker_poll_seconds=0.2, followup_tick_seconds=1
    )
    stack = await open_stack(settings, telegram_api, twilio_api, clock)
    await enrol_on_telegram(stack, 251, "20/11/2026")
    clock.now = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
    workers = Workers(stack.services)
    await workers.start()
    try:
        for _ in range(100):
            if telegram_api.sent_to(251)[-1].text == "Do you have a good place to stay?":
                break
            await asyncio.sleep(0.1)
        assert telegram_api.sent_to(251)[-1].text == "Do you have a good place to stay?"
    finally:
        await workers.stop()
        await close_stack(stack)
