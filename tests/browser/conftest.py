"""Fixtures for browser tests: a real server process and Debian's Chromium via Playwright.

Each test gets its own journal folder and server, so tests never depend on each
other's data. The browser is shared by the whole session (starting it is slow).
Nothing here uses the test process's database: pages are reached over HTTP.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.chromium import CHROMIUM, chromium
from tests.browser.server import Server, running_server

playwright_api = pytest.importorskip("playwright.sync_api")

PASSPHRASE = "quiet river lantern"
# A slow, busy machine can take many seconds per page; nothing here waits on a clock
# except these ceilings.
ACTION_TIMEOUT_MS = 60_000
NAVIGATION_TIMEOUT_MS = 120_000

PageFactory = Callable[..., Any]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless; never a downloaded browser."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    playwright_api.expect.set_options(timeout=ACTION_TIMEOUT_MS)
    with chromium() as b:
        yield b


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    """A fresh ``attune run`` on a free loopback port with an empty journal folder."""
    with running_server(tmp_path / "journal") as srv:
        yield srv


@pytest.fixture
def new_page(browser: Any, server: Server) -> Iterator[PageFactory]:
    """Open a page in a fresh browser context; width/height pick the viewport."""
    contexts: list[Any] = []

    def make(width: int = 1280, height: int = 900, **options: Any) -> Any:
        context = browser.new_context(
            viewport={"width": width, "height": height}, base_url=server.url, **options
        )
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: PageFactory) -> Any:
    """A desktop-sized page."""
    return new_page()


@pytest.fixture
def journal(page: Any, server: Server) -> str:
    """A created, unlocked journal; returns its recovery key."""
    return create_journal(page)


def create_journal(page: Any, passphrase: str = PASSPHRASE) -> str:
    """Create the journal through the welcome page; return the recovery key shown."""
    expect = playwright_api.expect
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/welcome$"))
    page.get_by_label("Choose a passphrase").fill(passphrase)
    page.get_by_label("Type it again").fill(passphrase)
    page.get_by_role("button", name="Create my journal").click()
    key = page.locator("#recovery-key")
    expect(key).to_be_visible()
    recovery = key.inner_text().strip()
    page.get_by_role("link", name=re.compile("kept it safe")).click()
    expect(page.get_by_role("heading", level=1, name="Today")).to_be_visible()
    return recovery


def submit(form: Any, name: str) -> None:
    """Click a form's submit button and wait for the page it leads to."""
    with form.page.expect_navigation():
        form.get_by_role("button", name=name).click()
