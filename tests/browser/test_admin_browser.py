"""The admin in a real browser, as facilitators use it: sign in, find a person, read their
timeline, close an alert, send a broadcast and watch it go, read the charts, use it in
Arabic and on a phone. Each step leaves a screenshot in test-artifacts/screenshots/."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from sqlmodel import select

from admin.i18n import translator
from bot.db import transaction
from bot.models import Alert, MentorMatch
from tests.browser.live import daytime_timezone, sign_in
from tests.builders import add_mentor, ask_for_mentor

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or, in CI, fail) with the reason
    expect = None

PHONE = {"width": 375, "height": 740}
EN, AR = translator("en"), translator("ar")


def no_horizontal_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= window.innerWidth + 1"
        " && document.body.scrollWidth <= window.innerWidth + 1"
    )


# -- signing in ----------------------------------------------------------------------------


def test_sign_in_lands_on_the_dashboard(page, shot):
    page.goto("/admin")
    expect(page).to_have_url(re.compile(r"/admin/login\?next=%2Fadmin$"))
    shot(page, "1-login")

    page.fill("input[name=email]", "admin@example.org")
    page.fill("input[name=password]", "correct horse battery")
    page.click("form.narrow button[type=submit]")

    expect(page).to_have_url(re.compile(r"/admin$"))
    expect(page.locator("h1")).to_have_text(EN("nav.dashboard"))
    expect(page.locator("[data-testid=due-week]")).to_have_text(re.compile(r"^\d+$"))
    expect(page.locator("header.top nav a[href='/admin/people']")).to_be_visible()
    shot(page, "2-dashboard")
    page.console.assert_clean()


def test_a_wrong_password_shows_the_error(page, shot):
    page.goto("/admin/login")
    page.fill("input[name=email]", "admin@example.org")
    page.fill("input[name=password]", "not the password")
    page.click("form.narrow button[type=submit]")

    error = page.locator("p.error[role=alert]")
    expect(error).to_be_visible()
    expect(error).to_have_text(EN("login.failed"))
    expect(page).to_have_url(re.compile(r"/admin/login$"))
    expect(page.locator("input[name=password]")).to_be_visible()
    shot(page, "error")
    # The failed sign-in answers 401 on purpose; nothing else may go wrong.
    page.console.assert_clean(allow=r"status of 401")


# -- language, phone, browser console ------------------------------------------------------


def test_switching_to_arabic_turns_the_page_right_to_left(live, page, shot):
    live.add_staff("layla@example.org", "admin", "Layla")  # her own: others stay in English
    sign_in(page, "layla@example.org")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    shot(page, "1-english")

    page.select_option("#lang", "ar")
    page.click("form[action='/admin/language'] button[type=submit]")

    expect(page.locator("html[dir=rtl]")).to_have_count(1)
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("h1")).to_have_text(AR("nav.dashboard"))
    assert re.search("[\u0600-\u06ff]", AR("nav.dashboard"))  # Arabic script, not a fallback
    expect(page.locator("header.top nav a[href='/admin/people']")).to_have_text(AR("nav.people"))
    expect(page).to_have_url(re.compile(r"/admin$"))  # back on the page she was on
    shot(page, "2-arabic")

    # It is her setting: the next page is in Arabic too.
    page.goto("/admin/account")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    shot(page, "3-arabic-account")
    page.console.assert_clean()


def test_pages_report_no_console_errors_or_csp_violations(admin_page, shot):
    page = admin_page
    hrefs = page.eval_on_selector_all("header.top nav a", "links => links.map(a => a.href)")
    extra = [
        "/admin/account",
        "/admin/people?q=nobody",
        "/admin/people/new",
        "/admin/broadcasts/new",
    ]
    for href in [*hrefs, *extra]:
        response = page.goto(href)
        assert response.status == 200, (href, response.status)
    assert len(hrefs) >= 8, hrefs  # every area of the admin's navigation
    shot(page, "last")
    page.goto("/admin/login?lang=fr")  # signed in: redirected, still no errors
    page.console.assert_clean()


def test_usable_on_a_phone(live, open_page, shot):
    page = open_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    page.goto("/admin/login")
    assert no_horizontal_scroll(page)
    shot(page, "1-login")

    sign_in(page)
    expect(page.locator("h1")).to_have_text(EN("nav.dashboard"))
    tops = page.eval_on_selector_all(
        "header.top nav a", "links => links.map(a => Math.round(a.getBoundingClientRect().top))"
    )
    assert len(set(tops)) > 1, f"the navigation should wrap onto more lines: {tops}"
    rights = page.eval_on_selector_all(
        "header.top a, header.top button, header.top select",
        "els => els.map(e => e.getBoundingClientRect().right)",
    )
    assert max(rights) <= PHONE["width"] + 1, rights
    assert no_horizontal_scroll(page)
    shot(page, "2-dashboard")

    page.goto("/admin/people")
    assert no_horizontal_scroll(page)
    shot(page, "3-people")
    page.console.assert_clean()


# -- casework ------------------------------------------------------------------------------


def test_find_a_person(live, admin_page, shot):
    page = admin_page
    wanted = live.add_person("Mariama Searchable")
    other = live.add_person("Mariama Findme-Too", district="north")
    stranger = live.add_person("Ousmane Elsewhere")

    page.click("header.top nav a[href='/admin/people']")
    expect(page).to_have_url(re.compile(r"/admin/people$"))
    shot(page, "1-list")

    search = page.locator("form[role=search]")
    search.locator("input[name=q]").fill("Mariama")
    search.locator("button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/admin/people\?.*q=Mariama"))
    expect(page.locator(f"main a[href='/admin/people/{wanted}']")).to_have_text(
        "Mariama Searchable"
    )
    expect(page.locator(f"main a[href='/admin/people/{other}']")).to_be_visible()
    expect(page.locator(f"main a[href='/admin/people/{stranger}']")).to_have_count(0)
    shot(page, "2-found")

    page.click(f"main a[href='/admin/people/{wanted}']")
    expect(page).to_have_url(re.compile(rf"/admin/people/{wanted}$"))
    expect(page.locator("h1")).to_contain_text("Mariama Searchable")
    shot(page, "3-person")
    page.console.assert_clean()


def test_read_a_persons_timeline(live, admin_page, shot):
    page = admin_page
    person = live.add_person("Fatou Timeline")
    live.add_messages(
        person,
        [
            ("out", "How are things going this week?"),
            ("in", "Better, I found some work at the market"),
            ("out", "That is good news. We will check in again next month."),
        ],
    )

    page.goto(f"/admin/people/{person}")
    timeline = page.locator("#timeline")
    expect(timeline).to_be_visible()
    expect(timeline).to_contain_text("Better, I found some work at the market")
    expect(timeline).to_contain_text("How are things going this week?")
    expect(timeline).to_contain_text("We will check in again next month.")
    # Oldest first or newest first, the three are in conversation order.
    text = timeline.inner_text()
    positions = [
        text.index("How are things going"),
        text.index("Better, I found"),
        text.index("That is good news"),
    ]
    assert positions in (sorted(positions), sorted(positions, reverse=True)), positions
    timeline.scroll_into_view_if_needed()
    shot(page, "timeline")
    page.console.assert_clean()


def test_close_an_alert(live, admin_page, shot):
    page = admin_page
    person = live.add_person("Awa Alerted")
    alert = live.add_alert(person, "Said they do not feel safe at home")

    page.click("header.top nav a[href='/admin/alerts']")
    link = page.locator(f"main a[href='/admin/alerts/{alert}']")
    expect(link).to_be_visible()
    shot(page, "1-open-alerts")

    link.click()
    expect(page).to_have_url(re.compile(rf"/admin/alerts/{alert}$"))
    expect(page.locator("main")).to_contain_text("Said they do not feel safe at home")
    form = page.locator("form:has(textarea[name=note])")
    form.locator("textarea[name=note]").fill("Called her; she is staying with her sister.")
    shot(page, "2-closing")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    shot(page, "3-closed")

    page.goto("/admin/alerts")
    expect(page.locator(f"main a[href='/admin/alerts/{alert}']")).to_have_count(0)
    shot(page, "4-open-alerts-after")
    with transaction(live.engine) as session:
        row = session.exec(select(Alert).where(Alert.id == alert)).one()
        assert row.status == "closed"
        assert row.close_note == "Called her; she is staying with her sister."
    page.console.assert_clean()


def test_send_a_broadcast_to_a_small_group_and_watch_it_finish(live, admin_page, shot):
    page = admin_page
    zone = daytime_timezone()  # inside the sending window whatever the hour of the test
    group = [
        live.add_person("Khady Smallgroup", district="west", timezone=zone),
        live.add_person("Modou Smallgroup", district="west", timezone=zone),
    ]
    live.add_person("Binta Smallgroup", district="north", timezone=zone)  # not in the west
    live.add_person("Rokhaya Elsewhere", district="west", timezone=zone)  # not a Smallgroup
    numbers = {live.contact(person).address for person in group}
    text = "The savings group meets on Saturday at 10."

    page.click("header.top nav a[href='/admin/broadcasts']")
    page.goto("/admin/broadcasts/new")
    compose = page.locator("form.broadcast-compose")
    compose.locator("textarea[name=text_en]").fill(text)
    compose.locator("textarea[name=text_fr]").fill("Le groupe d'épargne se réunit samedi à 10 h.")
    compose.locator("textarea[name=text_ar]").fill("تجتمع مجموعة الادخار يوم السبت في العاشرة.")
    compose.locator("select[name=district]").select_option("west")
    compose.locator("input[name=q]").fill("Smallgroup")
    shot(page, "1-written")

    compose.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=recipients]")).to_have_text(
        EN("broadcasts.recipient_count", count=2)
    )
    expect(page.locator("main")).to_contain_text(text)  # the SMS as it will be sent
    shot(page, "2-preview")

    # The send button asks once more (admin.js, data-confirm): say yes.
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid=send]")
    expect(page).to_have_url(re.compile(r"/admin/broadcasts/\d+$"))
    expect(page.locator("[data-testid=recipients]")).to_have_text("2")
    shot(page, "3-sending")

    status = page.locator("[data-testid=status]")
    deadline = time.monotonic() + 60
    while status.inner_text().strip() != EN("broadcasts.status.finished"):
        assert time.monotonic() < deadline, "the broadcast did not finish within 60 s"
        time.sleep(0.5)
        page.reload()
    expect(page.locator("[data-testid=count-failed]")).to_have_text("0")
    shot(page, "4-finished")

    sent = [message for message in live.twilio_api.sent if message.to in numbers]
    assert sorted(message.to for message in sent) == sorted(numbers)
    assert all(text in message.body for message in sent), [m.body for m in sent]
    page.console.assert_clean()


def test_open_a_chart(live, admin_page, shot):
    page = admin_page
    people = [live.add_person(f"Chart Person {n}", district="south") for n in range(6)]
    live.add_survey_responses(people)  # six: more than the smallest group results show

    page.click("header.top nav a[href='/admin/results']")
    expect(page).to_have_url(re.compile(r"/admin/results$"))
    # Results are computed ahead of time; the answers above came after: refresh them.
    page.click("form[action='/admin/results/refresh'] button[type=submit]")
    section = page.locator("#instrument-reintegration")
    expect(section.locator("svg").first).to_be_visible()
    expect(section.locator("tr[data-wave=m3]")).to_contain_text("6")
    overview = page.locator("main svg").count()
    shot(page, "1-results")

    section.locator("tr[data-wave=m3] a").click()
    expect(page).to_have_url(re.compile(r"/admin/results/reintegration/m3"))
    expect(page.locator("[data-testid=responses]")).to_have_text("6")
    expect(page.locator("main svg").first).to_be_visible()
    assert page.locator("main svg").count() > max(1, overview)  # scores and every question
    shot(page, "2-wave")
    page.console.assert_clean()


def test_run_matching_read_why_and_approve_all(live, admin_page, shot):
    page = admin_page
    today = live.clock().date()
    mentor = add_mentor(
        live,
        "Ousmane Mentorwest",
        district="west",
        sector="trade",
        trained_on=today - timedelta(days=30),
    )
    mentee = live.add_person("Mariama Menteewest", district="west", sector="trade")
    ask_for_mentor(live, mentee)

    page.click("header.top nav a[href='/admin/matching']")
    page.locator("form[action='/admin/matching'] select[name=district]").select_option("west")
    page.locator("form[action='/admin/matching'] button[type=submit]").click()
    page.locator("form[action='/admin/matching/run'] button[type=submit]").click()
    page.wait_for_load_state()
    proposals = page.locator("section[aria-labelledby=proposals-h]")
    expect(proposals).to_contain_text("Mariama Menteewest")
    expect(proposals).to_contain_text("Ousmane Mentorwest")
    expect(proposals).to_contain_text(EN("matching.part.same_sector"))
    shot(page, "1-proposals")

    # Approving them all asks once more (admin.js, data-confirm): say yes.
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("form[action='/admin/matching/approve'] button[type=submit]").click()
    expect(page.locator("p.flash")).to_have_text(EN("mentoring.done.approved"))
    expect(page.locator("section[aria-labelledby=underway-h]")).to_contain_text(
        EN("matching.status.offered")
    )
    shot(page, "2-approved")
    with transaction(live.engine) as session:
        match = session.exec(select(MentorMatch).where(MentorMatch.mentee_id == mentee)).one()
        assert (match.status, match.mentor_id) == ("offered", mentor)
    page.console.assert_clean()


def test_form_a_group_invite_poll_and_read_the_tally(live, admin_page, shot):
    from bot.groups import polls
    from bot.models import GroupMember, PeerGroup

    page = admin_page
    people = [
        live.add_person(f"Khady Groupeast{n}", district="east", language="en") for n in range(2)
    ]
    page.click("header.top nav a[href='/admin/groups']")
    page.locator("#new-group summary").click()
    form = page.locator("#new-group form")
    form.locator("input[name=name]").fill("East circle")
    form.locator("select[name=district]").select_option("east")
    form.locator("button[type=submit]").click()
    expect(page.locator("p.flash")).to_have_text(EN("groups.done.created"))
    shot(page, "1-created")

    # Both are newcomers from the district: proposed, invited in one go.
    page.locator("#members summary").click()
    for person in people:
        page.locator(f"#members input[name=person][value='{person}']").check()
    page.locator("form[action$='/invite'] button[type=submit]").click()
    expect(page.locator("p.flash")).to_have_text(EN("groups.done.invited"))
    expect(page.locator("#members table")).to_contain_text("Khady Groupeast1")

    page.locator("form[action$='/approval'] input[name=leader]").fill("Chief Sow")
    today = live.clock().date()
    page.locator("form[action$='/approval'] input[name=approved_on]").fill(today.isoformat())
    page.locator("form[action$='/approval'] button[type=submit]").click()
    expect(page.locator("p.flash")).to_have_text(EN("groups.done.approved"))

    with transaction(live.engine) as session:
        group = session.exec(select(PeerGroup).where(PeerGroup.name == "East circle")).one()
        for member in session.exec(select(GroupMember).where(GroupMember.group_id == group.id)):
            member.status = "joined"  # as if both pressed Join
        group_id = group.id
    page.locator("#poll summary").click()
    for n, days in ((1, 3), (2, 4)):
        day = today + timedelta(days=days)
        page.locator(f"#poll input[name=time{n}]").fill(f"{day.isoformat()}T17:00")
    page.locator("form[action$='/poll'] button[type=submit]").click()
    expect(page.locator("p.flash")).to_have_text(EN("groups.done.poll"))
    with transaction(live.engine) as session:
        polls.record_answers(session, group_id, 1, people[0], {1: "no", 2: "yes"}, live.clock())
    # The tally follows the answers without reloading the page (admin.js, every 10 s).
    expect(page.locator("tr[data-slot='2'] [data-count=yes]")).to_have_text("1", timeout=15000)
    expect(page.locator("tr[data-slot='2']")).to_have_class(re.compile("best"))
    shot(page, "2-tally")
    page.console.assert_clean()


def test_register_a_savings_group_record_a_meeting_and_correct_an_entry(live, admin_page, shot):
    from bot.models import SavingsGroup, SavingsMeeting

    page = admin_page
    people = [live.add_person(f"Awa Saver{n}", district="east", language="en") for n in range(3)]
    page.click("header.top nav a[href='/admin/savings']")
    page.locator("#new-savings-group summary").click()
    form = page.locator("#new-savings-group form")
    form.locator("input[name=name]").fill("East savers")
    form.locator("select[name=district]").select_option("east")
    form.locator("select[name=person]").select_option([str(p) for p in people])
    form.locator("select[name=treasurer]").select_option(str(people[0]))
    form.locator("input[name=share_value]").fill("500")
    form.locator("button[type=submit]").click()
    expect(page.locator("p.flash")).to_have_text(EN("savings.done.created"))
    expect(page.locator("#officers")).to_contain_text("Awa Saver0")
    shot(page, "1-registered")

    # A meeting held this morning, to record.
    with transaction(live.engine) as session:
        group = session.exec(select(SavingsGroup).where(SavingsGroup.name == "East savers")).one()
        now = live.clock()
        held = SavingsMeeting(group_id=group.id, number=99, on=now.date(),
                              starts_at=now - timedelta(hours=2))  # fmt: skip
        session.add(held)
        session.flush()
        meeting_id = held.id
    page.reload()
    row = page.locator(f"#meeting-{meeting_id}")
    row.locator("summary").click()
    inputs = row.locator("tbody tr")
    inputs.nth(0).locator("input[name^=present_]").check()
    inputs.nth(0).locator("input[name^=shares_]").fill("3")
    inputs.nth(1).locator("input[name^=present_]").check()
    inputs.nth(1).locator("input[name^=shares_]").fill("2")
    row.locator("button[value=check]").click()
    expect(page.locator("h1")).to_contain_text(re.compile("Check the record"))
    shot(page, "2-check")
    page.locator("button[value=confirm]").click()
    expect(page.locator("p.flash")).to_have_text(EN("savings.done.recorded"))
    expect(page.locator("#ledger")).to_contain_text("1,500 XOF")

    first = page.locator("#ledger tbody tr").first
    first.locator("summary").click()
    first.locator("input[name=shares]").fill("1")
    first.locator("input[name=note]").fill("counted twice")
    first.locator("button[type=submit]").click()
    expect(page.locator("p.flash")).to_have_text(EN("savings.done.corrected"))
    expect(page.locator("#ledger s")).to_have_text("1,500 XOF")  # kept, struck through
    expect(page.locator("#ledger")).to_contain_text("counted twice")
    shot(page, "3-corrected")
    page.console.assert_clean()


def test_what_was_typed_survives_a_session_that_ended(live, admin_page, shot):
    from bot.models import StaffSession

    page = admin_page
    page.goto("/admin/broadcasts/new")
    page.locator("textarea[name=text_en]").fill("The office is closed on Friday.")
    with transaction(live.engine) as session:  # the session ends (idle too long, say)
        for row in session.exec(select(StaffSession)):
            session.delete(row)
    page.locator("form.broadcast-compose button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/admin/login\?next="))
    page.fill("input[name=email]", "admin@example.org")
    page.fill("input[name=password]", "correct horse battery")
    page.click("form.narrow button[type=submit]")
    expect(page).to_have_url(re.compile(r"/admin/broadcasts/new\?kept=1$"))
    expect(page.locator("[data-draft-note]")).to_have_text(EN("form.kept"))
    expect(page.locator("textarea[name=text_en]")).to_have_value("The office is closed on Friday.")
    shot(page, "kept")
    page.console.assert_clean()


PHONE_PAGES = (
    "/admin",
    "/admin/people",
    "/admin/people/new",
    "/admin/inbox",
    "/admin/inbox?show=handled",
    "/admin/alerts",
    "/admin/broadcasts",
    "/admin/broadcasts/new",
    "/admin/feedback",
    "/admin/mentors",
    "/admin/matching",
    "/admin/groups",
    "/admin/savings",
    "/admin/results",
    "/admin/imports",
    "/admin/staff",
    "/admin/settings",
    "/admin/replies",
    "/admin/api-tokens",
    "/admin/audit",
    "/admin/account",
)


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_no_page_is_wider_than_a_phone_in_any_language(live, open_page, language, shot):
    live.add_staff(f"phone-{language}@example.org", "admin", f"Phone {language}")
    person = live.add_person("Aminata Phone-Check", district="central", language=language)
    page = open_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    sign_in(page, f"phone-{language}@example.org")
    page.select_option("#lang", language)
    page.click("form[action='/admin/language'] button[type=submit]")
    page.wait_for_load_state()
    wide = []
    for path in (*PHONE_PAGES, f"/admin/people/{person}"):
        response = page.goto(path)
        assert response.status == 200, (path, response.status)
        if not no_horizontal_scroll(page):
            wide.append(path)
            shot(page, f"wide-{path.strip('/').replace('/', '-')}")
    assert wide == [], f"wider than {PHONE['width']} px in {language}: {wide}"
