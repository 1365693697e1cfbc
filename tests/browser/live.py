"""The whole service running for a real browser: a migrated SQLite file, uvicorn on a free
local port, the real background workers, channel libraries talking HTTP to local fakes."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import uvicorn
from sqlmodel import select

from bot.app import create_app
from bot.db import transaction, upgrade
from bot.models import Alert, Answer, Contact, Inbound, Outbound, SurveyResponse
from bot.staff import create_staff
from bot.timeutil import utcnow
from tests.builders import PASSWORD
from tests.builders import add_person as _add_person
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.twilio_api import FakeTwilioAPI
from tests.stack import stack_settings


@dataclass
class LiveServer:
    url: str
    app: object
    telegram_api: FakeTelegramAPI
    twilio_api: FakeTwilioAPI

    @property
    def services(self):
        return self.app.state.services

    @property
    def engine(self):
        return self.services.engine

    def clock(self) -> datetime:
        return utcnow()

    # -- seed data -------------------------------------------------------------------------
    def add_staff(self, email: str, role: str = "admin", name: str | None = None) -> int:
        with transaction(self.engine) as session:
            return create_staff(
                session, email, name or email.split("@")[0].title(), PASSWORD, role
            ).id

    def add_person(self, name: str, **fields) -> int:
        """A returnee who finished onboarding (tests/admin/conftest.py's, on this server)."""
        return _add_person(self, name, **fields)

    def contact(self, person_id: int) -> Contact:
        with transaction(self.engine) as session:
            found = session.exec(select(Contact).where(Contact.person_id == person_id)).first()
            session.expunge(found)
            return found

    def add_messages(self, person_id: int, exchange: list[tuple[str, str]]) -> None:
        """("in", text) from the person and ("out", text) to them, a minute apart."""
        contact = self.contact(person_id)
        start = self.clock() - timedelta(minutes=len(exchange) + 1)
        with transaction(self.engine) as session:
            for index, (direction, text) in enumerate(exchange):
                at = start + timedelta(minutes=index)
                if direction == "in":
                    session.add(
                        Inbound(
                            channel=contact.channel,
                            provider_id=uuid.uuid4().hex,
                            address=contact.address,
                            kind="text",
                            text=text,
                            person_id=person_id,
                            received_at=at,
                            processed_at=at,
                        )
                    )
                else:
                    session.add(
                        Outbound(
                            person_id=person_id,
                            contact_id=contact.id,
                            channel=contact.channel,
                            body=text,
                            language="en",
                            origin="reply",
                            status="delivered",
                            attempts=1,
                            next_attempt_at=at,
                            created_at=at,
                            sent_at=at,
                            delivered_at=at,
                        )
                    )

    def add_alert(self, person_id: int, detail: str, severity: str = "high") -> int:
        now = self.clock()
        with transaction(self.engine) as session:
            alert = Alert(
                person_id=person_id,
                reason="safety",
                severity=severity,
                detail=detail,
                status="open",
                due_at=now + timedelta(hours=4),
                created_at=now,
            )
            session.add(alert)
            session.flush()
            return alert.id

    def add_survey_responses(self, person_ids: list[int], waves=("m3", "m12")) -> None:
        """Reintegration surveys (content/flows/reintegration.yaml) with their scores."""
        for index, person_id in enumerate(person_ids):
            for wave_index, wave in enumerate(waves):
                economic = round(0.2 + 0.15 * ((index + wave_index) % 5), 2)
                social = round(0.3 + 0.1 * ((index * 2 + wave_index) % 6), 2)
                psychosocial = round(0.4 + 0.1 * ((index + 2 * wave_index) % 5), 2)
                with transaction(self.engine) as session:
                    response = SurveyResponse(
                        person_id=person_id,
                        instrument="reintegration",
                        version=1,
                        wave=wave,
                        language="en",
                        scores={
                            "economic": economic,
                            "social": social,
                            "psychosocial": psychosocial,
                        },
                        composite=round((economic + social + psychosocial) / 3, 3),
                        completed_on=date.today() - timedelta(days=30 * (len(waves) - wave_index)),
                    )
                    session.add(response)
                    session.flush()
                    for question, value, score in (
                        ("work", "regular" if index % 2 else "none", 1.0 if index % 2 else 0.0),
                        ("housing", ("yes", "partly", "no")[index % 3], (1, 0.5, 0)[index % 3]),
                        ("support", ("yes", "partly", "no")[(index + 1) % 3], 0.5),
                    ):
                        session.add(
                            Answer(
                                response_id=response.id,
                                question_id=question,
                                value=value,
                                score=score,
                            )
                        )


def daytime_timezone(now: datetime | None = None) -> str:
    """A timezone where it is now around midday: broadcasts wait for the person's daytime
    window (content/plans.yaml), and these tests run on the real clock at any hour."""
    hour = (now or datetime.now(UTC)).hour
    offset = (12 - hour + 12) % 24 - 12  # -12..11 hours from UTC
    if offset == 0:
        return "UTC"
    # POSIX sign convention: Etc/GMT-3 is three hours ahead of UTC.
    return f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"


def start_live_server(directory: Path) -> tuple[LiveServer, Callable[[], None]]:
    """Starts everything; returns the server and a function that stops it all."""
    telegram_api = FakeTelegramAPI().start()
    twilio_api = FakeTwilioAPI().start()
    database = f"sqlite:///{directory / 'browser.db'}"
    upgrade(database)

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings = stack_settings(
        database,
        telegram_api,
        twilio_api,
        public_url=url,
        worker_poll_seconds=0.2,
        followup_tick_seconds=1,
    )
    app = create_app(settings, start_workers=True)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="live-server", daemon=True
    )
    thread.start()

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()
        app.state.services.dispose()
        telegram_api.stop()
        twilio_api.stop()

    deadline = time.monotonic() + 20
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or not thread.is_alive():
            stop()
            raise RuntimeError(f"the live server at {url} did not answer /healthz")
        time.sleep(0.05)
    return LiveServer(url, app, telegram_api, twilio_api), stop


ADMIN_EMAIL = "admin@example.org"


def sign_in(page, email: str = ADMIN_EMAIL, password: str = PASSWORD) -> None:
    """Through the real form, as staff do."""
    page.goto("/admin/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("form.narrow button[type=submit]")
    page.wait_for_load_state()
