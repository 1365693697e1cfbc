"""API tokens in the admin: an admin creates one with its scopes and sees it once, the list
shows only its first characters, and revoking it stops the integration at once."""

from __future__ import annotations

import re

import httpx
from sqlmodel import select

from bot.db import transaction
from bot.integrations import webhooks
from bot.models import ApiToken, AuditLog, WebhookDelivery, WebhookEndpoint


async def test_a_token_is_shown_once_then_revoked(sqlite_stack, team, browsers):
    stack = sqlite_stack
    admin = await browsers("admin@example.org")
    refused = await admin.post("/admin/api-tokens", {"name": "Case system"})
    assert refused.status_code == 400 and "at least one scope" in refused.text
    made = await admin.post(
        "/admin/api-tokens", {"name": "Case system", "scope": ["read", "write"]}
    )
    token = re.search(r'data-testid="new-token">(hc_[^<]+)<', made.text).group(1)
    listed = (await admin.get("/admin/api-tokens")).text
    assert token not in listed and token[:10] in listed
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=stack.app),
                                 base_url="http://test/api/v1",
                                 headers={"Authorization": f"Bearer {token}"}) as api:  # fmt: skip
        assert (await api.get("/people")).status_code == 200
        with transaction(stack.engine) as session:
            token_id = session.exec(select(ApiToken)).one().id
        await admin.post(f"/admin/api-tokens/{token_id}/revoke", {})
        assert (await api.get("/people")).status_code == 401
    with transaction(stack.engine) as session:
        actions = [
            a.action for a in session.exec(select(AuditLog).where(AuditLog.action.like("api.%")))
        ]
    assert actions == ["api.token_created", "api.token_revoked"]
    fatou = await browsers("fatou@example.org")
    assert (await fatou.get("/admin/api-tokens")).status_code == 403


async def test_a_webhook_is_added_with_its_secret_shown_once_and_removed(
    sqlite_stack, team, browsers
):
    admin = await browsers("admin@example.org")
    bad = await admin.post("/admin/webhooks", {"url": "ftp://x", "event": ["alert.created"]})
    assert bad.status_code == 400 and "full address" in bad.text
    made = await admin.post("/admin/webhooks", {"url": "https://cases.example.org/hooks",
                                                "event": ["alert.created"]})  # fmt: skip
    secret = re.search(r'data-testid="new-secret">(whsec_[^<]+)<', made.text).group(1)
    page = (await admin.get("/admin/api-tokens")).text
    assert "https://cases.example.org/hooks" in page and secret not in page
    with transaction(sqlite_stack.engine) as session:
        endpoint = session.exec(select(WebhookEndpoint)).one()
        assert endpoint.secret == secret and endpoint.events == ["alert.created"]
    await admin.post(f"/admin/webhooks/{endpoint.id}/remove", {})
    assert "https://cases.example.org/hooks" not in (await admin.get("/admin/api-tokens")).text


async def test_a_webhook_gets_a_test_event_and_a_failed_delivery_is_sent_again(
    sqlite_stack, team, browsers, webhook_receiver
):
    stack = sqlite_stack
    admin = await browsers("admin@example.org")
    made = await admin.post("/admin/webhooks", {"url": webhook_receiver.url,
                                                "event": ["alert.created"]})  # fmt: skip
    secret = re.search(r'data-testid="new-secret">(whsec_[^<]+)<', made.text).group(1)
    with transaction(stack.engine) as session:
        endpoint_id = session.exec(select(WebhookEndpoint)).one().id
    # A test event, signed like a real one, through the same queue.
    tested = await admin.post(f"/admin/webhooks/{endpoint_id}/test", {})
    assert tested.status_code == 303
    webhook_receiver.fail_next = webhooks.MAX_ATTEMPTS  # the receiver is broken for a day
    for _ in range(webhooks.MAX_ATTEMPTS):
        stack.services.send_webhooks()
        stack.clock.advance(days=1)
    admin = await browsers("admin@example.org")  # signed in again after the long week
    page = (await admin.get("/admin/api-tokens")).text
    failed = page.split('data-testid="failed-deliveries"')[1].split("</table>")[0]
    assert "webhook.test" in failed and "HTTP 500" in failed
    assert "0 delivered, 0 waiting, 1 failed" in page
    # Mended: sent again from the first attempt, delivered once, and signed.
    with transaction(stack.engine) as session:
        delivery = session.exec(select(WebhookDelivery)).one()
    await admin.post(f"/admin/webhooks/deliveries/{delivery.id}/retry", {})
    await admin.post(f"/admin/webhooks/deliveries/{delivery.id}/retry", {})  # a second click
    assert stack.services.send_webhooks() == 1 and stack.services.send_webhooks() == 0
    [(headers, body)] = webhook_receiver.received
    assert headers["X-Homecoming-Event"] == "webhook.test"
    assert webhooks.verify(secret, headers["X-Homecoming-Signature"], body, stack.clock())
    page = (await admin.get("/admin/api-tokens")).text
    assert 'data-testid="failed-deliveries"' not in page
    assert "1 delivered, 0 waiting, 0 failed" in page
    with transaction(stack.engine) as session:
        actions = [a.action for a in session.exec(select(AuditLog).order_by(AuditLog.id))]
    assert actions.count("api.webhook_tested") == 1 and actions.count("api.webhook_retried") == 1
    # An endpoint that is not there: 404, nothing queued.
    assert (await admin.post("/admin/webhooks/999/test", {})).status_code == 404
    fatou = await browsers("fatou@example.org")
    assert (await fatou.post(f"/admin/webhooks/{endpoint_id}/test", {})).status_code == 403
