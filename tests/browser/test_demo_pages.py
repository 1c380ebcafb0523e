"""The demo year in a real browser: the ebb and flow, patterns, hold, episodes, markers.

One demo journal is made for the module (it takes a while: a year of entries is read
for markers), then each page is checked for real content and photographed for the
README when $ATTUNE_SCREENSHOTS is set.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import playwright_api
from tests.browser.server import Server, running_server, server_env

pytestmark = [pytest.mark.browser, pytest.mark.local_only]
expect = playwright_api.expect
DEMO_PASSPHRASE = "demo journal"


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    home = tmp_path_factory.mktemp("demo") / "journal"
    made = subprocess.run(
        [sys.executable, "-m", "attunement.cli", "demo", "--home", str(home)],
        env=server_env(home), capture_output=True, text=True, timeout=900,
    )
    assert made.returncode == 0, made.stderr
    with running_server(home) as srv:
        yield srv


@pytest.fixture
def demo_page(browser: Any, demo_server: Server) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900},
                                  base_url=demo_server.url)
    context.set_default_timeout(60_000)
    page = context.new_page()
    page.goto("/unlock")
    page.get_by_label("Passphrase").fill(DEMO_PASSPHRASE)
    page.get_by_role("button", name="Unlock").click()
    expect(page.get_by_role("heading", level=1, name="Today")).to_be_visible()
    yield page
    context.close()


def _shot(page: Any, name: str) -> None:
    folder = os.environ.get("ATTUNE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name), full_page=False)


def test_demo_is_labelled_and_home_offers_moments_in_an_open_rupture(demo_page: Any) -> None:
    expect(demo_page.locator(".badge.demo")).to_have_text("Demo journal")
    # The demo year ends in an open rupture: home offers moments, gently.
    card = demo_page.locator(".hold-card, #hold-card").first
    expect(card).to_be_visible()
    expect(card.get_by_role("button", name=re.compile("Not now", re.I))).to_be_visible()
    _shot(demo_page, "demo-home.png")


def test_timeline_draws_the_year(demo_page: Any) -> None:
    demo_page.goto("/timeline/")
    chart = demo_page.locator("#timeline-chart svg")
    expect(chart).to_be_visible()
    assert demo_page.locator("#timeline-chart svg path, #timeline-chart svg rect").count() > 50
    _shot(demo_page, "timeline.png")
    demo_page.locator("#timeline-table summary").click()
    rows = demo_page.locator("#timeline-table tbody tr")
    assert rows.count() > 100  # a year of sessions, contacts, absences and weeks of markers


def test_patterns_show_their_n_and_never_a_cause(demo_page: Any) -> None:
    demo_page.goto("/patterns/")
    section = demo_page.locator("#before")
    expect(section).to_contain_text(re.compile(r"\d+ times? out of \d+|too few", re.I))
    text = demo_page.locator("main").inner_text().lower()
    assert "caused" not in text and "because of" not in text
    _shot(demo_page, "patterns.png")


def test_hold_finds_a_moment_of_safety_by_meaning(demo_page: Any) -> None:
    demo_page.goto("/hold/")
    demo_page.locator("#q").fill("when did I feel safe with her")
    demo_page.locator("#q").press("Enter")
    results = demo_page.locator("#results")
    expect(results).to_be_visible()
    first = results.locator("li").first
    expect(first).to_contain_text(re.compile(r"close|safe|seen|trust|warm", re.I))
    _shot(demo_page, "hold.png")


def test_episodes_list_the_open_rupture(demo_page: Any) -> None:
    demo_page.goto("/episodes/")
    expect(demo_page.locator("main")).to_contain_text(re.compile(r"open", re.I))
    expect(demo_page.locator("main")).to_contain_text(re.compile(r"repaired", re.I))


def test_markers_on_a_new_entry_and_a_rejection_that_holds(demo_page: Any) -> None:
    demo_page.goto("/entries/new")
    demo_page.get_by_label("Title").fill("Thursday")
    demo_page.locator("textarea.editor").fill(
        "I felt like there was a wall between us the whole hour. "
        "Then she said she felt the distance too, and that she wasn't going anywhere."
    )
    with demo_page.expect_navigation():
        demo_page.get_by_role("button", name="Save").click()
    marked = demo_page.locator("#marked-text")
    expect(marked.locator(".ms.withdrawal")).to_contain_text("[moving away]")
    expect(marked.locator(".ms.therapist_repair")).to_contain_text("[her repair]")
    item = demo_page.locator("li.marker.withdrawal").first
    item.locator("summary").click()
    with demo_page.expect_navigation():
        item.get_by_role("button", name="No, it isn't").click()
    demo_page.reload()
    expect(demo_page.locator("li.marker.rejected")).to_contain_text("you rejected this")
    expect(demo_page.locator("#marked-text .ms.withdrawal")).to_have_count(0)
    expect(demo_page.locator("#marked-text .ms.therapist_repair")).to_have_count(1)
    _shot(demo_page, "entry-markers.png")
