"""Signing in and out: sessions renewed at login, one generic error, throttling, expiry."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from admin.pages.auth import LOGIN_CSRF
from admin.sessions import COOKIE
from bot.db import transaction
from bot.models import AuditLog, StaffSession
from tests.builders import PASSWORD


async def test_sign_in_sets_a_hardened_cookie_and_lands_on_the_dashboard(
    sqlite_stack, team, browsers
):
    browser = await browsers("fatou@example.org", login=False)
    page = await browser.get("/admin")
    assert page.status_code == 303 and page.headers["location"].startswith("/admin/login")
    response = await browser.login()
    assert response.status_code == 303 and response.headers["location"] == "/admin"
    cookie = response.headers["set-cookie"]
    assert COOKIE in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" in cookie  # the stack is served over https
    dashboard = await browser.get("/admin")
    assert dashboard.status_code == 200 and "Follow-ups due this week" in dashboard.text


async def test_the_session_id_is_renewed_at_sign_in(sqlite_stack, team, browsers):
    browser = await browsers("fatou@example.org", login=False)
    browser.client.cookies.set(
        COOKIE, "planted-by-an-attacker", domain="homecoming.example.org", path="/admin"
    )
    await browser.login()
    assert browser.client.cookies.get(COOKIE, path="/admin") != "planted-by-an-attacker"
    first = browser.client.cookies.get(COOKIE, path="/admin")
    # Signing in again from a browser that has a session: the old id is replaced too.
    browser.client.cookies.set(LOGIN_CSRF, "t0ken", domain="homecoming.example.org", path="/admin")
    form = {"email": "fatou@example.org", "password": PASSWORD, "csrf": "t0ken"}
    assert (await browser.client.post("/admin/login", data=form)).status_code == 303
    second = browser.client.cookies.get(COOKIE, path="/admin")
    assert first != second
    with transaction(sqlite_stack.engine) as session:
        # The old session is closed, not left behind.
        assert len(session.exec(select(StaffSession)).all()) == 1


async def test_one_generic_message_for_every_failure(sqlite_stack, team, browsers):
    browser = await browsers("fatou@example.org", login=False)
    wrong_password = await browser.login("not the password")
    nobody = await (await browsers("nobody@example.org", login=False)).login()
    assert wrong_password.status_code == nobody.status_code == 401
    message = "Email or password is not right"
    assert message in wrong_password.text and message in nobody.text


async def test_sign_in_attempts_are_limited(sqlite_stack, team, browsers):
    browser = await browsers("fatou@example.org", login=False)
    for _ in range(5):
        assert (await browser.login("wrong password!")).status_code == 401
    # Now even the right password is refused, with the same message, for a while.
    assert (await browser.login()).status_code == 401
    sqlite_stack.clock.advance(minutes=16)
    assert (await browser.login()).status_code == 303


async def test_a_login_form_without_its_token_is_refused(sqlite_stack, team, browsers):
    browser = await browsers("fatou@example.org", login=False)
    response = await browser.client.post(
        "/admin/login", data={"email": "fatou@example.org", "password": PASSWORD, "csrf": "x"}
    )
    assert response.status_code == 403
    assert COOKIE not in response.headers.get("set-cookie", "")


async def test_sessions_expire_when_idle(sqlite_stack, team, browsers):
    browser = await browsers("fatou@example.org")
    assert (await browser.get("/admin")).status_code == 200
    sqlite_stack.clock.advance(hours=2, minutes=1)
    assert (await browser.get("/admin")).status_code == 303


async def test_sign_out_ends_the_session(sqlite_stack, team, browsers):
    browser = await browsers("fatou@example.org")
    response = await browser.post("/admin/logout")
    assert response.status_code == 303
    assert (await browser.get("/admin")).status_code == 303
    with transaction(sqlite_stack.engine) as session:
        actions = [row.action for row in session.exec(select(AuditLog)).all()]
    assert actions == ["staff.login", "staff.logout"]


async def test_password_change_signs_out_other_devices(sqlite_stack, team, browsers):
    laptop = await browsers("fatou@example.org")
    phone = await browsers("fatou@example.org")
    response = await laptop.post(
        "/admin/account/password", {"current": PASSWORD, "new": "a much longer secret"}
    )
    assert response.status_code == 303
    assert (await laptop.get("/admin/account")).status_code == 200
    assert (await phone.get("/admin")).status_code == 303
    assert (await phone.login("a much longer secret")).status_code == 303


async def test_the_next_page_is_kept_across_sign_in_but_never_leaves_the_site(
    sqlite_stack, team, browsers
):
    browser = await browsers("admin@example.org", login=False)
    page = await browser.get("/admin/account")
    assert page.headers["location"] == "/admin/login?next=%2Fadmin%2Faccount"
    form = await browser.get("/admin/login?next=https://evil.example.com/")
    assert 'name="next" value="/admin"' in form.text


async def test_security_headers_forbid_inline_script(sqlite_stack, team, browsers):
    browser = await browsers("admin@example.org")
    page = await browser.get("/admin")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["cache-control"] == "no-store"
    assert "strict-transport-security" in page.headers
    assert "<script>" not in page.text  # only <script src=...>


async def test_a_form_without_the_csrf_token_is_refused(sqlite_stack, team, browsers):
    """Refused and sent back to the page it came from, saying so (what was typed is put
    back by admin.js), not a page about roles."""
    browser = await browsers("admin@example.org")
    response = await browser.client.post("/admin/language", data={"language": "fr"},
                                         headers={"Referer": "https://homecoming.example.org/admin/people?q=awa"})  # fmt: skip
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/people?q=awa&stale=1"
    response = await browser.client.post(
        "/admin/language", data={"language": "fr", "csrf": "wrong"}
    )
    assert response.status_code == 303 and response.headers["location"] == "/admin?stale=1"
    back = await browser.get("/admin/people?q=awa&stale=1")
    assert "This form was opened before you signed in again" in back.text
    assert "Tableau de bord" not in (await browser.get("/admin")).text  # nothing changed
    ok = await browser.post("/admin/language", {"language": "fr"})
    assert ok.status_code == 303
    assert "Tableau de bord" in (await browser.get("/admin")).text


async def test_switching_to_arabic_turns_the_page_right_to_left(sqlite_stack, team, browsers):
    browser = await browsers("admin@example.org")
    await browser.post("/admin/language", {"language": "ar"})
    page = await browser.get("/admin")
    assert 'dir="rtl"' in page.text and 'lang="ar"' in page.text
    assert "لوحة المتابعة" in page.text


async def test_the_login_page_speaks_the_chosen_language_before_sign_in(
    sqlite_stack, team, browsers
):
    browser = await browsers("admin@example.org", login=False)
    page = await browser.get("/admin/login?lang=fr")
    assert "Se connecter" in page.text
    again = await browser.get("/admin/login")
    assert "Se connecter" in again.text


def test_idle_and_lifetime_are_what_the_page_promises():
    from admin.sessions import IDLE, LIFETIME

    assert timedelta(hours=2) == IDLE and timedelta(hours=12) == LIFETIME


async def test_a_form_sent_after_the_session_ended_comes_back_after_signing_in(
    sqlite_stack, team, browsers
):
    from bot.models import StaffSession

    stack = sqlite_stack
    browser = await browsers("fatou@example.org")
    with transaction(stack.engine) as session:
        for row in session.exec(select(StaffSession)):
            session.delete(row)
    sent = await browser.post("/admin/inbox/1/reply", {"text": "I will call you"},
                              headers={"Referer": "https://homecoming.example.org/admin/inbox/1"})  # fmt: skip
    assert sent.status_code == 303
    assert sent.headers["location"] == "/admin/login?next=%2Fadmin%2Finbox%2F1%3Fkept%3D1"
    await browser.login()
    back = await browser.client.get("/admin/login?next=%2Fadmin%2Finbox%2F1%3Fkept%3D1")
    assert back.status_code == 303 and back.headers["location"] == "/admin/inbox/1?kept=1"
