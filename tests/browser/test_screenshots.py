"""Screenshots of a journal with some life in it: home, an entry, a check-in on a phone, the frame.

Written to $ATTUNE_SCREENSHOTS (docs/screenshots for the README) or else to a temporary
folder; either way each must be a real, non-trivial PNG.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import PageFactory, create_journal, playwright_api, submit
from tests.browser.test_record import write_entry

pytestmark = [pytest.mark.browser, pytest.mark.local_only]
expect = playwright_api.expect
PNG = b"\x89PNG\r\n\x1a\n"

ENTRIES = [
    ("The door", "2024-09-09T20:10", "session, the frame",
     "She told me about the new Thursday time **at the door**, coat already on.\n\n"
     "I said nothing. On the bus I rehearsed three different things I could have said."),
    ("Saying it on Wednesday", "2024-09-11T19:40", "repair, anger",
     "I told her it had stung. She did not defend the time; she asked what the two days "
     "of carrying it had been like.\n\n> Nothing fell apart.\n\nI keep writing that sentence."),
    ("A quiet Friday", "2024-09-13T18:05", "session",
     "An ordinary hour. We talked about my sister and it felt like *work*, the good kind."),
]


def _seed(page: Any) -> None:
    for title, when, tags, body in ENTRIES:
        write_entry(page, title, body, tags=tags, when=when)
    soon = (dt.datetime.now() + dt.timedelta(days=2)).replace(hour=8, minute=0)
    for starts in ("2024-09-13T08:00", soon.strftime("%Y-%m-%dT%H:%M")):
        page.goto("/sessions/")
        page.locator("#add-session").get_by_label("Date and time").fill(starts)
        submit(page.locator("#add-session"), "Save session")
    for text in ("That the new Thursday time does not suit me, and why.",
                 "The dream about the waiting room."):
        page.goto("/unsaid/")
        page.locator("#add-unsaid textarea").first.fill(text)
        submit(page.locator("#add-unsaid"), "Keep it for the next session")
    for answers in (("Partly", "Largely", "A little", "Partly", "Yes", "A lot", "A little"),
                    ("Largely", "Fully", "Largely", "Largely", "No", None, None)):
        _check_in(page, answers)
    _frame(page)


def _check_in(page: Any, answers: tuple[str | None, ...]) -> None:
    page.goto("/checkins/new")
    items = ("bond_grasped", "bond_on_my_side", "task_fit", "goal_direction", "tension",
             "tension_strength", "tension_resolved")
    for item, label in zip(items, answers, strict=True):
        if label:
            page.locator(f"#q-{item}").get_by_text(label, exact=True).click()
    submit(page.locator("#checkin-form"), "Save check-in")


def _frame(page: Any) -> None:
    rules = [("Rule", "Mine", "No calls or texts in the hour after a session.", "2024-01-08", ""),
             ("Agreement", "Agreed together", "Three sessions a week: Mon, Wed, Fri at 8:00.",
              "2023-05-02", "2024-09-08"),
             ("Agreement", "Agreed together", "Mon and Wed at 8:00, Thursday at 7:30.",
              "2024-09-09", ""),
             ("Rule", "My therapist's", "Missed sessions are paid for.", "2023-05-02", "")]
    for kind, owner, text, start, end in rules:
        page.goto("/frame/")
        form = page.locator("#add-frame")
        form.get_by_label("Kind").select_option(label=kind)
        form.get_by_label("Whose").select_option(label=owner)
        form.get_by_label("The agreement or rule").fill(text)
        form.get_by_label("Start").fill(start)
        if end:
            form.get_by_label("Until (optional)").fill(end)
        submit(form, "Save")
    absence = page.locator("#add-absence")
    absence.get_by_label("Away from").fill("2024-08-01")
    absence.get_by_label("Back after").fill("2024-08-27")
    absence.get_by_label("Note (optional)").fill("Summer break")
    submit(absence, "Save")


def _out_dir(tmp_path: Path) -> Path:
    out = Path(os.environ.get("ATTUNE_SCREENSHOTS") or tmp_path / "screenshots")
    out.mkdir(parents=True, exist_ok=True)
    return out


def test_screenshots(new_page: PageFactory, tmp_path: Path) -> None:
    out = _out_dir(tmp_path)
    # A British locale, like the app's default time zone: dates read 25/11/2026.
    page = new_page(width=1200, height=820, locale="en-GB")
    create_journal(page)
    _seed(page)
    shots = []

    page.goto("/")
    expect(page.locator("main")).to_contain_text("Saying it on Wednesday")
    shots.append(out / "home.png")
    page.screenshot(path=str(shots[-1]), full_page=True)

    page.goto("/entries/")
    page.get_by_role("link", name="Saying it on Wednesday").click()
    expect(page.locator(".entry-body blockquote")).to_be_visible()
    shots.append(out / "entry.png")
    page.screenshot(path=str(shots[-1]), full_page=True)

    page.goto("/frame/")
    expect(page.locator("main")).to_contain_text("Summer break")
    shots.append(out / "frame.png")
    page.screenshot(path=str(shots[-1]), full_page=True)

    phone = new_page(width=390, height=844, is_mobile=True, has_touch=True,
                     device_scale_factor=2, locale="en-GB")
    phone.context.add_cookies(page.context.cookies())
    phone.goto("/checkins/new")
    for item, label in (("bond_grasped", "Largely"), ("bond_on_my_side", "Fully"),
                        ("task_fit", "Partly"), ("tension", "Yes")):
        phone.locator(f"#q-{item}").get_by_text(label, exact=True).tap()
    expect(phone.locator("#q-tension_strength")).to_be_visible()
    phone.evaluate("window.scrollTo(0, 0)")
    shots.append(out / "checkin-phone.png")
    phone.screenshot(path=str(shots[-1]), full_page=False)

    for shot in shots:
        data = shot.read_bytes()
        assert data.startswith(PNG) and len(data) > 10_000, shot
    assert re.search(r"/checkins/new$", phone.url)
