"""The admin as staff use it: separate browsers (cookie jars) per staff member, signed in
through the real login form, posting forms with the CSRF token their page carries."""

from __future__ import annotations

import re
from dataclasses import dataclass

import httpx
import pytest

from tests.builders import PASSWORD, add_staff
from tests.stack import PUBLIC_URL

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


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
