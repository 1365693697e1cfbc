"""My account: a staff member links their own Telegram or phone for urgent notices with a
one-time code shown on the page, sees what is linked (numbers shortened) and unlinks it."""

from __future__ import annotations

import re

from bot.models import StaffContact

PHONE = "+221770008801"
CODE = re.compile(r'id="link-code".*?<strong dir="ltr" class="code">(\d{4}) (\d{4})</strong>', re.S)


async def test_a_facilitator_links_a_phone_with_the_code_and_unlinks_it(
    sqlite_stack, team, browsers
):
    stack = sqlite_stack
    fatou = await browsers("fatou@example.org")
    page = (await fatou.get("/admin/account")).text
    assert "Nothing is linked yet" in page
    shown = await fatou.post("/admin/account/link")
    assert shown.status_code == 200
    code = "".join(CODE.search(shown.text).groups())
    assert "+15005550006" in shown.text and "t.me/" not in shown.text  # no bot name set
    [reply] = await stack.sms_says(PHONE, code)
    assert reply.startswith("Linked, Fatou.")
    page = (await fatou.get("/admin/account")).text
    assert "…8801" in page and PHONE not in page
    [contact_id] = re.findall(r"/admin/account/contacts/(\d+)/unlink", page)
    # Someone else's browser cannot unlink it.
    omar = await browsers("omar@example.org")
    await omar.post(f"/admin/account/contacts/{contact_id}/unlink")
    assert stack.count(StaffContact) == 1 and "…8801" in (await fatou.get("/admin/account")).text
    await fatou.post(f"/admin/account/contacts/{contact_id}/unlink")
    assert "Nothing is linked yet" in (await fatou.get("/admin/account")).text


async def test_the_telegram_link_opens_the_bot_with_the_code(sqlite_stack, team, browsers):
    stack = sqlite_stack
    stack.settings.telegram_bot_username = "HomecomingBot"
    admin = await browsers("admin@example.org")
    shown = (await admin.post("/admin/account/link")).text
    code = "".join(CODE.search(shown).groups())
    assert f'href="https://t.me/HomecomingBot?start=link-{code}"' in shown
    [reply] = await stack.tg_says(5501, f"/start link-{code}")
    assert reply.startswith("Linked, Awa Admin.")


async def test_a_viewer_has_no_notices_to_link(sqlite_stack, team, browsers):
    victor = await browsers("victor@example.org")
    page = (await victor.get("/admin/account")).text
    assert 'action="/admin/account/link"' not in page
    assert (await victor.post("/admin/account/link")).status_code == 403


async def test_the_dashboard_says_when_urgent_alerts_have_nowhere_to_reach_you(
    sqlite_stack, team, browsers
):
    stack = sqlite_stack
    fatou = await browsers("fatou@example.org")
    assert 'data-testid="unlinked"' in (await fatou.get("/admin")).text
    code = "".join(CODE.search((await fatou.post("/admin/account/link")).text).groups())
    await stack.sms_says(PHONE, code)
    assert 'data-testid="unlinked"' not in (await fatou.get("/admin")).text
    victor = await browsers("victor@example.org")  # a viewer owns no alert
    assert 'data-testid="unlinked"' not in (await victor.get("/admin")).text
