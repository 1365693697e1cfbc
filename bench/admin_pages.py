"""Admin pages at scale: the people list, search, a person's page and the results pages on
100,000 people and 1,000,000 messages in SQLite, against the same pages on a small database
(1,000 people, 10,000 messages) measured in the same process, in the same rounds.

    .venv/bin/python bench/admin_pages.py [--people 100000] [--messages 1000000]
        [--baseline-people 1000] [--requests 50] [--db PATH] [--fresh] [--explain]

Seeding: a fresh migrated SQLite file (`bot.db.upgrade`), then bulk inserts straight to the
driver in transactions of 50,000 rows: 40 facilitators, people with mixed profiles taken from
`content/options.yaml` (returned between January 2025 and November 2026), one contact each
(SMS numbers in E.164, Telegram chat ids), a conversation, two consents, follow-up plans
through `bot.followup.prompts.enrol_many` (~9 prompts each) whose past prompts are then marked
answered, missed or open as the scheduler would have left them, a survey response with
scored answers for every answered prompt with an instrument (anonymous for half of the
feedback; scores from `flows.scoring.score`), a few thousand alerts, and the messages,
inbound 40% and outbound 60%, inserted in time order across people (as a live service
writes them), most people having 4-12 and a few hundreds. The data's "now" is fixed at
2026-12-01 08:00 UTC. Seeded files are cached: by default in /tmp/homecoming-bench/, named
by their parameters and rebuilt when the migrations change; `--fresh` seeds again; `--db`
names the full-size file (the baseline sits next to it).

Measuring: the real app (`create_app(..., start_workers=False)`) over httpx's ASGI
transport, signed in as an admin through the login form. The results snapshot is recomputed
first with `bot.results.refresh` (timed: it is what "Refresh now" and housekeeping run), so
the results pages read a snapshot. After 3 warm-ups per page, `--requests` rounds; each
round requests every page once from the full-size app and once from the baseline app
(alternating which goes first), so machine noise hits both alike. Printed per page: p50,
p95 and max at full size, p95 at baseline size, the ratio p95(full)/p95(baseline), which
shows how the page scales regardless of machine speed, and p95 against GET /healthz in the
same process (the framework's floor). PASS when every page's p95 is under 200 ms at full
size; the exit status is 1 otherwise.

`--explain` also runs every page once more at full size with its SQL captured, and prints
each query's own time (re-run on a plain connection) and its EXPLAIN QUERY PLAN.
`--try-sql "CREATE INDEX ..."` (repeatable) applies a statement to both files before
measuring, to prototype an index; indexes created this way are dropped again at the end.
Runs write a little into the cached files (sign-ins, "person viewed" audit rows, the
snapshot), as staff using the admin would.

On a quiet 2-core machine: seeding takes ~90 s (an 800 MB file: 743,000 prompts, 296,000
responses with 1.9 million answers; peak RSS ~410 MB), `results.refresh` ~13 s, and every
page passes; the slowest are the searches, which scan the person table (twice: the count
and the page): a phone number ~130 ms p95 (15x the baseline), a rare full name ~100 ms, a
common surname ~55 ms; the person page (~11 ms, ~1x) and the results pages (~9-26 ms, ~1x)
do not grow with the data. Under load from other processes the searches went over 200 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import re
import resource
import sqlite3
import statistics
import sys
import time
from array import array
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import quote_plus

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402
from alembic.script import ScriptDirectory  # noqa: E402
from sqlalchemy import event  # noqa: E402
from sqlmodel import Session, create_engine  # noqa: E402

from bot import results  # noqa: E402
from bot.app import create_app  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.content import load_content  # noqa: E402
from bot.db import alembic_config, upgrade  # noqa: E402
from bot.followup.plans import enrol_many  # noqa: E402
from bot.staff import create_staff, hash_password  # noqa: E402
from flows.survey.scoring import score  # noqa: E402

SEED_VERSION = 1
NOW = datetime(2026, 12, 1, 8, tzinfo=UTC)  # the data's "now"
FIRST_RETURN = date(2025, 1, 1)
LAST_RETURN = date(2026, 11, 24)
BASE = datetime(2025, 1, 1)  # message times are milliseconds after this (naive UTC)
CHUNK = 50_000
FACILITATORS = 40
INBOUND_SHARE = 0.4
ADMIN_EMAIL = "admin@bench.example"
PASSWORD = "bench-admin-password"
SECRET = "bench-only-secret-key-not-for-production"
TARGET_MS = 200.0
WARMUPS = 3
CACHE_DIR = Path("/tmp/homecoming-bench")
CSRF = re.compile(r'name="csrf" value="([^"]+)"')

FIRST_NAMES = (
    "Aminata", "Fatou", "Mariama", "Awa", "Khady", "Aissatou", "Ndeye", "Kadiatou", "Binta",
    "Oumou", "Mariam", "Hawa", "Sira", "Coumba", "Rokhaya", "Astou", "Dieynaba", "Adama",
    "Ama", "Akosua", "Adjoa", "Ngozi", "Chiamaka", "Fanta", "Salimata", "Rama", "Safiatou",
    "Mamadou", "Ibrahima", "Moussa", "Ousmane", "Abdoulaye", "Cheikh", "Modou", "Lamine",
    "Souleymane", "Boubacar", "Seydou", "Amadou", "Alassane", "Kofi", "Kwame", "Yaw",
    "Chinedu", "Emeka", "Oluwaseun", "Salif", "Issa", "Bakary", "Sekou", "Mohamed", "Alpha",
    "Thierno", "Pape", "Babacar", "Idrissa", "Youssouf", "Demba", "Samba", "Omar",
)  # fmt: skip
SURNAMES = (  # most frequent first: picked with Zipf-like weights
    "Diallo", "Ndiaye", "Diop", "Camara", "Traore", "Sow", "Fall", "Ba", "Keita", "Kone",
    "Coulibaly", "Toure", "Cisse", "Barry", "Bah", "Sylla", "Sarr", "Gueye", "Faye", "Mbaye",
    "Diakite", "Sangare", "Konate", "Thiam", "Kane", "Niang", "Seck", "Diouf", "Sall",
    "Dembele", "Sissoko", "Doumbia", "Kouyate", "Bangura", "Kamara", "Conteh", "Sesay",
    "Jalloh", "Bangoura", "Soumah", "Mensah", "Owusu", "Boateng", "Okafor", "Adeyemi", "Jallow",
    "Ceesay", "Touray", "Njie", "Sanneh", "Sidibe", "Tall", "Wade", "Dia", "Ly", "Sy", "Deme",
)  # fmt: skip
SURNAME_WEIGHTS = tuple(1 / (rank + 3) for rank in range(len(SURNAMES)))
SEARCH_SURNAME = "Diallo"
OTHER_DISTRICTS = ("Kolda", "Sedhiou", "Tambacounda", "Kedougou", "Matam")
SMS_PREFIXES = ("+22177", "+22178", "+22176", "+22470", "+22462", "+22376")
INBOUND_TEXTS = {
    "en": ("yes", "no", "Thank you", "I found some work at the market", "Can someone call me?",
           "Things are better this week", "I need help with my papers", "ok", "Hello",
           "When is the next group meeting?", "My mother is sick, I stay with her",
           "I started a small business selling phone credit", "not good"),
    "fr": ("oui", "non", "Merci", "J'ai trouvé du travail au marché", "Quelqu'un peut m'appeler ?",
           "Ça va mieux cette semaine", "J'ai besoin d'aide pour mes papiers", "d'accord",
           "Bonjour", "C'est quand la prochaine réunion du groupe ?",
           "Ma mère est malade, je reste avec elle",
           "J'ai commencé un petit commerce de crédit téléphonique", "pas bien"),
    "ar": ("نعم", "لا", "شكرا", "وجدت عملا في السوق", "هل يمكن لأحد أن يتصل بي؟",
           "الأمور أفضل هذا الأسبوع", "أحتاج مساعدة في أوراقي", "حسنا", "مرحبا",
           "متى الاجتماع القادم للمجموعة؟", "أمي مريضة، أبقى معها", "بدأت تجارة صغيرة", "لست بخير"),
}  # fmt: skip
CHOICE_VALUES = ("yes", "no", "partly", "good", "okay", "bad", "sometimes", "never", "always")
COMMENTS = (
    "The group meetings helped me a lot",
    "More help to find work please",
    "Merci pour les messages",
    "I would like training in mechanics",
)
CHOICES_JSON = json.dumps(
    [{"value": "yes", "label": "Yes"}, {"value": "no", "label": "No"}], separators=(",", ":")
)


def stamp(moment: datetime) -> str:
    """How a UTCDateTime column stores a moment on SQLite (see bot.followup.prompts_.insert_rows)."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def stamp_ms(ms: int) -> str:
    return (BASE + timedelta(milliseconds=ms)).isoformat(" ", "microseconds")


def ms_of(moment: datetime) -> int:
    return int((moment.astimezone(UTC).replace(tzinfo=None) - BASE).total_seconds() * 1000)


def address_of(index: int, channel: str) -> str:
    """Unique per person: a bijection of the index (multipliers coprime with 10^7, 10^9)."""
    if channel == "sms":
        return (
            SMS_PREFIXES[index % len(SMS_PREFIXES)]
            + f"{(index * 7_368_787 + 1_234_567) % 10_000_000:07d}"
        )
    return str(5_000_000_000 + (index * 48_271 + 777) % 1_000_000_000)


def weighted(rng: random.Random, values: tuple, weights: tuple):
    return rng.choices(values, weights)[0]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def migrations_head() -> str:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head() or ""


# -- seeding ---------------------------------------------------------------------------------


def _insert(connection, table: str, columns: tuple[str, ...], rows: list) -> None:
    if rows:
        marks = ", ".join("?" for _ in columns)
        names = ", ".join(f'"{c}"' for c in columns)
        connection.exec_driver_sql(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


PERSON_COLUMNS = (
    "id", "public_id", "status", "language", "timezone", "display_name", "role", "district",
    "district_other", "return_date", "return_date_precision", "gender", "age_band", "sector",
    "sector_other", "interests", "preferred_time", "vulnerabilities", "enrolled_by_staff",
    "opted_out_at", "created_at", "updated_at", "enrolled_at", "plan", "plan_revision",
    "facilitator_id", "missed_in_row", "unreachable_at", "outcome", "outcome_at",
    "followup_paused", "erased_at",
)  # fmt: skip
INBOUND_COLUMNS = (
    "channel", "provider_id", "address", "kind", "text", "choice", "person_id", "handoff",
    "received_at", "processed_at", "attempts", "handled_at", "handled_by",
)  # fmt: skip
OUTBOUND_COLUMNS = (
    "person_id", "contact_id", "channel", "body", "choices", "language", "origin", "status",
    "attempts", "next_attempt_at", "provider_id", "segments", "error_code", "created_at",
    "sent_at", "delivered_at", "staff_id",
)  # fmt: skip


@dataclass
class People:
    """What later stages need of each person, indexed by person id - 1."""

    created_ms: array = field(default_factory=lambda: array("q"))
    telegram: bytearray = field(default_factory=bytearray)
    language: list[str] = field(default_factory=list)
    status: list[str] = field(default_factory=list)
    facilitator: array = field(default_factory=lambda: array("i"))
    # enrolment moment -> ids of active returnees enrolled then
    enrolments: dict[datetime, list[int]] = field(default_factory=dict)


class Seeder:
    def __init__(self, path: Path, people: int, messages: int, log=print):
        self.path, self.people, self.messages, self.log = path, people, messages, log
        self.rng = random.Random(f"homecoming-bench:{people}:{messages}")
        self.content = load_content()
        self.meta = People()

    def run(self) -> dict:
        began = time.perf_counter()
        partial = self.path.with_name(self.path.name + ".partial")
        for leftover in (partial, *(Path(f"{partial}{s}") for s in ("-wal", "-shm"))):
            leftover.unlink(missing_ok=True)
        partial.parent.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{partial}"
        upgrade(url)
        engine = create_engine(url)
        event.listen(engine, "connect", _seeding_pragmas)
        steps: dict[str, float] = {}

        def step(name, function, *args):
            start = time.perf_counter()
            value = function(engine, *args)
            steps[name] = time.perf_counter() - start
            self.log(f"  seeded {name} in {steps[name]:.1f} s")
            return value

        step("staff", self.staff)
        step("people, contacts, conversations, consents", self.persons)
        prompts = step("follow-up plans (enrol_many)", self.plans)
        step("prompt outcomes", self.prompt_outcomes)
        answered = step("survey responses and answers", self.responses)
        alerts = step("alerts", self.alerts)
        heaviest = step("messages", self.messages_)
        with engine.connect() as connection:
            counts = {
                table: connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one()
                for table in (
                    "person", "contact", "consent", "inbound", "outbound", "scheduled_prompt",
                    "survey_response", "answer", "alert",
                )
            }  # fmt: skip
            samples = [
                row[0]
                for row in connection.exec_driver_sql(
                    "SELECT id FROM person WHERE status = 'active' AND role = 'returnee' "
                    "AND erased_at IS NULL ORDER BY (id * 2654435761) % 1000003 LIMIT 100"
                )
            ]
            phone = connection.exec_driver_sql(
                "SELECT address FROM contact WHERE channel = 'sms' ORDER BY id LIMIT 1 OFFSET ?",
                (self.people // 2 // 2,),
            ).scalar_one()
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
        os.replace(partial, self.path)
        for suffix in ("-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        info = {
            "seed_version": SEED_VERSION,
            "migrations": migrations_head(),
            "people": self.people,
            "messages": self.messages,
            "seconds": round(time.perf_counter() - began, 1),
            "steps": {k: round(v, 1) for k, v in steps.items()},
            "counts": counts,
            "prompts": prompts,
            "responses": answered,
            "alerts": alerts,
            "heaviest": heaviest,
            "samples": samples,
            "phone_digits": re.sub(r"\D", "", phone)[-7:],
            "bytes": self.path.stat().st_size,
        }
        Path(f"{self.path}.json").write_text(json.dumps(info, indent=1))
        return info

    # -- staff

    def staff(self, engine) -> None:
        with Session(engine) as session:
            create_staff(session, ADMIN_EMAIL, "Bench Admin", PASSWORD, "admin")
            session.commit()
        shared = hash_password("facilitator-password")  # argon2 once; they never sign in
        districts = self.content.option_sets["district"]
        rows = []
        for n in range(FACILITATORS):
            first, last = FIRST_NAMES[n % len(FIRST_NAMES)], SURNAMES[(n * 7) % len(SURNAMES)]
            covered = json.dumps([districts[n % len(districts)]])
            rows.append(
                (f"facilitator{n + 1}@bench.example", f"{first} {last}", shared, "facilitator",
                 1, stamp(datetime(2024, 12, 1, tzinfo=UTC)), ("en", "fr")[n % 2], covered)
            )  # fmt: skip
        rows.append(("viewer@bench.example", "Bench Viewer", shared, "viewer", 1,
                     stamp(datetime(2024, 12, 1, tzinfo=UTC)), "en", "[]"))  # fmt: skip
        with engine.begin() as connection:
            _insert(connection, "staff",
                    ("email", "name", "password_hash", "role", "active", "created_at",
                     "language", "districts"), rows)  # fmt: skip
            found = connection.exec_driver_sql(
                "SELECT id, districts FROM staff WHERE role = 'facilitator' ORDER BY id"
            ).all()
        self.by_district: dict[str, list[int]] = {}
        for staff_id, covered in found:
            for district in json.loads(covered):
                self.by_district.setdefault(district, []).append(staff_id)
        self.facilitator_ids = [staff_id for staff_id, _ in found]

    # -- people

    def persons(self, engine) -> None:
        for start in range(0, self.people, CHUNK):
            count = min(CHUNK, self.people - start)
            people, contacts, conversations, consents = [], [], [], []
            for index in range(start, start + count):
                person, contact, created = self._person(index)
                people.append(person)
                contacts.append(contact)
                conversations.append((index + 1, "{}", created))
                granted = 0 if person[2] == "declined" else 1
                version = self.content.programme.get("consent_version", "v1")
                for purpose in ("messages", "surveys"):
                    consents.append((index + 1, purpose, version, granted, contact[1], created))
            with engine.begin() as connection:
                _insert(connection, "person", PERSON_COLUMNS, people)
                _insert(connection, "contact",
                        ("id", "person_id", "channel", "address", "stopped", "stopped_at",
                         "stopped_reason", "created_at"), contacts)  # fmt: skip
                _insert(connection, "conversation", ("person_id", "state", "updated_at"),
                        conversations)  # fmt: skip
                _insert(connection, "consent",
                        ("person_id", "purpose", "version", "granted", "channel", "at"),
                        consents)  # fmt: skip

    def _person(self, index: int):
        rng, options, meta = self.rng, self.content.option_sets, self.meta
        pid = index + 1
        status = weighted(rng, ("active", "onboarding", "declined"), (92, 5, 3))
        role = weighted(rng, ("returnee", "community", "mentor"), (88, 8, 4))
        language = weighted(rng, ("fr", "en", "ar"), (50, 35, 15))
        telegram = rng.random() < 0.3
        channel = "telegram" if telegram else "sms"
        district = weighted(rng, options["district"], (30, 20, 18, 15, 12, 5))
        age_band = weighted(rng, options["age_band"], (4, 30, 40, 18, 8))
        returned = FIRST_RETURN + timedelta(days=rng.randint(0, (LAST_RETURN - FIRST_RETURN).days))
        enrolled = datetime.combine(returned + timedelta(days=rng.randint(1, 3)),
                                    datetime.min.time(), UTC) + timedelta(hours=10)  # fmt: skip
        created = enrolled - timedelta(minutes=rng.randint(5, 90))
        vulnerabilities = []
        if rng.random() < 0.04:
            vulnerabilities.append("trafficking")
        if age_band == "under_18" and rng.random() < 0.6:
            vulnerabilities.append("unaccompanied_minor")
        if rng.random() < 0.02:
            vulnerabilities.append(weighted(rng, ("serious_illness", "disability"), (1, 1)))
        name = f"{rng.choice(FIRST_NAMES)} {weighted(rng, SURNAMES, SURNAME_WEIGHTS)}"
        facilitator = None
        if rng.random() < 0.95:
            facilitator = rng.choice(self.by_district.get(district) or self.facilitator_ids)
        values = dict.fromkeys(PERSON_COLUMNS)
        values.update(
            id=pid, public_id=f"{rng.getrandbits(128):032x}", status=status, language=language,
            vulnerabilities="[]", enrolled_by_staff=int(rng.random() < 0.05), plan_revision=0,
            missed_in_row=0, followup_paused=0, created_at=stamp(created),
            updated_at=stamp(created),
        )  # fmt: skip
        if status == "onboarding":  # still answering the first questions: little is known
            created = NOW - timedelta(days=rng.randint(0, 30), minutes=rng.randint(0, 600))
            values.update(created_at=stamp(created), updated_at=stamp(created),
                          display_name=name if rng.random() < 0.5 else None)  # fmt: skip
        elif status == "declined":  # nothing kept but the opt-out
            values.update(opted_out_at=stamp(created + timedelta(minutes=3)))
        else:
            precise = rng.random() < 0.85
            values.update(
                display_name=name, role=role, district=district,
                district_other=rng.choice(OTHER_DISTRICTS) if district == "other" else None,
                gender=weighted(rng, options["gender"], (45, 53, 2)), age_band=age_band,
                sector=rng.choice(options["sector"]), interests=rng.choice(options["interests"]),
                preferred_time=rng.choice((*options["preferred_time"], None)),
                vulnerabilities=json.dumps(vulnerabilities), facilitator_id=facilitator,
            )  # fmt: skip
            if role == "returnee":
                values.update(
                    return_date=(returned if precise else returned.replace(day=1)).isoformat(),
                    return_date_precision="day" if precise else "month",
                )
                meta.enrolments.setdefault(enrolled, []).append(pid)
                roll = rng.random()
                if roll < 0.03:
                    values.update(missed_in_row=3, unreachable_at=stamp(NOW - timedelta(days=rng.randint(1, 200))))  # fmt: skip
                elif roll < 0.04:
                    values.update(followup_paused=1)
                elif roll < 0.06:
                    values.update(outcome=rng.choice(("remigrated", "left_programme")),
                                  outcome_at=stamp(NOW - timedelta(days=rng.randint(1, 300))))  # fmt: skip
            else:
                values.update(enrolled_at=stamp(created + timedelta(minutes=10)))
        stopped = status == "declined"
        contact = (pid, pid, channel, address_of(index, channel), int(stopped),
                   stamp(created + timedelta(minutes=3)) if stopped else None,
                   "stop" if stopped else None, stamp(created))  # fmt: skip
        meta.created_ms.append(ms_of(created))
        meta.telegram.append(telegram)
        meta.language.append(language)
        meta.status.append(status)
        meta.facilitator.append(facilitator or 0)
        return tuple(values[c] for c in PERSON_COLUMNS), contact, stamp(created)

    # -- follow-up

    def plans(self, engine) -> int:
        created = 0
        pending = 0
        session = Session(engine)
        try:
            for moment in sorted(self.meta.enrolments):
                ids = self.meta.enrolments[moment]
                created += enrol_many(session, ids, self.content, moment)
                pending += len(ids)
                if pending >= 5_000:
                    session.commit()
                    pending = 0
            session.commit()
        finally:
            session.close()
        return created

    def prompt_outcomes(self, engine) -> None:
        """Past prompts as the tick and the no-reply rules would have left them."""
        now, recent = stamp(NOW), stamp(NOW - timedelta(days=4))
        fired = "strftime('%Y-%m-%d %H:%M:%S', due_at, '+{}') || '.000000'"
        with engine.begin() as connection:
            connection.exec_driver_sql(
                f"""
                UPDATE scheduled_prompt SET
                  fired_at = due_at,
                  status = CASE
                    WHEN kind IN ('info', 'closure') THEN 'answered'
                    WHEN due_at >= ? THEN 'open'
                    WHEN (id * 2654435761) % 100
                         < CASE WHEN instrument = 'reintegration' THEN 58 ELSE 62 END
                      THEN 'answered'
                    ELSE 'missed' END,
                  reminder_due_at = CASE WHEN kind IN ('info', 'closure') THEN NULL
                                    ELSE {fired.format("2 days")} END,
                  closes_at = CASE WHEN kind IN ('info', 'closure') THEN NULL
                              ELSE {fired.format("4 days")} END
                WHERE status = 'pending' AND due_at < ?
                """,
                (recent, now),
            )
            connection.exec_driver_sql(
                """
                UPDATE scheduled_prompt
                SET answered_at = strftime('%Y-%m-%d %H:%M:%S', due_at,
                                           '+' || (id % 40) || ' hours') || '.000000'
                WHERE status = 'answered' AND kind NOT IN ('info', 'closure')
                  AND due_at < ?
                """,
                (now,),
            )
            # Closure sent: the twelve months are over.
            closed = connection.exec_driver_sql(
                "SELECT fired_at, person_id FROM scheduled_prompt "
                "WHERE kind = 'closure' AND status = 'answered'"
            ).all()
            connection.exec_driver_sql(
                "UPDATE person SET outcome = 'completed', outcome_at = ? "
                "WHERE id = ? AND outcome IS NULL",
                [tuple(row) for row in closed],
            )

    def responses(self, engine) -> int:
        """A response with answers for every answered prompt with an instrument."""
        rng, surveys, options = self.rng, self.content.surveys, self.content.option_sets
        response_id = answer_id = 0
        last = 0
        while True:
            with engine.begin() as connection:
                prompts = connection.exec_driver_sql(
                    "SELECT id, person_id, instrument, wave, answered_at FROM scheduled_prompt "
                    "WHERE id > ? AND status = 'answered' AND instrument IS NOT NULL "
                    "AND answered_at IS NOT NULL ORDER BY id LIMIT ?",
                    (last, CHUNK // 10),
                ).all()
                if not prompts:
                    break
                last = prompts[-1][0]
                response_rows, answer_rows = [], []
                for prompt_id, person_id, instrument, wave, answered_at in prompts:
                    survey = surveys.get(instrument)
                    if survey is None:
                        continue
                    # A person's answers lean the same way from wave to wave.
                    lean = ((person_id * 40_503) % 1_000) / 1_000
                    answers = {q.id: _answer(rng, q, options, lean) for q in survey.questions}
                    scored = score(survey, answers)
                    anonymous = survey.anonymous and rng.random() < 0.5
                    response_id += 1
                    assisted = not anonymous and rng.random() < 0.03
                    response_rows.append(
                        (response_id, None if anonymous else person_id,
                         None if anonymous else prompt_id, instrument, survey.version, wave,
                         int(anonymous), self.meta.language[person_id - 1],
                         json.dumps(scored.dimensions), scored.composite, answered_at[:10],
                         (self.meta.facilitator[person_id - 1] or None) if assisted else None)
                    )  # fmt: skip
                    for question_id, value in answers.items():
                        answer_id += 1
                        answer_rows.append(
                            (answer_id, response_id, question_id, json.dumps(value),
                             scored.items.get(question_id))
                        )  # fmt: skip
                _insert(connection, "survey_response",
                        ("id", "person_id", "prompt_id", "instrument", "version", "wave",
                         "anonymous", "language", "scores", "composite", "completed_on",
                         "recorded_by"), response_rows)  # fmt: skip
                _insert(
                    connection,
                    "answer",
                    ("id", "response_id", "question_id", "value", "score"),
                    answer_rows,
                )
        return response_id

    def alerts(self, engine) -> int:
        rng = self.rng
        reasons = (("distress_score", "high"), ("safety", "high"), ("wellbeing", "medium"),
                   ("basic_needs", "medium"), ("phrase", "high"), ("unreachable", "medium"),
                   ("asked_for_person", "low"))  # fmt: skip
        hours = {"high": 4, "medium": 24, "low": 72}
        rows = []
        for index in range(self.people):
            if self.meta.status[index] != "active" or rng.random() >= 0.035:
                continue
            reason, severity = rng.choice(reasons)
            created = NOW - timedelta(days=rng.randint(0, 400), minutes=rng.randint(0, 1440))
            open_ = rng.random() < 0.2
            owner = self.meta.facilitator[index] or None
            closed = created + timedelta(hours=rng.randint(1, 60))
            rows.append(
                (index + 1, reason, severity, None, owner, "open" if open_ else "closed",
                 stamp(created + timedelta(hours=hours[severity])), stamp(created),
                 None if open_ else stamp(closed), None if open_ else owner,
                 None if open_ else "Called them; they are fine and will come to the group.")
            )  # fmt: skip
        with engine.begin() as connection:
            _insert(connection, "alert",
                    ("person_id", "reason", "severity", "detail", "owner_id", "status", "due_at",
                     "created_at", "closed_at", "closed_by", "close_note"), rows)  # fmt: skip
        return len(rows)

    # -- messages

    def _counts(self) -> list[int]:
        """Most people 4-12 messages, 4% a few dozen, 0.2% hundreds; exactly `messages`."""
        rng = self.rng
        raw = []
        for status in self.meta.status:
            roll = rng.random()
            if status != "active":
                raw.append(rng.randint(1, 4))
            elif roll < 0.002:
                raw.append(rng.randint(150, 1000))
            elif roll < 0.042:
                raw.append(rng.randint(20, 60))
            else:
                raw.append(rng.randint(4, 12))
        factor = self.messages / max(1, sum(raw))
        counts = [int(c * factor + rng.random()) for c in raw]
        missing = self.messages - sum(counts)
        while missing:
            index = rng.randrange(self.people)
            if missing > 0:
                counts[index] += 1
                missing -= 1
            elif counts[index] > 0:
                counts[index] -= 1
                missing += 1
        return counts

    def messages_(self, engine) -> dict:
        rng, meta = self.rng, self.meta
        counts = self._counts()
        heaviest = max(range(self.people), key=counts.__getitem__) if self.people else 0
        bits = max(1, self.people.bit_length())
        end = ms_of(NOW - timedelta(minutes=5))
        keys = []  # (time << bits | index) << 1 | outbound: sorted, they are in time order
        for index, count in enumerate(counts):
            start = meta.created_ms[index]
            span = max(1, end - start)
            random_ = rng.random
            for _ in range(count):
                keys.append((((start + int(random_() * span)) << bits) | index) << 1
                            | (random_() >= INBOUND_SHARE))  # fmt: skip
        keys.sort()
        catalog = self.content.catalog
        bodies = {
            language: [
                (key, catalog.text(language, key))
                for key in sorted(catalog.texts[catalog.languages[0]])
                if not key.startswith("option.")
                and not key.endswith((".synonyms", ".sms"))
                and catalog.has(language, key)
            ]
            for language in catalog.languages
        }
        bodies = {k: [b for b in v if len(b[1]) > 15] or v for k, v in bodies.items()}
        mask = (1 << bits) - 1
        inbound_n = outbound_n = 0
        for offset in range(0, len(keys), CHUNK):
            inbound, outbound = [], []
            for key in keys[offset : offset + CHUNK]:
                out = key & 1
                index = (key >> 1) & mask
                at = stamp_ms(key >> (bits + 1))
                pid = index + 1
                channel = "telegram" if meta.telegram[index] else "sms"
                language = meta.language[index]
                roll = rng.random()
                if out:
                    outbound_n += 1
                    staff = (
                        meta.facilitator[index] if roll < 0.02 and meta.facilitator[index] else None
                    )
                    origin, body = rng.choice(bodies[language])
                    if staff:
                        origin, body = (
                            "staff.reply",
                            "Hello, this is your facilitator. Can we meet on Thursday at the centre?",
                        )
                    failed = roll > 0.97
                    outbound.append(
                        (pid, pid, channel, body, CHOICES_JSON if roll < 0.3 else "[]", language,
                         origin, "failed" if failed else ("delivered" if roll < 0.9 else "sent"),
                         1, at, f"SM{outbound_n:032x}" if channel == "sms" else str(outbound_n),
                         1 + len(body) // 160 if channel == "sms" else None,
                         "30006" if failed else None, at, at, None if failed else at, staff)
                    )  # fmt: skip
                else:
                    inbound_n += 1
                    choice = roll < 0.25
                    handoff = "unhandled" if 0.25 <= roll < 0.27 else None
                    handled = handoff is not None and roll < 0.265
                    inbound.append(
                        (channel, f"SM{inbound_n:032x}" if channel == "sms" else str(inbound_n),
                         address_of(index, channel), "choice" if choice else "text",
                         None if choice else rng.choice(INBOUND_TEXTS[language]),
                         rng.choice(CHOICE_VALUES) if choice else None, pid, handoff, at, at, 1,
                         at if handled else None,
                         (meta.facilitator[index] or None) if handled else None)
                    )  # fmt: skip
            with engine.begin() as connection:
                _insert(connection, "inbound", INBOUND_COLUMNS, inbound)
                _insert(connection, "outbound", OUTBOUND_COLUMNS, outbound)
        return {"id": heaviest + 1, "messages": counts[heaviest] if counts else 0}


def _answer(rng: random.Random, question, options, lean: float):
    """An answer as the bot stores it; better options more likely for a person who leans well."""
    if question.type == "choice":
        values = list(options.get(question.options, ()))
        if question.optional and rng.random() < 0.2:
            return None
        if question.scores:
            values.sort(key=lambda v: -question.scores.get(v, -1))
            pick = (rng.random() + lean) / 2
            return values[min(len(values) - 1, int((1 - pick) * len(values)))]
        return rng.choice(values)
    if question.type == "yesno":
        return "yes" if rng.random() < (0.05 if question.alert else 0.5) else "no"
    if question.type in ("scale", "number"):
        low, high = question.minimum or 1, question.maximum or 5
        return min(high, low + int(((rng.random() + lean) / 2) * (high - low + 1)))
    if question.type == "text":
        return rng.choice(COMMENTS) if rng.random() < 0.3 else None
    return None


def _seeding_pragmas(connection, _record) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=OFF")
    cursor.execute("PRAGMA foreign_keys=OFF")
    cursor.execute("PRAGMA cache_size=-65536")  # 64 MB, while seeding only
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.close()


def seeded(path: Path, people: int, messages: int, fresh: bool) -> dict:
    """The seeded file at `path`, made when absent, stale or asked for."""
    sidecar = Path(f"{path}.json")
    if path.exists() and sidecar.exists() and not fresh:
        info = json.loads(sidecar.read_text())
        wanted = (SEED_VERSION, migrations_head(), people, messages)
        if (
            info.get("seed_version"),
            info.get("migrations"),
            info["people"],
            info["messages"],
        ) == wanted:
            print(f"reusing {path} (seeded in {info['seconds']:.0f} s; --fresh seeds again)")
            return info
    print(f"seeding {path}: {people:,} people, {messages:,} messages")
    info = Seeder(path, people, messages).run()
    counts = info["counts"]
    print(
        f"seeded in {info['seconds']:.1f} s: "
        + ", ".join(f"{counts[t]:,} {t}" for t in counts)
        + f"; {info['bytes'] / 1e6:,.0f} MB; peak RSS {peak_rss_mb():,.0f} MB"
    )
    return info


# -- measuring -------------------------------------------------------------------------------


@dataclass
class Target:
    name: str
    path: Path
    info: dict
    app: object = None
    client: httpx.AsyncClient | None = None
    times: dict[str, list[float]] = field(default_factory=dict)

    @property
    def engine(self):
        return self.app.state.services.engine


@dataclass(frozen=True)
class PageSpec:
    name: str
    url: object  # a function (target, round) -> path
    gated: bool = True  # held to the 200 ms target (the floor is not)


PAGES = (
    PageSpec("people list, page 1", lambda t, r: "/admin/people"),
    PageSpec("people list, page 1000", lambda t, r: "/admin/people?page=1000"),
    PageSpec("search: a surname", lambda t, r: f"/admin/people?q={SEARCH_SURNAME}"),
    PageSpec("search: the rarest full name",
             lambda t, r: f"/admin/people?q={quote_plus(t.info['rare_name'])}"),
    PageSpec("search: 7 digits of a phone", lambda t, r: f"/admin/people?q={t.info['phone_digits']}"),
    PageSpec("filtered: north, women, 2026-03",
             lambda t, r: "/admin/people?district=north&gender=woman&cohort=2026-03"),
    PageSpec("person page, random people",
             lambda t, r: f"/admin/people/{t.info['samples'][r % len(t.info['samples'])]}"),
    PageSpec("person page, the heaviest", lambda t, r: f"/admin/people/{t.info['heaviest']['id']}"),
    PageSpec("dashboard", lambda t, r: "/admin"),
    PageSpec("inbox", lambda t, r: "/admin/inbox"),
    PageSpec("alerts, open", lambda t, r: "/admin/alerts"),
    PageSpec("audit log", lambda t, r: "/admin/audit"),
    PageSpec("results overview", lambda t, r: "/admin/results"),
    PageSpec("results: reintegration m3", lambda t, r: "/admin/results/reintegration/m3"),
    PageSpec("results: reintegration m3 by cohort",
             lambda t, r: "/admin/results/reintegration/m3?by=cohort"),
    PageSpec("GET /healthz (floor)", lambda t, r: "/healthz", gated=False),
)  # fmt: skip


async def open_target(target: Target) -> None:
    with sqlite3.connect(target.path) as connection:
        # The worst case of a name search: few matches, so the page scans every row too.
        target.info["rare_name"] = connection.execute(
            "SELECT display_name FROM person WHERE display_name IS NOT NULL "
            "GROUP BY display_name ORDER BY count(*), display_name LIMIT 1"
        ).fetchone()[0]
    settings = Settings(database_url=f"sqlite:///{target.path}", secret_key=SECRET, demo=False)
    target.app = create_app(settings, start_workers=False)
    target.client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=target.app), base_url="https://bench.example"
    )
    page = await target.client.get("/admin/login")
    token = CSRF.search(page.text)
    if page.status_code != 200 or token is None:
        raise SystemExit(f"{target.name}: no login form ({page.status_code})")
    signed = await target.client.post(
        "/admin/login", data={"email": ADMIN_EMAIL, "password": PASSWORD, "csrf": token.group(1)}
    )
    if signed.status_code != 303:
        raise SystemExit(f"{target.name}: sign-in failed ({signed.status_code})")


async def get(target: Target, path: str) -> float:
    began = time.perf_counter()
    response = await target.client.get(path)
    elapsed = (time.perf_counter() - began) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{target.name}: GET {path} -> {response.status_code}")
    return elapsed


def refresh_snapshot(target: Target) -> float:
    svc = target.app.state.services
    began = time.perf_counter()
    snapshot = results.refresh(svc.engine, svc.content, lambda: NOW)
    elapsed = time.perf_counter() - began
    size = len(json.dumps(snapshot.data))
    print(f"{target.name}: results.refresh in {elapsed:.2f} s (snapshot {size / 1e3:,.0f} kB)")
    return elapsed


async def measure(targets: list[Target], requests: int) -> None:
    for spec in PAGES:
        for target in targets:
            for warm in range(WARMUPS):
                await get(target, spec.url(target, requests + warm))
    for round_ in range(requests):
        for spec in PAGES:
            order = targets if round_ % 2 == 0 else targets[::-1]
            for target in order:
                elapsed = await get(target, spec.url(target, round_))
                target.times.setdefault(spec.name, []).append(elapsed)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def report(full: Target, base: Target) -> bool:
    floor_full = p95(full.times[PAGES[-1].name])
    head = (f"{'page':<38} {'p50':>8} {'p95':>8} {'max':>8} {'p95 base':>9} "
            f"{'ratio':>7} {'×floor':>7}  verdict")  # fmt: skip
    print()
    print(f"full: {full.info['people']:,} people, {full.info['messages']:,} messages; "
          f"baseline: {base.info['people']:,} people, {base.info['messages']:,} messages; "
          f"{len(full.times[PAGES[0].name])} requests per page; times in ms")  # fmt: skip
    print(head)
    print("-" * len(head))
    passed = True
    for spec in PAGES:
        ours, theirs = full.times[spec.name], base.times[spec.name]
        high = p95(ours)
        verdict = ""
        if spec.gated:
            verdict = "PASS" if high < TARGET_MS else "FAIL"
            passed &= high < TARGET_MS
        print(
            f"{spec.name:<38} {statistics.median(ours):>8.1f} {high:>8.1f} {max(ours):>8.1f} "
            f"{p95(theirs):>9.1f} {high / p95(theirs):>6.1f}x {high / floor_full:>6.1f}x  {verdict}"
        )
    heaviest = full.info["heaviest"]
    print(f"(the heaviest person, #{heaviest['id']}, has {heaviest['messages']:,} messages; "
          f"ratio = p95 full / p95 baseline; ×floor = p95 / p95 of GET /healthz at full size)")  # fmt: skip
    print(f"target: p95 < {TARGET_MS:.0f} ms for every page at full size: "
          f"{'PASS' if passed else 'FAIL'}")  # fmt: skip
    return passed


# -- diagnosis -------------------------------------------------------------------------------


class QueryLog:
    def __init__(self, engine):
        self.statements: list[tuple[str, tuple]] = []
        self.on = False
        event.listen(engine, "before_cursor_execute", self._before)

    def _before(self, _conn, _cursor, statement, parameters, _context, executemany):
        if self.on and not executemany:
            self.statements.append((statement, tuple(parameters or ())))


async def explain(target: Target) -> None:
    """Each page once more, its queries re-run one by one on a plain connection, with plans."""
    log = QueryLog(target.engine)
    plain = sqlite3.connect(target.path)
    print()
    print(f"queries of each page at full size ({target.path}):")
    for spec in PAGES:
        log.statements.clear()
        log.on = True
        await get(target, spec.url(target, 0))
        log.on = False
        print(f"\n== {spec.name}: {spec.url(target, 0)}")
        for statement, parameters in log.statements:
            if statement.lstrip().upper().startswith("BEGIN"):
                continue
            if not statement.lstrip().upper().startswith("SELECT"):
                print(f"   (write) {' '.join(statement.split())[:100]}")
                continue
            began = time.perf_counter()
            rows = plain.execute(statement, parameters).fetchall()
            elapsed = (time.perf_counter() - began) * 1000
            flat = " ".join(statement.split())
            print(
                f"  {elapsed:8.2f} ms  {len(rows):>5} rows  {flat[:160]}{'…' if len(flat) > 160 else ''}"
            )
            if elapsed >= 5:
                for row in plain.execute(f"EXPLAIN QUERY PLAN {statement}", parameters):
                    print(f"{'':22}plan: {row[-1]}")
    plain.close()


def apply_sql(paths: list[Path], statements: list[str]) -> list[str]:
    """Prototype statements on every file; returns the DROP statements that undo them."""
    undo = []
    for statement in statements:
        created = re.match(r"\s*CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)",
                           statement, re.I)  # fmt: skip
        if created:
            undo.append(f"DROP INDEX IF EXISTS {created.group(1)}")
        for path in paths:
            began = time.perf_counter()
            with sqlite3.connect(path) as connection:
                connection.execute(statement)
            print(f"applied to {path.name} in {time.perf_counter() - began:.1f} s: {statement}")
    return undo


# -- main ------------------------------------------------------------------------------------


async def run(args) -> bool:
    full_path = (
        Path(args.db)
        if args.db
        else CACHE_DIR / (f"admin-pages-{args.people}p-{args.messages}m-v{SEED_VERSION}.db")
    )
    base_messages = round(args.messages * args.baseline_people / max(1, args.people))
    base_path = full_path.with_name(
        f"{full_path.stem}-baseline-{args.baseline_people}p-{base_messages}m.db"
    )
    full = Target("full", full_path, seeded(full_path, args.people, args.messages, args.fresh))
    base = Target(
        "baseline", base_path, seeded(base_path, args.baseline_people, base_messages, args.fresh)
    )
    undo = apply_sql([full_path, base_path], args.try_sql or [])
    try:
        for target in (full, base):
            await open_target(target)
        refreshed = {t.name: refresh_snapshot(t) for t in (full, base)}
        print(
            f"results.refresh ratio (full / baseline): {refreshed['full'] / refreshed['baseline']:,.0f}x"
        )
        began = time.perf_counter()
        await measure([full, base], args.requests)
        print(f"measured in {time.perf_counter() - began:.0f} s")
        passed = report(full, base)
        if args.explain:
            await explain(full)
        print(f"peak RSS {peak_rss_mb():,.0f} MB")
        return passed
    finally:
        for target in (full, base):
            if target.client is not None:
                await target.client.aclose()
                target.app.state.services.dispose()
        if undo:
            apply_sql([full_path, base_path], undo)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--baseline-people", type=int, default=1_000,
                        help="the baseline's messages keep the same messages per person")  # fmt: skip
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page")
    parser.add_argument("--db", help="the full-size SQLite file (default: cached under /tmp)")
    parser.add_argument("--fresh", action="store_true", help="seed again even when cached")
    parser.add_argument(
        "--explain", action="store_true", help="print each page's queries and plans"
    )
    parser.add_argument("--try-sql", action="append", metavar="SQL",
                        help="run on both files before measuring (indexes are dropped after)")  # fmt: skip
    args = parser.parse_args()
    if args.people >= 10_000_000:
        parser.error("--people must stay under 10,000,000 (phone numbers are 7 digits)")
    sys.exit(0 if asyncio.run(run(args)) else 1)


if __name__ == "__main__":
    main()
