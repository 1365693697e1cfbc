"""The people list: search, filters, pages, and each facilitator seeing only their own."""

from __future__ import annotations

import re
from datetime import date

from sqlmodel import select

from bot.db import transaction
from bot.models import Consent, Contact, Person, ScheduledPrompt
from tests.builders import add_person


def names(page) -> list[str]:
    return re.findall(r'<a href="/admin/people/\d+" dir="auto">([^<]+)</a>', page.text)


async def test_search_by_name_phone_and_number(sqlite_stack, team, browsers):
    stack = sqlite_stack
    awa = add_person(stack, "Awa Diallo", address="+221771234567")
    add_person(stack, "Moussa Ba", address="+221779990000")
    admin = await browsers("admin@example.org")
    assert names(await admin.get("/admin/people?q=awa")) == ["Awa Diallo"]
    assert names(await admin.get("/admin/people?q=DIALLO")) == ["Awa Diallo"]
    # Staff type numbers the way they read them.
    assert names(await admin.get("/admin/people", params={"q": "77 123 45"})) == ["Awa Diallo"]
    assert names(await admin.get(f"/admin/people?q={awa}")) == ["Awa Diallo"]
    # LIKE wildcards are searched for literally.
    assert names(await admin.get("/admin/people", params={"q": "%"})) == []


async def test_filters_combine(sqlite_stack, team, browsers):
    stack = sqlite_stack
    add_person(stack, "Awa", district="north", gender="woman", return_date=date(2026, 3, 10))
    add_person(stack, "Binta", district="north", gender="woman", return_date=date(2026, 4, 2))
    add_person(stack, "Cheikh", district="north", gender="man", return_date=date(2026, 3, 20))
    add_person(
        stack, "Dior", district="south", gender="woman", return_date=date(2026, 3, 1), language="fr"
    )
    admin = await browsers("admin@example.org")
    page = await admin.get("/admin/people?district=north&gender=woman&cohort=2026-03")
    assert names(page) == ["Awa"]
    assert "People found: 1" in page.text
    assert names(await admin.get("/admin/people?language=fr")) == ["Dior"]
    assert sorted(names(await admin.get("/admin/people?cohort=2026-03"))) == [
        "Awa",
        "Cheikh",
        "Dior",
    ]
    # Junk in a filter narrows nothing and breaks nothing.
    junk = await admin.get("/admin/people?cohort=March&page=abc&district=" + "x" * 500)
    assert junk.status_code == 200 and names(junk) == []


async def test_flags_unreachable_paused_unassigned(sqlite_stack, team, browsers):
    stack = sqlite_stack
    gone = add_person(stack, "Gone", facilitator_id=team.facilitator)
    add_person(stack, "Here", facilitator_id=team.facilitator)
    add_person(stack, "Nobody's", facilitator_id=None)
    with transaction(stack.engine) as session:
        session.get(Person, gone).unreachable_at = stack.clock()
    admin = await browsers("admin@example.org")
    assert names(await admin.get("/admin/people?flag=unreachable")) == ["Gone"]
    assert names(await admin.get("/admin/people?flag=unassigned")) == ["Nobody&#39;s"]
    assert sorted(names(await admin.get(f"/admin/people?facilitator={team.facilitator}"))) == [
        "Gone",
        "Here",
    ]


async def test_pages_of_fifty_keep_the_filters(sqlite_stack, team, browsers):
    stack = sqlite_stack
    for number in range(120):
        add_person(stack, f"Person {number:03d}", district="east")
    add_person(stack, "Elsewhere", district="west")
    admin = await browsers("admin@example.org")
    first = await admin.get("/admin/people?district=east")
    assert len(names(first)) == 50 and "Page 1 of 3" in first.text
    assert 'href="?district=east&amp;page=2"' in first.text
    last = await admin.get("/admin/people?district=east&page=3")
    assert len(names(last)) == 20 and names(last)[-1] == "Person 000"
    beyond = await admin.get("/admin/people?district=east&page=99")
    assert names(beyond) == names(last)  # the last page, not an empty one


async def test_a_facilitator_sees_only_their_people_and_a_viewer_nobody(
    sqlite_stack, team, browsers
):
    stack = sqlite_stack
    mine = add_person(stack, "Mine", facilitator_id=team.facilitator)
    theirs = add_person(stack, "Theirs", facilitator_id=team.other_facilitator)
    fatou = await browsers("fatou@example.org")
    assert names(await fatou.get("/admin/people")) == ["Mine"]
    # The facilitator filter is an admin's: it cannot widen a facilitator's view.
    page = await fatou.get(f"/admin/people?facilitator={team.other_facilitator}")
    assert names(page) == ["Mine"]
    assert (await fatou.get(f"/admin/people/{mine}")).status_code == 200
    assert (await fatou.get(f"/admin/people/{theirs}")).status_code == 404
    viewer = await browsers("victor@example.org")
    assert (await viewer.get("/admin/people")).status_code == 403
    assert (await viewer.get(f"/admin/people/{mine}")).status_code == 403


async def test_enrolling_someone_in_person(sqlite_stack, team, browsers):
    stack = sqlite_stack
    fatou = await browsers("fatou@example.org")
    form = await fatou.get("/admin/people/new")
    assert form.status_code == 200 and 'name="consent_messages"' in form.text
    response = await fatou.post(
        "/admin/people/new",
        {
            "display_name": "Khady",
            "phone": "+221 77 555 66 77",
            "language": "fr",
            "role": "returnee",
            "district": "central",
            "gender": "woman",
            "age_band": "35_44",
            "return_date": "2026-11-02",
            "consent_messages": "yes",
            "consent_surveys": "yes",
        },
    )
    assert response.status_code == 303
    person_id = int(re.search(r"/admin/people/(\d+)", response.headers["location"]).group(1))
    with transaction(stack.engine) as session:
        person = session.get(Person, person_id)
        assert (person.enrolled_by_staff, person.facilitator_id, person.status) == (
            True,
            team.facilitator,
            "active",
        )
        assert person.plan == "default"
        contact = session.exec(select(Contact).where(Contact.person_id == person_id)).one()
        assert (contact.channel, contact.address) == ("sms", "+221775556677")
        consents = session.exec(select(Consent).where(Consent.person_id == person_id)).all()
        assert {(c.purpose, c.granted, c.channel) for c in consents} == {
            ("messages", True, "staff"),
            ("surveys", True, "staff"),
        }
        prompts = session.exec(
            select(ScheduledPrompt).where(ScheduledPrompt.person_id == person_id)
        ).all()
        assert len(prompts) >= 7
    page = await fatou.get(f"/admin/people/{person_id}?done=enrolled")
    assert "Their follow-up plan is ready" in page.text and "Enrolled by staff" in page.text


async def test_enrolment_without_consent_or_with_a_bad_phone_keeps_nothing(
    sqlite_stack, team, browsers
):
    stack = sqlite_stack
    fatou = await browsers("fatou@example.org")
    base = {"display_name": "Khady", "language": "en", "role": "returnee"}
    refused = await fatou.post("/admin/people/new", base)
    assert refused.status_code == 400 and "must agree to messages" in refused.text
    bad_phone = await fatou.post(
        "/admin/people/new", {**base, "phone": "12", "consent_messages": "yes"}
    )
    assert bad_phone.status_code == 400 and "phone number is not right" in bad_phone.text
    future = await fatou.post(
        "/admin/people/new", {**base, "return_date": "2030-01-01", "consent_messages": "yes"}
    )
    assert future.status_code == 400
    assert 'value="Khady"' in future.text  # what was typed is still there
    assert stack.count(Person) == 0


async def test_someone_without_a_phone_is_asked_in_person_not_marked_unreachable(
    sqlite_stack, team, browsers
):
    stack = sqlite_stack
    fatou = await browsers("fatou@example.org")
    response = await fatou.post(
        "/admin/people/new",
        {
            "display_name": "Old Samba",
            "language": "en",
            "role": "returnee",
            "return_date": "2026-11-01",
            "consent_messages": "yes",
        },
    )
    person_id = int(response.headers["location"].split("/")[3].split("?")[0])
    stack.clock.advance(days=400)
    await stack.tick()
    with transaction(stack.engine) as session:
        person = session.get(Person, person_id)
        assert person.unreachable_at is None and person.missed_in_row == 0
        notes = {
            row.note
            for row in session.exec(
                select(ScheduledPrompt).where(ScheduledPrompt.person_id == person_id)
            ).all()
        }
    assert "no phone: to ask in person" in notes
