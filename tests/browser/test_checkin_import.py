"""A check-in on a phone-sized screen, and a WordPress import with threaded comments."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import PageFactory, create_journal, playwright_api, submit

pytestmark = [pytest.mark.browser, pytest.mark.local_only]
expect = playwright_api.expect
PHONE = {"width": 390, "height": 844}
WXR = Path(__file__).resolve().parents[1] / "data" / "io" / "wordpress" / "therapy-blog.wxr"
FOLLOW_UPS = ("#q-tension_strength", "#q-tension_resolved")


def assert_fits_width(page: Any, width: int) -> None:
    """Nothing on the page makes it scroll sideways."""
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} is {scroll_width}px wide on a {width}px screen"


def test_check_in_on_a_phone(new_page: PageFactory) -> None:
    page = new_page(**PHONE, is_mobile=True, has_touch=True)
    create_journal(page)
    page.goto("/sessions/")
    form = page.locator("#add-session")
    form.get_by_label("Date and time").fill("2024-03-05T08:00")
    submit(form, "Save session")

    page.goto("/")
    page.get_by_role("link", name="Check in after a session").click()
    expect(page.get_by_role("heading", level=1, name="After the session")).to_be_visible()
    expect(page.locator("main")).to_contain_text("About the session of")
    assert_fits_width(page, PHONE["width"])
    for box in FOLLOW_UPS:
        expect(page.locator(box)).to_be_hidden()

    answers = {"bond_grasped": "Largely", "bond_on_my_side": "Fully", "task_fit": "Partly",
               "goal_direction": "Largely"}
    for item, label in answers.items():
        page.locator(f"#q-{item}").get_by_text(label, exact=True).tap()
        expect(page.locator(f"#q-{item}").get_by_label(label, exact=True)).to_be_checked()

    tension = page.locator("#q-tension")
    tension.get_by_text("No", exact=True).tap()
    for box in FOLLOW_UPS:
        expect(page.locator(box)).to_be_hidden()
    tension.get_by_text("Yes", exact=True).tap()
    for box in FOLLOW_UPS:
        expect(page.locator(box)).to_be_visible()
    expect(page.locator("#q-tension_strength legend")).to_have_text(
        "How strongly did it affect me?"
    )
    page.locator("#q-tension_strength").get_by_text("A lot", exact=True).tap()
    page.locator("#q-tension_resolved").get_by_text("Mostly", exact=True).tap()
    page.get_by_label(re.compile(r"^Anything I want to remember")).fill("The door again.")
    assert_fits_width(page, PHONE["width"])
    _assert_tap_targets(page)

    submit(page.locator("#checkin-form"), "Save check-in")
    expect(page.get_by_role("status")).to_contain_text("Your check-in is saved")
    last = page.locator("section", has=page.get_by_role("heading", name="Last check-ins"))
    row = last.locator("tbody tr")
    expect(row).to_have_count(1)
    # Alliance is the mean of 4, 5, 3, 4.
    expect(row.locator("td").nth(1)).to_have_text("4.0")
    expect(row.locator("td").nth(2)).to_have_text("yes (4/5)")
    assert_fits_width(page, PHONE["width"])

    row.get_by_role("link").click()
    table = page.locator("main table")
    expect(table).to_contain_text("How strongly did it affect me?")
    expect(table.locator("tr", has_text="worked through").locator("td")).to_have_text("4")
    expect(table.locator("tr", has_text="Anything I want to remember")).to_contain_text(
        "The door again."
    )


def _assert_tap_targets(page: Any) -> None:
    """Every answer is a target at least 44 px high, easy to hit with a thumb."""
    heights = page.eval_on_selector_all(
        "#checkin-form .choices label", "els => els.map(e => e.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= 44, heights


def test_the_check_in_asks_again_for_a_missing_answer(page: Any, journal: str) -> None:
    page.goto("/checkins/new")
    page.locator("#q-bond_grasped").get_by_text("Partly", exact=True).click()
    page.locator("#q-tension").get_by_text("Yes", exact=True).click()
    submit(page.locator("#checkin-form"), "Save check-in")
    expect(page.get_by_role("alert")).to_contain_text("Some answers need a look")
    # The answers given are kept, and the follow-ups stay open.
    expect(page.locator("#q-bond_grasped").get_by_label("Partly", exact=True)).to_be_checked()
    expect(page.locator("#q-tension").get_by_label("Yes", exact=True)).to_be_checked()
    expect(page.locator("#q-tension_strength")).to_be_visible()
    page.goto("/checkins/")
    expect(page.locator("main")).not_to_contain_text("yes (")


def test_import_a_wordpress_export_with_threaded_comments(page: Any, journal: str) -> None:
    assert WXR.exists(), WXR
    page.goto("/import/")
    page.get_by_label("Format").select_option("wordpress")
    page.get_by_label("File").set_input_files(str(WXR))
    submit(page.locator("main form"), "Import")
    expect(page).to_have_url(re.compile(r"/entries/$"))
    expect(page.get_by_role("status")).to_contain_text(re.compile(r"Imported \d+ entries"))
    expect(page.get_by_role("status")).to_contain_text("comments")

    page.get_by_role("link", name="The week she was away").click()
    expect(page.locator("article")).to_contain_text("imported from")
    expect(page.locator("article .entry-body blockquote")).to_contain_text(
        "It is allowed to miss someone"
    )
    comments = page.locator("section.comments")
    expect(comments.get_by_role("heading", name=re.compile(r"^Comments"))).to_be_visible()
    first = comments.locator(".comment", has_text="still keep a tally on the fridge")
    reply = comments.locator(".comment", has_text="Do you tell her about it?")
    answer = comments.locator(".comment", has_text="a way of keeping her with me")
    expect(first).to_have_attribute("data-depth", "0")
    expect(reply).to_have_attribute("data-depth", "1")
    expect(answer).to_have_attribute("data-depth", "2")
    expect(first.locator(".meta")).to_contain_text("Juniper")
    expect(reply.locator(".meta")).to_contain_text("quietwren")
    expect(reply.locator(".meta")).to_contain_text("reply")
    # A reply comes right after what it answers, and sits further in.
    order = comments.locator(".comment").evaluate_all(
        "els => els.map(e => e.textContent.includes('Do you tell her') ? 'reply'"
        " : e.textContent.includes('keep a tally') ? 'first'"
        " : e.textContent.includes('keeping her with me') ? 'answer' : 'other')"
    )
    thread = [x for x in order if x != "other"]
    assert thread == ["first", "reply", "answer"], order
    assert order.index("reply") == order.index("first") + 1
    assert order.index("answer") == order.index("reply") + 1
    x = [loc.bounding_box()["x"] for loc in (first, reply, answer)]
    assert x[0] < x[1] < x[2], x
    # Markup from the blog is rendered safely: the emphasis stays, a script would not.
    expect(first.locator(":scope > div strong")).to_have_text("still")
