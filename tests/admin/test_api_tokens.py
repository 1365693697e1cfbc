"""API tokens in the admin: an admin creates one with its scopes and sees it once, the list
shows only its first characters, and revoking it stops the integration at once."""

from __future__ import annotations

import re

import httpx
from sqlmodel import select

from bot.db import transaction
from bot.models import ApiToken, AuditLog


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
