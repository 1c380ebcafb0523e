"""Per-part views in a real Chromium: two parts write and check in, the insight pages filter.

Turn the feature on, add two parts, write as each (one of them a warm sentence of
connection), check in as each, then: the timeline and the patterns page narrow to one
part, the hold page shows the words the chosen part wrote, and turning the feature off
takes every trace away (and turning it on brings it all back).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import (  # noqa: F401  (fixtures used by name)
    browser,
    create_journal,
    new_page,
    page,
    playwright_api,
    server,
    submit,
)

pytestmark = [pytest.mark.browser, pytest.mark.local_only]
expect = playwright_api.expect
PNG = b"\x89PNG\r\n\x1a\n"
WARM = "I felt safe with her today, she really listened."
COLD = "I told her I do not trust her. Then I said nothing for the rest of the hour."
# (part, answers to the four alliance items): Ash checks in twice, Birch once.
CHECKINS = [("Ash", ("Largely", "Fully", "Largely", "Largely")),
            ("Birch", ("A little", "Partly", "A little", "Partly")),
            ("Ash", ("Fully", "Fully", "Largely", "Fully"))]


def set_feature(page: Any, on: bool) -> None:  # noqa: F811
    page.goto("/settings/")
    page.get_by_label("Parts of a plural system", exact=True).set_checked(on)
    submit(page.locator("#parts-settings form"), "Save")


def add_part(page: Any, name: str) -> None:  # noqa: F811
    page.goto("/parts/members/")
    page.get_by_text("Add a part").click()
    page.get_by_label("Name").fill(name)
    submit(page.locator("main details form"), "Add")
    expect(page.locator("#active-parts")).to_contain_text(name)


def write_as(page: Any, title: str, body: str, when: str, toggle: tuple[str, ...]) -> None:  # noqa: F811
    """Write an entry, clicking the names in ``toggle`` in the picker (it starts with the front)."""
    page.goto("/entries/new")
    form = page.locator("form[data-guard]")
    form.get_by_label("Title").fill(title)
    form.get_by_label("Date").fill(when)
    form.get_by_label(re.compile(r"^Entry \(Markdown\)")).fill(body)
    for name in toggle:
        form.locator("#who-picker").get_by_text(name, exact=True).click()
    submit(form, "Save")
    expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()


def check_in_as(page: Any, who: str, answers: tuple[str, ...]) -> None:  # noqa: F811
    """A check-in filled in by ``who``; the picker starts with whoever is here (Ash)."""
    page.goto("/checkins/new")
    picker = page.locator("#who-picker")
    expect(picker.get_by_label("Ash")).to_be_checked()
    if who != "Ash":
        picker.get_by_text("Ash", exact=True).click()
        picker.get_by_text(who, exact=True).click()
    items = ("bond_grasped", "bond_on_my_side", "task_fit", "goal_direction")
    for item, label in zip(items, answers, strict=True):
        page.locator(f"#q-{item}").get_by_text(label, exact=True).click()
    page.locator("#q-tension").get_by_text("No", exact=True).click()
    submit(page.locator("#checkin-form"), "Save check-in")


def choose_part(page: Any, label: str, name: str) -> None:  # noqa: F811
    page.get_by_label(label).select_option(label=name)
    submit(page.locator("#part-filter"), "Show")


def shoot(page: Any, folder: Path, name: str) -> Path:  # noqa: F811
    """A full-page PNG in $ATTUNE_SCREENSHOTS (or ``folder``); checked non-trivial."""
    out = Path(os.environ.get("ATTUNE_SCREENSHOTS") or folder)
    out.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(out / name), full_page=True)
    data = (out / name).read_bytes()
    assert data.startswith(PNG) and len(data) > 10_000, name
    return out / name


def seed(page: Any, folder: Path) -> None:  # noqa: F811
    set_feature(page, True)
    for name in ("Ash", "Birch"):
        add_part(page, name)
    # Ash is recorded as here: the editor starts with Ash ticked.
    page.goto("/parts/")
    form = page.locator("#switch-form")
    form.get_by_text("Ash", exact=True).click()
    submit(form, "Switch to these")
    page.goto("/entries/new")
    expect(page.locator("#who-picker").get_by_label("Ash")).to_be_checked()
    expect(page.locator("#who-picker").get_by_label("Birch")).not_to_be_checked()
    shoot(page, folder, "entry-editor-picker.png")
    # Written in the days before the check-ins (which are dated now), so they share the chart.
    def days_ago(n: int) -> str:
        return (dt.datetime.now() - dt.timedelta(days=n)).strftime("%Y-%m-%dT19:00")

    write_as(page, "Thursday", WARM, days_ago(12), ())
    write_as(page, "Monday", COLD, days_ago(5), ("Ash", "Birch"))
    for who, answers in CHECKINS:
        check_in_as(page, who, answers)


def test_per_part_views_and_turning_off(page: Any, tmp_path: Path) -> None:  # noqa: F811
    create_journal(page)
    seed(page, tmp_path)

    # Who wrote: on the entry, and on the check-in.
    page.goto("/entries/")
    page.get_by_role("link", name="Monday").click()
    expect(page.locator("#who-line")).to_have_text("Written by: Birch")

    # The timeline: everyone, then Ash alone.
    page.goto("/timeline/")
    counts = page.locator("main .n").first
    expect(counts).to_contain_text("3 check-ins")
    choose_part(page, "Show the timeline of", "Ash")
    expect(page).to_have_url(re.compile(r"/timeline/\?part=\d+$"))
    expect(counts).to_contain_text("2 check-ins")
    expect(page.locator("#part-scope")).to_contain_text("The check-ins Ash filled in")
    expect(page.locator("#timeline-chart svg, #timeline-chart canvas").first).to_be_visible()
    page.locator("#timeline-table summary").click()
    expect(page.locator("#timeline-table tbody tr", has_text="check-in")).to_have_count(2)
    shoot(page, tmp_path, "timeline-part.png")
    choose_part(page, "Show the timeline of", "Birch")
    expect(counts).to_contain_text("1 check-in ·")

    # Patterns: the filter narrows to the chosen part's writing.
    page.goto("/patterns/")
    choose_part(page, "Patterns in the writing of", "Birch")
    expect(page.locator("main")).to_contain_text("in the writing and check-ins of Birch")

    # Hold: the words Ash wrote, readable when Birch cannot reach them.
    page.goto("/hold/")
    choose_part(page, "Moments written by", "Ash")
    moments = page.locator("#moments")
    expect(moments.get_by_role("heading", level=2)).to_have_text("Words Ash wrote")
    expect(moments).to_contain_text(WARM)
    shoot(page, tmp_path, "hold-part.png")
    choose_part(page, "Moments written by", "Birch")
    expect(moments.get_by_role("heading", level=2)).to_have_text("Words Birch wrote")
    expect(moments).not_to_contain_text(WARM)
    ash_url = page.url

    # Off: every trace goes.
    set_feature(page, False)
    for url in ("/timeline/", "/patterns/", "/hold/", "/episodes/"):
        page.goto(url)
        expect(page.locator("#part-filter")).to_have_count(0)
    page.goto(ash_url)
    expect(page.locator("#moments h2")).to_have_text("Kept moments")
    expect(page.locator("#moments")).to_contain_text(WARM)  # everyone's words, as before
    expect(page.locator("main")).not_to_contain_text("Birch")
    page.goto("/entries/")
    page.get_by_role("link", name="Monday").click()
    expect(page.locator("#who-line")).to_have_count(0)
    page.goto("/entries/new")
    expect(page.locator("#who-picker")).to_have_count(0)
    page.goto("/checkins/new")
    expect(page.locator("#who-picker")).to_have_count(0)

    # On again: all of it is back, nothing was lost.
    set_feature(page, True)
    page.goto("/entries/")
    page.get_by_role("link", name="Monday").click()
    expect(page.locator("#who-line")).to_have_text("Written by: Birch")
    page.goto("/timeline/")
    choose_part(page, "Show the timeline of", "Ash")
    expect(page.locator("main .n").first).to_contain_text("2 check-ins")
