"""One Playwright-driven Debian Chromium per test process.

Playwright's sync API cannot run twice at once in a thread, so the browser tests
and tests/web/test_offline.py share this one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-gpu",
]
_running: dict[str, Any] = {}


@contextmanager
def chromium() -> Iterator[Any]:
    """The running browser, or a new one closed when the outermost user is done."""
    if "browser" in _running:
        yield _running["browser"]
        return
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        _running["browser"] = browser
        try:
            yield browser
        finally:
            del _running["browser"]
            browser.close()
