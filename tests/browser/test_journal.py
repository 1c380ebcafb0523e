"""Creating a journal, seeing the recovery key once, locking and unlocking, in Chromium."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import PASSPHRASE, create_journal, playwright_api
from tests.browser.server import Server

pytestmark = [pytest.mark.browser, pytest.mark.local_only]
expect = playwright_api.expect
RECOVERY_KEY = re.compile(r"^[A-Z0-9]{4}(-[A-Z0-9]{4}){7}$")


def test_create_journal_shows_the_recovery_key_once(page: Any, server: Server) -> None:
    recovery = create_journal(page)
    assert RECOVERY_KEY.match(recovery), recovery
    # The journal exists now: the welcome page sends people to unlock instead,
    # and no page shows the key again.
    page.goto("/welcome")
    expect(page).to_have_url(re.compile(r"/unlock$"))
    for path in ("/", "/settings/", "/welcome"):
        page.goto(path)
        assert recovery not in page.content()
    # The key is not stored in plain text in the journal folder.
    for f in server.home.rglob("*"):
        if f.is_file():
            assert recovery.encode() not in f.read_bytes(), f.name


def test_recovery_key_opens_the_journal_and_sets_a_new_passphrase(
    page: Any, server: Server
) -> None:
    recovery = create_journal(page)
    page.locator("#lock-button").click()
    expect(page.get_by_role("heading", name="Your journal is locked")).to_be_visible()
    page.goto("/recover")
    page.get_by_label("Recovery key").fill(recovery.lower().replace("-", " "))
    page.get_by_label("New passphrase", exact=True).fill("a brand new passphrase")
    page.get_by_label("New passphrase again").fill("a brand new passphrase")
    page.get_by_role("button", name=re.compile("Open and set")).click()
    expect(page.get_by_role("heading", level=1, name="Today")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("new passphrase is set")
    # The old passphrase no longer opens it; the new one does.
    page.locator("#lock-button").click()
    _unlock(page, PASSPHRASE)
    expect(page.get_by_role("alert")).to_be_visible()
    _unlock(page, "a brand new passphrase")
    expect(page.get_by_role("heading", level=1, name="Today")).to_be_visible()


def test_lock_then_unlock_wrong_passphrase_first(page: Any, journal: str) -> None:
    page.goto("/entries/")
    page.locator("#lock-button").click()
    expect(page).to_have_url(re.compile(r"/locked$"))
    expect(page.locator("#lock-button")).to_have_count(0)
    # Locked: a page of the journal leads to the unlock page, remembering where we were.
    page.goto("/entries/")
    expect(page).to_have_url(re.compile(r"/unlock\?next=%2Fentries%2F$"))
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)

    _unlock(page, "not the right words")
    alert = page.get_by_role("alert")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text(re.compile("passphrase", re.I))
    expect(page.get_by_role("heading", name="Unlock your journal")).to_be_visible()

    _unlock(page, PASSPHRASE)
    expect(page).to_have_url(re.compile(r"/entries/$"))
    expect(page.get_by_role("heading", level=1, name="Entries")).to_be_visible()
    expect(page.locator("#lock-button")).to_be_visible()


def _unlock(page: Any, passphrase: str) -> None:
    if not page.url.split("?")[0].endswith("/unlock"):
        page.goto("/unlock")
    page.get_by_label("Passphrase").fill(passphrase)
    with page.expect_navigation():
        page.get_by_role("button", name="Unlock").click()
