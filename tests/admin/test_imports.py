"""The import and export pages: a list uploaded, its columns shown with the first rows and
changed by hand, every row's check read before anything is written, the import run with its
progress, and the list downloaded (a facilitator gets their own people, pseudonymised; an
admin may ask for names and numbers, which the audit log keeps)."""

from __future__ import annotations

import asyncio
import csv
import io

from sqlmodel import select

from admin.pages import imports as import_pages
from bot.db import transaction
from bot.models import AuditLog, PeopleImport, Person
from tests.builders import add_person

LIST = (b"Full name,Mobile,Where,Consent date,Consent version,Consent taken by\n"
        b"Awa Ndiaye,+221771234567,central,2026-10-02,2026-01,Fatou\n"
        b"Moussa Diop,+221772345678,north,,,\n"
        b"Nobody,not a number,central,,,\n")  # fmt: skip


async def _upload(browser) -> int:
    response = await browser.post("/admin/imports", files={"file": ("list.csv", LIST, "text/csv")})
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rsplit("/", 1)[1])


async def test_a_list_is_checked_mapped_and_imported(sqlite_stack, team, browsers):
    stack = sqlite_stack
    fatou = await browsers("fatou@example.org")
    import_id = await _upload(fatou)
    page = (await fatou.get(f"/admin/imports/{import_id}")).text
    assert "3 rows: 2 to import, 1 with problems." in page
    assert "Not a valid phone number: 1" in page
    assert "1 person has no consent recorded" in page
    assert stack.count(Person) == 0
    # "Where" was not recognised: mapped by hand to the district.
    assert '<option value="district" selected>' not in page
    await fatou.post(f"/admin/imports/{import_id}/mapping",
                     {"column_0": "display_name", "column_1": "phone", "column_2": "district",
                      "column_3": "consent_date", "column_4": "consent_version",
                      "column_5": "consent_by"})  # fmt: skip
    page = (await fatou.get(f"/admin/imports/{import_id}")).text
    assert '<option value="district" selected>' in page
    unconfirmed = await fatou.post(f"/admin/imports/{import_id}/start", {})
    assert unconfirmed.status_code == 303 and stack.count(Person) == 0
    await fatou.post(f"/admin/imports/{import_id}/start", {"confirm": "yes"})
    await asyncio.gather(*import_pages._running)
    done = (await fatou.get(f"/admin/imports/{import_id}")).text
    assert "2 people added, 1 of them invited to consent" in done and "Line 4" in done
    with transaction(stack.engine) as session:
        awa = session.exec(select(Person).where(Person.display_name == "Awa Ndiaye")).one()
        assert awa.district == "central" and awa.facilitator_id == team.facilitator
        job = session.get(PeopleImport, import_id)
        assert job.status == "done" and job.data is None


async def test_someone_elses_import_is_not_found(sqlite_stack, team, browsers):
    omar = await browsers("omar@example.org")
    import_id = await _upload(omar)
    fatou = await browsers("fatou@example.org")
    assert (await fatou.get(f"/admin/imports/{import_id}")).status_code == 404
    assert "list.csv" not in (await fatou.get("/admin/imports")).text


async def test_a_file_that_is_no_list_comes_back_with_its_reason(sqlite_stack, team, browsers):
    fatou = await browsers("fatou@example.org")
    response = await fatou.post(
        "/admin/imports", files={"file": ("notes.pdf", b"%PDF", "application/pdf")}
    )
    assert "error=import.error.format" in response.headers["location"]
    page = await fatou.get(response.headers["location"])
    assert "Please upload a .csv or .xlsx file." in page.text


async def test_the_list_downloaded_pseudonymised_or_with_identities_for_an_admin(
    sqlite_stack, team, browsers
):
    stack = sqlite_stack
    add_person(stack, "Awa Mine", facilitator_id=team.facilitator, district="central")
    add_person(stack, "Omar Theirs", facilitator_id=team.other_facilitator, district="central")
    fatou = await browsers("fatou@example.org")
    got = await fatou.get("/admin/exports/people?format=csv&district=central&identities=yes")
    assert got.status_code == 200 and "attachment" in got.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert len(rows) == 1 and "display_name" not in rows[0]  # her own, no identities
    admin = await browsers("admin@example.org")
    named = await admin.get("/admin/exports/people?format=csv&identities=yes")
    names = {
        r["display_name"] for r in csv.DictReader(io.StringIO(named.content.decode("utf-8-sig")))
    }
    assert {"Awa Mine", "Omar Theirs"} <= names
    xlsx = await admin.get("/admin/exports/people?format=xlsx")
    assert xlsx.content[:2] == b"PK"
    with transaction(stack.engine) as session:
        logged = session.exec(select(AuditLog).where(AuditLog.action == "people.exported")).all()
        assert [(a.actor, a.details["identities"]) for a in logged] == [
            (f"staff:{team.facilitator}", False),
            (f"staff:{team.admin}", True),
            (f"staff:{team.admin}", False),
        ]
