"""The admin as staff use it: separate browsers (cookie jars) per staff member, signed in
through the real login form, posting forms with the CSRF token their page carries."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import httpx
import pytest

from bot.db import transaction
from bot.models import Consent, Contact, Conversation, Person, Staff
from bot.staff import hash_password
from tests.stack import PUBLIC_URL

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@lru_cache(maxsize=1)
def _password_hash() -> str:
    return hash_password(PASSWORD)  # argon2 is slow on purpose: hash once per test run


def add_staff(stack, email: str, role: str, name: str | None = None, **fields) -> int:
    with transaction(stack.engine) as session:
        staff = Staff(
            email=email,
            name=name or email.split("@")[0].title(),
            password_hash=_password_hash(),
            role=role,
            created_at=stack.clock(),
            **fields,
        )
        session.add(staff)
        session.flush()
        return staff.id


def add_person(
    stack,
    name: str,
    *,
    facilitator_id: int | None = None,
    channel: str = "sms",
    address: str | None = None,
    **fields,
) -> int:
    """A returnee who finished onboarding, as the bot would have stored them."""
    now = stack.clock()
    values = dict(
        status="active",
        language="en",
        role="returnee",
        district="central",
        gender="woman",
        age_band="25_34",
        return_date=date(2026, 10, 1),
        return_date_precision="day",
        enrolled_at=now,
    )
    values.update(fields)
    with transaction(stack.engine) as session:
        person = Person(
            display_name=name,
            facilitator_id=facilitator_id,
            created_at=now,
            updated_at=now,
            **values,
        )
        session.add(person)
        session.flush()
        session.add(
            Contact(
                person_id=person.id,
                channel=channel,
                address=address or f"+22177{person.id:07d}",
                created_at=now,
            )
        )
        session.add(Conversation(person_id=person.id, updated_at=now))
        for purpose in ("messages", "surveys"):
            session.add(
                Consent(
                    person_id=person.id,
                    purpose=purpose,
                    version="2026-11-v1",
                    granted=True,
                    channel=channel,
                    at=now,
                )
            )
        return person.id


@dataclass
class StaffBrowser:
    """One member of staff in their own browser."""

    client: httpx.AsyncClient
    email: str
    csrf: str | None = None

    async def login(self, password: str = PASSWORD) -> httpx.Response:
        page = await self.client.get("/admin/login")
        token = CSRF.search(page.text).group(1)
        response = await self.client.post(
            "/admin/login", data={"email": self.email, "password": password, "csrf": token}
        )
        if response.status_code == 303:
            await self.refresh_csrf()
        return response

    async def refresh_csrf(self) -> None:
        page = await self.client.get("/admin/account")
        found = CSRF.search(page.text)
        self.csrf = found.group(1) if found else None

    async def get(self, path: str, **kwargs) -> httpx.Response:
        return await self.client.get(path, **kwargs)

    async def post(self, path: str, data: dict | None = None, **kwargs) -> httpx.Response:
        form = {"csrf": self.csrf or "", **(data or {})}
        return await self.client.post(path, data=form, **kwargs)


@pytest.fixture
async def browsers(sqlite_stack):
    """`await browsers(email)` opens a browser for that staff member, signed in."""
    opened: list[httpx.AsyncClient] = []

    async def open_browser(email: str, login: bool = True) -> StaffBrowser:
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=sqlite_stack.app), base_url=PUBLIC_URL
        )
        opened.append(client)
        browser = StaffBrowser(client, email)
        if login:
            response = await browser.login()
            assert response.status_code == 303, response.text
        return browser

    yield open_browser
    for client in opened:
        await client.aclose()


@dataclass
class Team:
    admin: int
    facilitator: int
    other_facilitator: int
    viewer: int


@pytest.fixture
def team(sqlite_stack) -> Team:
    stack = sqlite_stack
    return Team(
        admin=add_staff(stack, "admin@example.org", "admin", "Awa Admin"),
        facilitator=add_staff(
            stack, "fatou@example.org", "facilitator", "Fatou", districts=["central"]
        ),
        other_facilitator=add_staff(
            stack, "omar@example.org", "facilitator", "Omar", districts=["north"]
        ),
        viewer=add_staff(stack, "victor@example.org", "viewer", "Victor"),
    )
