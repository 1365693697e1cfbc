"""Real-browser tests: Playwright drives Debian's Chromium against the live service.

Chromium comes from apt (`python3 dev.py test` installs it), never from `playwright install`.
Without it (or without the playwright package) these tests skip, except where CI is set:
there they must run, so they fail loudly instead.

The sync Playwright API marks its own event loop as running in this thread while it is open,
so the browser lives only as long as this package's tests: the rest of the suite (async
tests under pytest-asyncio) runs before or after, never in between. Tests here are plain
`def test_...` functions.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.live import ADMIN_EMAIL, LiveServer, sign_in, start_live_server

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # The test machines have no internet: Chromium must not try to phone home.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    return shutil.which("chromium") or (CHROMIUM if os.access(CHROMIUM, os.X_OK) else None)


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set: the browser tests must run here)", pytrace=False)
    pytest.skip(reason)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keeps each phase's report on the test, so a failed test leaves a screenshot."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="package", autouse=True)
def chromium_executable() -> str:
    """First of all: without Chromium and Playwright there is nothing to start."""
    executable = chromium_path()
    if executable is None:
        _unavailable(
            f"Chromium is not installed ({CHROMIUM}); `python3 dev.py test` installs it as root"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable("the playwright package is not installed (it is in the `test` extra)")
    return executable


# -- the service -------------------------------------------------------------------------


@pytest.fixture(scope="package")
def live(tmp_path_factory) -> Iterator[LiveServer]:
    server, stop = start_live_server(tmp_path_factory.mktemp("browser"))
    server.add_staff(ADMIN_EMAIL, "admin", "Awa Admin")
    yield server
    stop()


# -- the browser -------------------------------------------------------------------------


@pytest.fixture(scope="package")
def browser(chromium_executable):
    from playwright.sync_api import sync_playwright

    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    playwright = sync_playwright().start()
    try:
        # A fresh temporary profile per launch: Playwright makes one and removes it after.
        launched = playwright.chromium.launch(
            executable_path=chromium_executable, headless=True, args=CHROMIUM_ARGS
        )
    except Exception:
        playwright.stop()
        raise
    yield launched
    launched.close()
    playwright.stop()
    # Nothing of Playwright's loop may look like it is running for the async tests after us.
    with pytest.raises(RuntimeError):
        asyncio.get_running_loop()


class Console:
    """What the browser reported: console errors, uncaught exceptions, CSP violations."""

    def __init__(self, page):
        self.problems: list[str] = []
        page.on("console", self._message)
        page.on("pageerror", lambda error: self.problems.append(f"uncaught: {error}"))
        # The page's own CSP cannot block a script Playwright injects; this one reports
        # every violation as a console error, which _message then records.
        page.add_init_script(
            "document.addEventListener('securitypolicyviolation', (e) => console.error("
            "'CSP violation: ' + e.violatedDirective + ' blocked ' + e.blockedURI));"
        )

    def _message(self, message) -> None:
        text = message.text
        where = (message.location or {}).get("url", "")
        # The browser asks for /favicon.ico on its own; the pages link no icon.
        if where.endswith("/favicon.ico"):
            return
        if message.type == "error" or "Content Security Policy" in text:
            self.problems.append(f"{message.type}: {text} ({where})")

    def assert_clean(self, allow: str | None = None) -> None:
        """`allow`: a pattern for problems this test causes on purpose (e.g. a 401)."""
        left = [p for p in self.problems if not (allow and re.search(allow, p))]
        assert left == [], "the browser reported problems:\n" + "\n".join(left)


def _new_page(browser, live: LiveServer, **options):
    context = browser.new_context(base_url=live.url, locale="en-GB", **options)
    context.set_default_timeout(10_000)
    context.set_default_navigation_timeout(15_000)
    page = context.new_page()
    page.console = Console(page)
    return page


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_")


@pytest.fixture
def open_page(browser, live, request):
    """`open_page(**context_options)`: a page in a fresh browser context (its own cookies)."""
    pages = []

    def opener(**options):
        page = _new_page(browser, live, **options)
        pages.append(page)
        return page

    yield opener
    failed = getattr(request.node, "report_call", None)
    for index, page in enumerate(pages):
        if failed is not None and failed.failed:
            # A screenshot of what went wrong must not hide the failure itself.
            with contextlib.suppress(Exception):
                page.screenshot(
                    path=SCREENSHOTS / f"{_safe(request.node.name)}-failed-{index}.png",
                    full_page=True,
                )
        page.context.close()


@pytest.fixture
def page(open_page):
    """A desktop-sized page in a fresh browser context; `page.console` has what it reported."""
    return open_page(viewport={"width": 1280, "height": 900})


@pytest.fixture
def shot(request):
    """`shot(page, "step")` saves test-artifacts/screenshots/<test-name>-<step>.png."""

    def take(page, step: str) -> Path:
        path = SCREENSHOTS / f"{_safe(request.node.name)}-{_safe(step)}.png"
        page.screenshot(path=path, full_page=True)
        return path

    return take


@pytest.fixture
def admin_page(page):
    """The desktop page, signed in as the admin."""
    sign_in(page)
    assert page.url.endswith("/admin"), page.url
    return page
