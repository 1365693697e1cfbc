"""Outbound webhooks, over real HTTP to a local receiver: an alert raised and closed and a
person enrolled each become a delivery row in the same transaction, sent signed (the
receiver checks the HMAC), retried with backoff when the receiver fails, delivered once."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlmodel import select

from bot.casework.alerts import close_alert, raise_alert
from bot.db import transaction
from bot.integrations import webhooks
from bot.integrations.events import new_secret
from bot.models import Person, WebhookDelivery, WebhookEndpoint
from bot.people import import_jobs
from tests.builders import add_person, add_staff

SECRET = new_secret()


def _endpoint(stack, url: str, events=("alert.created", "alert.closed", "person.enrolled")):
    with transaction(stack.engine) as session:
        session.add(WebhookEndpoint(url=url, secret=SECRET, events=list(events)))


def _deliveries(stack) -> list[WebhookDelivery]:
    with transaction(stack.engine) as session:
        rows = session.exec(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()
        session.expunge_all()
        return list(rows)


async def test_an_alert_is_heard_signed_and_once(stack, webhook_receiver):
    _endpoint(stack, webhook_receiver.url)
    person_id = add_person(stack, "Awa")
    staff = add_staff(stack, "admin@example.org", "admin")
    with transaction(stack.engine) as session:
        alert = raise_alert(session, session.get(Person, person_id), "safety", "high",
                            "said: I am not safe", stack.clock())  # fmt: skip
        alert_id = alert.id
    assert stack.services.send_webhooks() == 1
    [(headers, body)] = webhook_receiver.received
    assert headers["X-Homecoming-Event"] == "alert.created"
    assert webhooks.verify(SECRET, headers["X-Homecoming-Signature"], body, stack.clock())
    assert not webhooks.verify(
        "another secret", headers["X-Homecoming-Signature"], body, stack.clock()
    )
    payload = json.loads(body)
    assert payload["data"]["alert"] == alert_id and "not safe" not in body.decode()
    assert stack.services.send_webhooks() == 0  # delivered: not again
    with transaction(stack.engine) as session:
        close_alert(
            session, session.get(type(alert), alert_id), staff, "Called her.", stack.clock()
        )
    stack.services.send_webhooks()
    assert [h["X-Homecoming-Event"] for h, _ in webhook_receiver.received] == [
        "alert.created",
        "alert.closed",
    ]


async def test_a_failing_receiver_is_retried_with_backoff(stack, webhook_receiver):
    _endpoint(stack, webhook_receiver.url, events=("alert.created",))
    person_id = add_person(stack, "Awa")
    webhook_receiver.fail_next = 2
    with transaction(stack.engine) as session:
        raise_alert(session, session.get(Person, person_id), "safety", "high", None, stack.clock())
    stack.services.send_webhooks()
    [row] = _deliveries(stack)
    assert (row.status, row.attempts, row.last_error) == ("pending", 1, "HTTP 500")
    assert row.next_attempt_at == stack.clock() + timedelta(minutes=1)
    assert stack.services.send_webhooks() == 0  # not due yet
    stack.clock.advance(minutes=1)
    stack.services.send_webhooks()
    assert _deliveries(stack)[0].next_attempt_at == stack.clock() + timedelta(minutes=5)
    stack.clock.advance(minutes=5)
    stack.services.send_webhooks()
    [row] = _deliveries(stack)
    assert (row.status, row.attempts) == ("delivered", 3) and len(webhook_receiver.received) == 1


async def test_an_unreachable_receiver_is_given_up_after_the_last_attempt(stack):
    _endpoint(stack, "http://127.0.0.1:9/nobody", events=("alert.created",))
    person_id = add_person(stack, "Awa")
    with transaction(stack.engine) as session:
        raise_alert(session, session.get(Person, person_id), "safety", "high", None, stack.clock())
    for _ in range(webhooks.MAX_ATTEMPTS):
        stack.services.send_webhooks()
        stack.clock.advance(days=1)
    [row] = _deliveries(stack)
    assert row.status == "failed" and row.attempts == webhooks.MAX_ATTEMPTS


async def test_an_imported_person_with_consent_is_announced_as_enrolled(stack, webhook_receiver):
    _endpoint(stack, webhook_receiver.url, events=("person.enrolled",))
    data = (b"Name,Phone,Consent date,Consent version,Consent taken by\n"
            b"Awa,+221771234567,2026-10-02,2026-01,Fatou\nMoussa,+221772345678,,,\n")  # fmt: skip
    with transaction(stack.engine) as session:
        job = import_jobs.upload(
            session, data, "l.csv", stack.services.content, None, stack.clock()
        )
        job_id = job.id
    import_jobs.run(stack.engine, job_id, stack.services.content, ["SN"], stack.clock)
    stack.services.send_webhooks()
    events = [json.loads(body) for _, body in webhook_receiver.received]
    assert [e["event"] for e in events] == ["person.enrolled"]  # Moussa is only invited
