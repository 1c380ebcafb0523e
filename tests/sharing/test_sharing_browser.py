"""Sharing as a person clicks through it, in Chromium: connect, choose a passage, see
exactly what leaves, confirm, send; axe-core finds no serious problem on the way.

The journal is a real ``attune run`` process; the circle server is the fake one from
fake_server.py, on this computer.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import (  # noqa: F401 - fixtures used by name
    browser,
    journal,
    new_page,
    page,
    playwright_api,
    server,
    submit,
)
from tests.browser.test_accessibility import axe_violations, blocking
from tests.sharing.fake_server import GOOD_CODE, FakeCircle

pytestmark = [pytest.mark.browser, pytest.mark.local_only]
expect = playwright_api.expect


def test_share_a_passage_in_the_browser(page: Any, journal: str,  # noqa: F811
                                        fake: FakeCircle) -> None:
    found: dict[str, list[dict[str, Any]]] = {}
    page.goto("/sharing/")
    found["/sharing/ (not connected)"] = axe_violations(page)
    page.get_by_label("Connection link").fill(f"{fake.url}/connect/{GOOD_CODE}")
    submit(page.locator("#connect form"), "Connect")
    expect(page.locator(".msg")).to_have_text("Connected to Test circle as Lantern.")
    found["/sharing/"] = axe_violations(page)

    page.goto("/entries/new")
    page.get_by_label("Title").fill("After Tuesday")
    page.get_by_label(re.compile(r"^Entry \(Markdown\)")).fill(
        "I could not say it in the room.\n\nOnly this line is for them.")
    submit(page.locator("form[data-guard]"), "Save")
    expect(page.locator("#share-state")).to_contain_text("Private: only you can read this entry.")
    page.locator("#sharing summary").click()
    found["entry page, Share panel open"] = axe_violations(page)
    page.get_by_label("Evening circle").check()
    page.get_by_label("Only a passage (edit it below)").check()
    page.get_by_label(re.compile(r"^The passage to share")).fill("Only this line is for them.")
    submit(page.locator("#sharing form").first, "Preview what will be sent")

    expect(page.locator("#preview-body")).to_have_text("Only this line is for them.")
    expect(page.locator("#preview-title")).to_have_text("After Tuesday")
    assert not [r for r in fake.requests if r["method"] == "PUT"]  # a preview sends nothing
    found["preview"] = axe_violations(page)
    submit(page.locator("form").filter(has=page.locator("#confirm-share")), "Share this")

    # The app's background thread is woken by the confirmation and may already have sent it.
    expect(page.locator("#share-c11 .share-state")).to_have_text(
        re.compile(r"^(waiting to send|shared)$"))
    submit(page.locator("#sharing form").filter(
        has=page.get_by_role("button", name="Send now and fetch comments")),
        "Send now and fetch comments")
    expect(page.locator("#share-c11 .share-state")).to_have_text("shared")
    expect(page.locator("#share-state")).to_contain_text("Shared with Evening circle (a passage)")
    sent = fake.items[("posts", "entry-1.c11")]
    assert (sent["body"], sent["is_excerpt"], sent["circles"]) == (
        "Only this line is for them.", True, [11])
    found["entry page, shared"] = axe_violations(page)
    assert not blocking(found), blocking(found)
