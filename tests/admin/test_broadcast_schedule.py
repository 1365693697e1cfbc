"""A broadcast tried on the staff member's own phone first, scheduled for later, and asking
for replies: the test goes to their linked contacts only, a scheduled one waits for its time
(each person still in their own daytime), and the page says both."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime

from sqlmodel import select

from bot.db import transaction
from bot.models import Broadcast, Outbound, StaffContact
from tests.builders import add_person

TEXTS = {"text_en": "Job fair on Saturday at 10. Reply if you want to come.", "text_fr": "",
         "text_ar": ""}  # fmt: skip


async def test_a_test_goes_to_my_linked_phone_only(sqlite_stack, team, browsers):
    stack = sqlite_stack
    add_person(stack, "Awa", facilitator_id=team.facilitator, address="+221770000001")
    fatou = await browsers("fatou@example.org")
    unlinked = await fatou.post("/admin/broadcasts/test", TEXTS)
    assert unlinked.status_code == 400 and "Link your Telegram or phone" in unlinked.text
    with transaction(stack.engine) as session:
        session.add(StaffContact(staff_id=team.facilitator, channel="sms", address="+221770000099",
                                 linked_at=stack.clock()))  # fmt: skip
    tested = await fatou.post("/admin/broadcasts/test", TEXTS)
    assert tested.status_code == 200 and "Test sent to your linked contact." in tested.text
    rows = stack.outbound()
    assert [(r.person_id, r.body, r.origin) for r in rows] == [
        (None, TEXTS["text_en"], "broadcast.test")
    ]


async def test_a_broadcast_scheduled_for_later_waits_for_its_time(sqlite_stack, team, browsers):
    stack = sqlite_stack
    person = add_person(stack, "Awa", facilitator_id=team.facilitator, address="+221770000001")
    fatou = await browsers("fatou@example.org")
    form = {**TEXTS, "nonce": secrets.token_urlsafe(12), "send_at": "2026-11-28T10:00",
            "reply_days": "3"}  # fmt: skip
    sent = await fatou.post("/admin/broadcasts", form)
    broadcast_id = int(re.search(r"(\d+)$", sent.headers["location"]).group(1))
    with transaction(stack.engine) as session:
        broadcast = session.get(Broadcast, broadcast_id)
        assert broadcast.send_at == datetime(2026, 11, 28, 10, tzinfo=UTC)  # Dakar is on UTC
        assert broadcast.reply_days == 3
        row = session.exec(select(Outbound).where(Outbound.person_id == person)).one()
        assert row.next_attempt_at == datetime(2026, 11, 28, 10, tzinfo=UTC)
    page = (await fatou.get(f"/admin/broadcasts/{broadcast_id}")).text
    assert "Sent from" in page and "for 3 days" in page
    await stack.services.sender.drain()
    assert stack.twilio_api.sent_to("+221770000001") == []  # not before its time
