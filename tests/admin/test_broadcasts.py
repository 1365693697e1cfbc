"""The Broadcasts pages as staff use them: compose, preview (nothing stored), send, watch.

Admins reach everyone, facilitators only their people and their own broadcasts, viewers
nothing; bad input is a 400 with a message; every form needs its CSRF token."""

from __future__ import annotations

import re
import secrets

from sqlmodel import select

from bot.db import transaction
from bot.models import AuditLog, Broadcast, Outbound
from tests.builders import add_person, add_staff

WARNING = "SMS are often read on a shared phone"


def _form(**values) -> dict:
    """A send form as the preview page gives it, with its own one-time token."""
    base = {"text_en": "Meeting on Saturday at 10.", "text_fr": "", "text_ar": ""}
    return {**base, "nonce": secrets.token_urlsafe(12), **values}


def _rows(stack) -> list[Outbound]:
    return stack.outbound()


def _broadcast_id(response) -> int:
    assert response.status_code == 303, response.text
    match = re.fullmatch(r"/admin/broadcasts/(\d+)", response.headers["location"])
    assert match, response.headers["location"]
    return int(match.group(1))


def _people(stack, team) -> dict[str, int]:
    return {
        "awa": add_person(stack, "Awa", facilitator_id=team.facilitator, address="+221770000001"),
        "rania": add_person(
            stack,
            "Rania",
            facilitator_id=team.facilitator,
            language="ar",
            channel="telegram",
            address="8001",
        ),  # fmt: skip
        "moussa": add_person(
            stack,
            "Moussa",
            facilitator_id=team.other_facilitator,
            district="north",
            address="+221770000003",
        ),  # fmt: skip
    }


async def test_casework_staff_see_the_pages_and_viewers_do_not(sqlite_stack, team, browsers):
    for email in ("admin@example.org", "fatou@example.org"):
        browser = await browsers(email)
        listing = await browser.get("/admin/broadcasts")
        assert listing.status_code == 200 and "New broadcast" in listing.text
        compose = await browser.get("/admin/broadcasts/new")
        assert compose.status_code == 200
        assert WARNING in compose.text
        for code in ("en", "fr", "ar"):
            assert f'name="text_{code}"' in compose.text
        assert 'name="text_ar" lang="ar" dir="rtl"' in compose.text
        assert 'name="district"' in compose.text  # the people filters
        # Only admins may pick another facilitator's people.
        assert ('name="facilitator"' in compose.text) == (email == "admin@example.org")
    viewer = await browsers("victor@example.org")
    for path in ("/admin/broadcasts", "/admin/broadcasts/new", "/admin/broadcasts/1"):
        assert (await viewer.get(path)).status_code == 403
    for path in ("/admin/broadcasts/preview", "/admin/broadcasts"):
        assert (await viewer.post(path, _form())).status_code == 403
    assert sqlite_stack.count(Broadcast) == 0


async def test_preview_shows_recipients_segments_and_cost_and_stores_nothing(
    sqlite_stack, team, browsers
):
    _people(sqlite_stack, team)
    admin = await browsers("admin@example.org")
    form = _form(text_en="Hello! " * 25, text_ar="اجتماع يوم السبت في المدرسة.")
    page = await admin.post("/admin/broadcasts/preview", form)
    assert page.status_code == 200, page.text
    assert "Recipients: 3<" in page.text
    assert re.search(r'data-testid="segments-en">2 <span class="note">GSM-7', page.text)
    assert re.search(r'data-testid="segments-ar">1 <span class="note">UCS-2', page.text)
    # Two English SMS of two segments; the Arabic reader is on Telegram, which is free.
    # In the currency's own decimals, as the staff member's language writes money.
    assert 'data-testid="cost-en">$0.03' in page.text
    assert 'data-testid="cost-ar">$0.00' in page.text
    assert 'data-testid="cost-total">$0.03' in page.text
    assert WARNING in page.text
    # The confirm form carries exactly what was previewed.
    assert 'action="/admin/broadcasts" data-confirm="Send this message now? Recipients: 3"' in (
        page.text
    )
    assert 'type="hidden" name="text_ar" value="اجتماع يوم السبت في المدرسة."' in page.text
    assert sqlite_stack.count(Broadcast) == 0 and sqlite_stack.count(Outbound) == 0


async def test_sending_queues_one_row_each_and_the_page_follows_it(sqlite_stack, team, browsers):
    stack = sqlite_stack
    people = _people(stack, team)
    admin = await browsers("admin@example.org")
    form = _form(text_ar="اجتماع يوم السبت.", district="central")
    broadcast_id = _broadcast_id(await admin.post("/admin/broadcasts", form))
    rows = {row.person_id: row for row in _rows(stack)}
    assert set(rows) == {people["awa"], people["rania"]}  # Moussa lives in the north
    assert rows[people["rania"]].body == "اجتماع يوم السبت."
    assert {row.broadcast_id for row in rows.values()} == {broadcast_id}
    page = await admin.get(f"/admin/broadcasts/{broadcast_id}")
    assert page.status_code == 200
    assert '<meta http-equiv="refresh" content="5">' in page.text
    assert 'data-testid="status">Sending' in page.text
    assert 'data-testid="count-pending">2<' in page.text
    with transaction(stack.engine) as session:
        broadcast = session.get(Broadcast, broadcast_id)
        assert broadcast.audience == {"district": "central"}
        assert broadcast.created_by == team.admin and broadcast.recipients == 2
        assert session.exec(select(AuditLog).where(AuditLog.action == "broadcast.sent")).one()

    await stack.services.sender.drain()
    assert [m.body for m in stack.twilio_api.sent_to("+221770000001")] == [
        "Meeting on Saturday at 10."
    ]
    assert len(stack.telegram_api.sent_to(8001)) == 1
    page = await admin.get(f"/admin/broadcasts/{broadcast_id}")
    assert 'data-testid="status">Finished' in page.text
    assert 'http-equiv="refresh"' not in page.text
    assert 'data-testid="count-sent">2<' in page.text
    listing = await admin.get("/admin/broadcasts")
    assert f'href="/admin/broadcasts/{broadcast_id}"' in listing.text
    assert "2 of 2 handled" in listing.text


async def test_a_facilitator_reaches_only_their_own_people(sqlite_stack, team, browsers):
    stack = sqlite_stack
    people = _people(stack, team)
    fatou = await browsers("fatou@example.org")
    # Asking for the other facilitator's people does not widen her reach.
    form = _form(facilitator=str(team.other_facilitator))
    preview = await fatou.post("/admin/broadcasts/preview", form)
    assert "Recipients: 2<" in preview.text
    broadcast_id = _broadcast_id(await fatou.post("/admin/broadcasts", form))
    assert {row.person_id for row in _rows(stack)} == {people["awa"], people["rania"]}
    assert stack.twilio_api.sent_to("+221770000003") == []
    # Nobody of hers in the north: a 400, not a broadcast.
    nobody = await fatou.post("/admin/broadcasts", _form(district="north"))
    assert nobody.status_code == 400 and "Nobody can receive this message" in nobody.text
    # An admin may choose a facilitator's people.
    admin = await browsers("admin@example.org")
    _broadcast_id(
        await admin.post("/admin/broadcasts", _form(facilitator=str(team.other_facilitator)))
    )
    assert people["moussa"] in {row.person_id for row in _rows(stack)}
    with transaction(stack.engine) as session:
        assert session.get(Broadcast, broadcast_id).created_by == team.facilitator


async def test_another_facilitators_broadcast_is_not_found(sqlite_stack, team, browsers):
    _people(sqlite_stack, team)
    fatou = await browsers("fatou@example.org")
    omar = await browsers("omar@example.org")
    admin = await browsers("admin@example.org")
    mine = _broadcast_id(await fatou.post("/admin/broadcasts", _form(text_en="From Fatou")))
    theirs = _broadcast_id(await omar.post("/admin/broadcasts", _form(text_en="From Omar")))
    assert (await fatou.get(f"/admin/broadcasts/{mine}")).status_code == 200
    assert (await fatou.get(f"/admin/broadcasts/{theirs}")).status_code == 404
    assert (await fatou.get("/admin/broadcasts/99999")).status_code == 404
    listing = await fatou.get("/admin/broadcasts")
    assert f"/admin/broadcasts/{mine}" in listing.text
    assert f"/admin/broadcasts/{theirs}" not in listing.text
    # Admins see every broadcast.
    assert (await admin.get(f"/admin/broadcasts/{theirs}")).status_code == 200
    every = await admin.get("/admin/broadcasts")
    assert f"/admin/broadcasts/{mine}" in every.text and f"/admin/broadcasts/{theirs}" in every.text


async def test_bad_input_is_a_400_with_a_message(sqlite_stack, team, browsers):
    _people(sqlite_stack, team)
    admin = await browsers("admin@example.org")
    cases = [
        (_form(text_en="  ", text_fr="Bonjour"), "Write the message in English: it is needed."),
        (_form(text_en="x" * 1001), "The English message is too long (1000 characters at most)."),
        (_form(text_ar="ب" * 1001), "The العربية message is too long"),
        (_form(district="south"), "Nobody can receive this message."),
        (_form(q="nobody by that name"), "Nobody can receive this message."),
    ]
    for form, message in cases:
        for path in ("/admin/broadcasts/preview", "/admin/broadcasts"):
            response = await admin.post(path, form)
            assert response.status_code == 400, (path, form)
            assert message in response.text
            # The page comes back with what they wrote, to correct it.
            assert 'name="text_en"' in response.text
            assert WARNING in response.text
    assert sqlite_stack.count(Broadcast) == 0 and sqlite_stack.count(Outbound) == 0


async def test_forms_without_their_csrf_token_are_refused(sqlite_stack, team, browsers):
    _people(sqlite_stack, team)
    admin = await browsers("admin@example.org")
    for path in ("/admin/broadcasts/preview", "/admin/broadcasts"):
        missing = await admin.client.post(path, data=_form())
        wrong = await admin.client.post(path, data={**_form(), "csrf": "not-the-token"})
        assert missing.status_code == wrong.status_code == 303
        assert "stale=1" in missing.headers["location"]
    assert sqlite_stack.count(Broadcast) == 0 and sqlite_stack.count(Outbound) == 0


async def test_the_audience_filters_of_the_people_list_apply(sqlite_stack, team, browsers):
    stack = sqlite_stack
    people = _people(stack, team)
    admin = await browsers("admin@example.org")
    compose = await admin.get("/admin/broadcasts/new?language=ar&district=central")
    assert re.search(r'<option value="ar"\s+selected>', compose.text)
    preview = await admin.post("/admin/broadcasts/preview", _form(language="ar"))
    assert "Recipients: 1<" in preview.text
    assert 'type="hidden" name="language" value="ar"' in preview.text
    _broadcast_id(await admin.post("/admin/broadcasts", _form(language="ar")))
    assert [row.person_id for row in _rows(stack)] == [people["rania"]]
    # No Arabic text: she gets the default language's, and the preview said so.
    assert _rows(stack)[0].body == "Meeting on Saturday at 10."
    assert "gets the default text" in preview.text
    # The search by phone digits (a subquery on contacts) works on the audience too.
    by_number = await admin.post("/admin/broadcasts/preview", _form(q="77 000 0001"))
    assert "Recipients: 1<" in by_number.text


async def test_the_pages_read_right_to_left_in_arabic(sqlite_stack, team, browsers):
    add_staff(sqlite_stack, "layla@example.org", "facilitator", "Layla", language="ar")
    layla = await browsers("layla@example.org")
    compose = await layla.get("/admin/broadcasts/new")
    assert compose.status_code == 200
    assert 'dir="rtl"' in compose.text and "رسالة جماعية جديدة" in compose.text
    assert "هاتف مشترك" in compose.text  # the shared-phone warning, in Arabic
    response = await layla.post("/admin/broadcasts/preview", _form(text_en=""))
    assert response.status_code == 400 and "اكتب الرسالة باللغة English" in response.text


async def test_sent_at_night_the_page_says_when_messages_will_go(sqlite_stack, team, browsers):
    stack = sqlite_stack
    _people(stack, team)
    stack.clock.advance(hours=13)  # 22:00 in Dakar
    admin = await browsers("admin@example.org")
    broadcast_id = _broadcast_id(await admin.post("/admin/broadcasts", _form()))
    await stack.services.sender.drain()
    assert stack.twilio_api.sent_to("+221770000001") == []
    page = await admin.get(f"/admin/broadcasts/{broadcast_id}")
    assert 'data-testid="count-pending">3<' in page.text
    assert "the next messages go at 2026-11-25 09:00" in page.text
    stack.clock.advance(hours=11)
    await stack.services.sender.drain()
    assert (await admin.login()).status_code == 303  # a new working day, a new session
    page = await admin.get(f"/admin/broadcasts/{broadcast_id}")
    assert 'data-testid="count-sent">3<' in page.text and 'data-testid="next-at"' not in page.text


async def test_the_same_confirmation_twice_sends_once(sqlite_stack, team, browsers):
    stack = sqlite_stack
    _people(stack, team)
    admin = await browsers("admin@example.org")
    preview = await admin.post("/admin/broadcasts/preview", _form(district="central", nonce=""))
    nonce = re.search(r'name="nonce" value="([^"]+)"', preview.text).group(1)
    first = _broadcast_id(
        await admin.post("/admin/broadcasts", _form(district="central", nonce=nonce))
    )
    again = _broadcast_id(
        await admin.post("/admin/broadcasts", _form(district="central", nonce=nonce))
    )
    assert first == again and stack.count(Broadcast) == 1
    assert len(_rows(stack)) == 2
    without = await admin.post("/admin/broadcasts", _form(district="central", nonce=""))
    assert without.status_code == 400 and "preview first" in without.text
    assert stack.count(Broadcast) == 1
