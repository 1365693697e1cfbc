"""Importing the people a field office registered: columns recognised by their headings,
every row checked before anything is written, consent kept only with its date, version and
who took it, those without it invited through the consent flow and nothing else kept of them,
and the same file imported again changes nothing. CSV and XLSX alike."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from openpyxl import Workbook
from sqlmodel import select

from bot.db import transaction
from bot.models import Consent, Contact, Outbound, PeopleImport, Person, ScheduledPrompt
from bot.people import import_jobs
from bot.people.import_write import write_rows

CSV = """Nom;Téléphone;Langue;District;Date de retour;Genre;Date du consentement;Version du consentement;Consentement recueilli par
Awa Ndiaye;77 123 45 67;Français;Central;14/03/2026;femme;2026-10-02;2026-01;Fatou (OIM Dakar)
Moussa Diop;+221 77 234 56 78;fr;north;2026-05-01;man;;;
Bad Phone;12345;fr;central;;;;;
Unknown Place;+221772345679;en;Atlantis;;;;;
Same Phone;+221 77 234 56 78;fr;;;;;;
Half Consent;+221773456789;fr;south;;;2026-10-02;;
""".encode()
NOW = datetime(2026, 11, 24, 9, tzinfo=UTC)


def _import(stack, data: bytes, filename: str) -> PeopleImport:
    content = stack.services.content
    with transaction(stack.engine) as session:
        job = import_jobs.upload(session, data, filename, content, None, stack.clock())
        job_id = job.id
    return import_jobs.run(stack.engine, job_id, content, ["SN"], stack.clock)


def _check(stack, data: bytes, filename: str):
    content = stack.services.content
    with transaction(stack.engine) as session:
        job = import_jobs.upload(session, data, filename, content, None, stack.clock())
        return job.id, import_jobs.check(job, content, ["SN"], stack.clock().date())


async def test_every_row_is_checked_before_anything_is_written(stack):
    _, checked = _check(stack, CSV, "liste.csv")
    assert sorted(checked.mapping.values()) == sorted(
        ["display_name", "phone", "language", "district", "return_date", "gender",
         "consent_date", "consent_version", "consent_by"]
    )  # fmt: skip
    by_line = {r.line: r for r in checked.rows}
    assert by_line[2].status == "new" and by_line[2].consented
    assert by_line[2].values["phone"] == "+221771234567"  # national, read for Senegal
    assert by_line[2].values["return_date"].isoformat() == "2026-03-14"
    assert by_line[3].status == "new" and not by_line[3].consented
    assert by_line[4].problems == ["import.error.phone"]
    assert by_line[5].problems == ["import.error.district"]
    assert by_line[6].problems == ["import.error.duplicate_in_file"]
    assert by_line[7].problems == ["import.error.consent_incomplete"]
    assert checked.counts == {"new": 2, "invalid": 4}
    assert stack.count(Person) == 0  # checking writes nothing


async def test_consent_from_elsewhere_is_kept_with_who_took_it_and_others_are_invited(stack):
    job = _import(stack, CSV, "liste.csv")
    assert (job.created, job.invited, job.existing, job.invalid) == (2, 1, 0, 4)
    assert job.status == "done" and job.data is None
    assert [line for line, _ in job.problems] == [4, 5, 6, 7]
    with transaction(stack.engine) as session:
        awa = session.exec(select(Person).where(Person.display_name == "Awa Ndiaye")).one()
        assert awa.status == "active" and awa.district == "central" and awa.gender == "woman"
        consents = session.exec(select(Consent).where(Consent.person_id == awa.id)).all()
        assert {(c.purpose, c.granted, c.version, c.taken_by, c.channel) for c in consents} == {
            ("messages", True, "2026-01", "Fatou (OIM Dakar)", "import"),
            ("surveys", False, "2026-01", "Fatou (OIM Dakar)", "import"),
        }
        assert session.exec(
            select(ScheduledPrompt).where(ScheduledPrompt.person_id == awa.id)
        ).all()
        # Without consent: only how to reach them, and the consent flow's first question.
        moussa = session.exec(
            select(Person).join(Contact).where(Contact.address == "+221772345678")
        ).one()
        assert moussa.status == "onboarding" and moussa.display_name is None
        assert moussa.district is None and moussa.gender is None
        sent = session.exec(select(Outbound).where(Outbound.person_id == moussa.id)).all()
        assert len(sent) == 1 and sent[0].origin == "import.invite"
        assert not session.exec(select(Outbound).where(Outbound.person_id == awa.id)).all()


async def test_the_same_file_imported_again_changes_nothing(stack):
    _import(stack, CSV, "liste.csv")
    people, messages = stack.count(Person), stack.count(Outbound)
    again = _import(stack, CSV, "liste.csv")
    assert (again.created, again.existing, again.invalid) == (0, 2, 4)
    assert stack.count(Person) == people and stack.count(Outbound) == messages


async def test_an_xlsx_list_with_numbers_and_dates_as_cells(stack):
    book = Workbook()
    sheet = book.active
    sheet.append(["Name", "Phone number", "Language", "Area", "Return date", "Consent date",
                  "Consent version", "Consent taken by", "Surveys consent"])  # fmt: skip
    sheet.append(["Grace Mensah", 221775556677, "English", "East", datetime(2026, 6, 1),
                  datetime(2026, 9, 30), "2026-01", "Omar", "yes"])  # fmt: skip
    data = io.BytesIO()
    book.save(data)
    job = _import(stack, data.getvalue(), "list.xlsx")
    assert (job.created, job.invalid) == (1, 0)
    with transaction(stack.engine) as session:
        grace = session.exec(select(Person).where(Person.display_name == "Grace Mensah")).one()
        assert grace.return_date.isoformat() == "2026-06-01" and grace.district == "east"
        assert grace.language == "en"
        contact = session.exec(select(Contact).where(Contact.person_id == grace.id)).one()
        assert contact.address == "+221775556677"
        surveys = session.exec(
            select(Consent).where(Consent.person_id == grace.id, Consent.purpose == "surveys")
        ).one()
        assert surveys.granted


async def test_a_file_that_is_not_a_table_is_refused_with_its_reason(stack):
    from bot.people.importing import ImportFileError

    for data, name, key in ((b"", "empty.csv", "empty"), (b"PK\x03\x04junk", "x.xlsx", "unreadable"),
                            (b"a,b", "list.pdf", "format")):  # fmt: skip
        with transaction(stack.engine) as session:
            try:
                import_jobs.upload(session, data, name, stack.services.content, None, stack.clock())
            except ImportFileError as error:
                assert error.key == f"import.error.{key}"
            else:
                raise AssertionError(name)
    assert stack.count(PeopleImport) == 0


async def test_an_import_left_half_way_is_resumed_without_writing_anyone_twice(stack):
    content = stack.services.content
    with transaction(stack.engine) as session:
        job = import_jobs.upload(session, CSV, "liste.csv", content, None, stack.clock())
        job_id = job.id
    # The process wrote the first chunk and died before it could note it (the worst case).
    with transaction(stack.engine) as session:
        job = session.get(PeopleImport, job_id)
        checked = import_jobs.check(job, content, ["SN"], stack.clock().date())
        write_rows(session, checked.rows, content, None, stack.clock(), actor="system")
        job.status, job.updated_at = "running", stack.clock()
    people = stack.count(Person)
    assert import_jobs.resume_stale(stack.engine, content, ["SN"], stack.clock) == 0  # not stale
    stack.clock.advance(minutes=5)
    assert import_jobs.resume_stale(stack.engine, content, ["SN"], stack.clock) == 1
    with transaction(stack.engine) as session:
        job = session.get(PeopleImport, job_id)
        assert job.status == "done" and (job.created, job.existing) == (0, 2)
    assert stack.count(Person) == people
