"""The inbox: what the bot hands to a person arrives here, and staff answers go out on the
person's own channel through the outbox."""

from __future__ import annotations

import re

from sqlmodel import select

from bot.db import transaction
from bot.models import AuditLog, Inbound, Outbound, Person


async def says(stack, number: str, text: str) -> list[str]:
    stack.clock.advance(seconds=40)  # people take a moment to type
    return await stack.sms_says(number, text)


async def onboarded_on_sms(stack, number: str, facilitator_id: int | None) -> int:
    for said in ["Hello", "1", "yes", "yes", "Awa", "1", "1", "05/2026", "1", "3", "2", "1", "1"]:
        await says(stack, number, said)
    person = stack.person("sms", number)
    assert person.status == "active"
    with transaction(stack.engine) as session:
        session.get(Person, person.id).facilitator_id = facilitator_id
    return person.id


async def test_asking_for_a_person_lands_in_the_inbox_and_the_reply_goes_out_by_sms(
    sqlite_stack, team, browsers
):
    stack = sqlite_stack
    number = "+221770004455"
    person_id = await onboarded_on_sms(stack, number, team.facilitator)
    await says(stack, number, "MENU")
    await says(stack, number, "3")  # talk to a person
    await says(stack, number, "My landlord wants me out")
    fatou = await browsers("fatou@example.org")
    inbox = await fatou.get("/admin/inbox")
    assert f'href="/admin/inbox/{person_id}"' in inbox.text
    thread = await fatou.get(f"/admin/inbox/{person_id}")
    assert "My landlord wants me out" in thread.text and "Asked for a person" in thread.text
    before = len(stack.twilio_api.sent_to(number))
    response = await fatou.post(
        f"/admin/inbox/{person_id}/reply", {"text": "I will call you at 3 pm today. Fatou"}
    )
    assert response.status_code == 303
    await stack.work()
    assert [m.body for m in stack.twilio_api.sent_to(number)[before:]] == [
        "I will call you at 3 pm today. Fatou"
    ]
    with transaction(stack.engine) as session:
        reply = session.exec(select(Outbound).where(Outbound.origin == "staff.reply")).one()
        assert (reply.staff_id, reply.status, reply.channel) == (team.facilitator, "sent", "sms")
        waiting = session.exec(
            select(Inbound).where(Inbound.handoff.is_not(None), Inbound.handled_at.is_(None))
        ).all()
        assert waiting == []
        assert session.exec(select(AuditLog).where(AuditLog.action == "inbox.replied")).one()
    assert f'href="/admin/inbox/{person_id}"' not in (await fatou.get("/admin/inbox")).text
    timeline = await fatou.get(f"/admin/people/{person_id}")
    assert "I will call you at 3 pm today" in timeline.text and "Fatou" in timeline.text


async def test_assigning_and_marking_handled(sqlite_stack, team, browsers):
    stack = sqlite_stack
    number = "+221770004466"
    person_id = await onboarded_on_sms(stack, number, team.facilitator)
    await says(stack, number, "something the bot cannot read")
    admin = await browsers("admin@example.org")
    page = await admin.get("/admin/inbox?show=unassigned")
    assert f"/admin/inbox/{person_id}" in page.text
    await admin.post(f"/admin/inbox/{person_id}/assign", {"assignee": str(team.facilitator)})
    fatou = await browsers("fatou@example.org")
    assert f"/admin/inbox/{person_id}" in (await fatou.get("/admin/inbox?show=mine")).text
    assert f"/admin/inbox/{person_id}" not in (await admin.get("/admin/inbox?show=unassigned")).text
    bad = await admin.post(f"/admin/inbox/{person_id}/assign", {"assignee": str(team.viewer)})
    assert bad.status_code == 400
    await fatou.post(f"/admin/inbox/{person_id}/handled")
    assert f"/admin/inbox/{person_id}" not in (await fatou.get("/admin/inbox")).text


async def test_replies_are_refused_clearly_when_they_cannot_go(sqlite_stack, team, browsers):
    stack = sqlite_stack
    number = "+221770004477"
    person_id = await onboarded_on_sms(stack, number, team.facilitator)
    fatou = await browsers("fatou@example.org")
    empty = await fatou.post(f"/admin/inbox/{person_id}/reply", {"text": "   "})
    assert empty.status_code == 400 and "Write a message first" in empty.text
    long = await fatou.post(f"/admin/inbox/{person_id}/reply", {"text": "x" * 1001})
    assert long.status_code == 400
    await says(stack, number, "STOP")
    stopped = await fatou.post(f"/admin/inbox/{person_id}/reply", {"text": "Are you well?"})
    assert stopped.status_code == 400 and "no more messages" in stopped.text
    with transaction(stack.engine) as session:
        assert session.exec(select(Outbound).where(Outbound.origin == "staff.reply")).all() == []


async def test_a_facilitator_sees_only_their_peoples_threads(sqlite_stack, team, browsers):
    stack = sqlite_stack
    theirs = await onboarded_on_sms(stack, "+221770004488", team.other_facilitator)
    await says(stack, "+221770004488", "hello?")
    fatou = await browsers("fatou@example.org")
    assert f"/admin/inbox/{theirs}" not in (await fatou.get("/admin/inbox")).text
    assert (await fatou.get(f"/admin/inbox/{theirs}")).status_code == 404
    assert (await fatou.post(f"/admin/inbox/{theirs}/reply", {"text": "hi"})).status_code == 404
    omar = await browsers("omar@example.org")
    page = await omar.get("/admin/inbox")
    assert re.search(rf'href="/admin/inbox/{theirs}"', page.text)


async def test_a_thread_goes_only_to_someone_who_can_open_it_and_keeps_its_assignee(
    sqlite_stack, team, browsers
):
    stack = sqlite_stack
    number = "+221770004499"
    person_id = await onboarded_on_sms(stack, number, team.facilitator)
    await says(stack, number, "Are you there?")
    admin = await browsers("admin@example.org")
    # Omar cannot open Fatou's people's threads: he cannot be given one either.
    refused = await admin.post(
        f"/admin/inbox/{person_id}/assign", {"assignee": str(team.other_facilitator)}
    )
    assert refused.status_code == 400
    await admin.post(f"/admin/inbox/{person_id}/assign", {"assignee": str(team.facilitator)})
    await says(stack, number, "Hello? I need to talk")
    with transaction(stack.engine) as session:
        waiting = session.exec(
            select(Inbound).where(Inbound.handoff.is_not(None), Inbound.handled_at.is_(None))
        ).all()
    assert [row.assigned_to for row in waiting] == [team.facilitator, team.facilitator]
    assert f"/admin/inbox/{person_id}" not in (await admin.get("/admin/inbox?show=unassigned")).text


async def test_possible_distress_comes_first_in_the_inbox_with_a_time_to_read_it_by(
    sqlite_stack, team, browsers
):
    stack = sqlite_stack
    asked = await onboarded_on_sms(stack, "+221770004466", team.facilitator)
    await says(stack, "+221770004466", "AGENT")
    await says(stack, "+221770004466", "about my business plan")
    worried = await onboarded_on_sms(stack, "+221770004477", team.facilitator)
    await says(stack, "+221770004477", "honestly I feel so hopeless these days")
    fatou = await browsers("fatou@example.org")
    page = (await fatou.get("/admin/inbox")).text
    # Waiting longer, but possible distress is read first.
    assert page.index(f'href="/admin/inbox/{worried}"') < page.index(f'href="/admin/inbox/{asked}"')
    assert "Possibly in distress" in page and "Read by" in page
