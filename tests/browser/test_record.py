"""Click through the record in Chromium: entries, search, sessions, contacts, the frame."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import playwright_api, submit

pytestmark = [pytest.mark.browser, pytest.mark.local_only]
expect = playwright_api.expect


def write_entry(page: Any, title: str, body: str, tags: str = "", when: str = "") -> None:
    """Write an entry through the editor and land on its page."""
    page.goto("/entries/new")
    page.get_by_label("Title").fill(title)
    if when:
        page.get_by_label("Date").fill(when)
    page.get_by_label(re.compile(r"^Entry \(Markdown\)")).fill(body)
    if tags:
        page.get_by_label(re.compile(r"^Tags")).fill(tags)
    submit(page.locator("form[data-guard]"), "Save")
    expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()


def test_write_an_entry(page: Any, journal: str) -> None:
    write_entry(
        page, "After Monday",
        "She was *late* again.\n\n- I said it\n- she heard it\n\n> It stayed with me.",
        tags="lateness, session", when="2024-03-04T19:30",
    )
    article = page.locator("article")
    expect(page.get_by_role("status")).to_contain_text("Your entry is saved")
    expect(article).to_contain_text("Monday 4 March 2024, 19:30")
    # Markdown is rendered: emphasis, a list, a quote.
    expect(article.locator(".entry-body em")).to_have_text("late")
    expect(article.locator(".entry-body li")).to_have_text(["I said it", "she heard it"])
    expect(article.locator(".entry-body blockquote")).to_contain_text("It stayed with me.")
    expect(article.locator("a.badge")).to_have_text(["lateness", "session"])

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Entries").click()
    expect(page.locator("main ul.plain li")).to_have_count(1)
    expect(page.get_by_role("link", name="After Monday")).to_be_visible()
    page.get_by_role("link", name="lateness").click()
    expect(page.locator("main")).to_contain_text("Tagged lateness")
    expect(page.get_by_role("link", name="After Monday")).to_be_visible()


def test_search_finds_the_entry(page: Any, journal: str) -> None:
    write_entry(page, "The door", "She told me about the new times at the doorway.")
    write_entry(page, "A quiet week", "Nothing much; the hour felt ordinary and calm.")
    page.goto("/entries/")
    page.locator("#q").fill("doorway")
    page.locator("#q").press("Enter")
    expect(page).to_have_url(re.compile(r"/entries/\?q=doorway$"))
    results = page.locator("#search-results li")
    expect(results).to_have_count(1)
    expect(results).to_contain_text("The door")
    expect(page.get_by_role("heading", level=2)).to_have_text(re.compile(r"1 result for .doorway."))
    results.get_by_role("link", name="The door").click()
    expect(page.get_by_role("heading", level=1, name="The door")).to_be_visible()

    page.goto("/entries/?q=" + "nowhere-to-be-found")
    expect(page.locator("#search-results li")).to_have_text(["Nothing found."])


def test_log_a_session(page: Any, journal: str) -> None:
    page.goto("/sessions/")
    form = page.locator("#add-session")
    form.get_by_label("Date and time").fill("2024-03-05T08:00")
    form.get_by_label("Status").select_option(label="Cancelled by the therapist")
    form.get_by_label("Modality").select_option(label="Video")
    form.get_by_label("Length (minutes)").fill("50")
    form.get_by_label("Note").fill("She was ill; we moved to Thursday.")
    submit(form, "Save session")
    expect(page.get_by_role("status")).to_contain_text("The session is saved")
    row = page.locator("table tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Tue 5 Mar 2024, 08:00")
    expect(row).to_contain_text("Cancelled by the therapist")
    expect(row).to_contain_text("Video")
    expect(row).to_contain_text("She was ill; we moved to Thursday.")


def test_add_a_contact(page: Any, journal: str) -> None:
    page.goto("/contacts/")
    form = page.locator("#add-contact")
    form.get_by_label("When", exact=True).fill("2024-03-06T21:15")
    form.get_by_label("Kind").select_option(label="Text message")
    form.get_by_label("Who reached out").select_option(label="I reached out")
    form.get_by_label("Was it answered?").select_option(label="Yes")
    form.get_by_label("Answered when").fill("2024-03-07T09:02")
    form.get_by_label("How it felt, in a word").fill("relieved")
    form.get_by_label(re.compile(r"^How it felt, 1")).fill("4")
    submit(form, "Save contact")
    expect(page.get_by_role("status")).to_contain_text("The contact is saved")
    row = page.locator("table tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator("td")).to_have_text([
        "Wed 6 Mar 2024, 21:15", "Text message", "I reached out", "yes, Thu 7 Mar 09:02",
        "relieved (4/5)",
    ])


def test_add_a_frame_rule_and_an_absence(page: Any, journal: str) -> None:
    page.goto("/frame/")
    frame = page.locator("#add-frame")
    frame.get_by_label("Kind").select_option(label="Rule")
    frame.get_by_label("Whose").select_option(label="Mine")
    frame.get_by_label("The agreement or rule").fill("No calls in the hour after a session.")
    frame.get_by_label("Start").fill("2024-01-08")
    submit(frame, "Save")
    expect(page.get_by_role("status")).to_contain_text("saved")
    in_force = page.locator("section", has=page.get_by_role("heading", name="In force"))
    expect(in_force.locator("li")).to_have_count(1)
    expect(in_force).to_contain_text("No calls in the hour after a session.")
    expect(in_force).to_contain_text("since 8 Jan 2024")
    expect(in_force.locator(".badge")).to_have_text(re.compile(r"Rule\s*·\s*mine"))

    absence = page.locator("#add-absence")
    absence.get_by_label("Away from").fill("2024-08-01")
    absence.get_by_label("Back after").fill("2024-08-28")
    absence.get_by_label("Note (optional)").fill("Summer break")
    submit(absence, "Save")
    absences = page.locator("section", has=page.get_by_role("heading", name="Absences"))
    expect(absences.locator("li")).to_have_text(
        [re.compile(r"1 Aug 2024 – 28 Aug 2024\s+Summer break")]
    )


def test_a_frame_rule_ending_before_it_starts_is_refused(page: Any, journal: str) -> None:
    page.goto("/frame/")
    frame = page.locator("#add-frame")
    frame.get_by_label("The agreement or rule").fill("Sessions at eight.")
    frame.get_by_label("Start").fill("2024-05-01")
    frame.get_by_label("Until (optional)").fill("2024-04-01")
    submit(frame, "Save")
    expect(page.locator("#add-frame .errorlist")).to_contain_text("The end is before the start.")
    in_force = page.locator("section", has=page.get_by_role("heading", name="In force"))
    expect(in_force.locator("li")).to_have_text(["Nothing recorded."])


def test_screen_share_mode_blurs_words_and_is_remembered(page: Any, journal: str) -> None:
    write_entry(page, "Private words", "Something only for me.")
    body = page.locator(".entry-body")
    assert body.evaluate("e => getComputedStyle(e).filter") == "none"
    page.get_by_role("button", name="Screen-share mode").click()
    expect(page.get_by_role("button", name="Screen-share mode")).to_have_attribute(
        "aria-pressed", "true")
    assert "blur" in body.evaluate("e => getComputedStyle(e).filter")
    page.reload()
    assert "blur" in page.locator(".entry-body").evaluate("e => getComputedStyle(e).filter")
