"""Accessibility in Chromium: axe-core on every main page, and a sane keyboard focus order.

axe-core is vendored (tests/vendor), injected into each page; nothing is fetched.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import PASSPHRASE, create_journal, playwright_api, submit
from tests.browser.test_checkin_import import WXR

pytestmark = [pytest.mark.browser, pytest.mark.local_only]
expect = playwright_api.expect
AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe-4.14.1.min.js"
BLOCKING = {"serious", "critical"}
UNLOCKED_PAGES = [
    "/", "/entries/", "/entries/new", "/sessions/", "/checkins/", "/checkins/new",
    "/contacts/", "/frame/", "/unsaid/", "/therapists/", "/settings/", "/settings/passphrase",
    "/import/", "/export/",
]

RUN_AXE = """async () => {
  const r = await axe.run(document, {resultTypes: ['violations']});
  return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 4).map(n => n.target.join(' '))}));
}"""


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now."""
    page.add_script_tag(path=str(AXE))
    return list(page.evaluate(RUN_AXE))


def blocking(found: dict[str, list[dict[str, Any]]]) -> list[str]:
    """One line per serious or critical violation, naming the page and the rule."""
    return [
        f"{where}: {v['id']} ({v['impact']}): {v['help']} at {v['nodes']}"
        for where, violations in found.items() for v in violations if v["impact"] in BLOCKING
    ]


def _seed(page: Any) -> None:
    """Some content, so lists, tables, comments and badges are on the pages."""
    page.goto("/entries/new")
    page.get_by_label("Title").fill("After Monday")
    page.get_by_label(re.compile(r"^Entry \(Markdown\)")).fill("She was *late*.\n\n> It stayed.")
    page.get_by_label(re.compile(r"^Tags")).fill("lateness")
    submit(page.locator("form[data-guard]"), "Save")
    page.goto("/sessions/")
    submit(page.locator("#add-session"), "Save session")
    page.goto("/unsaid/")
    page.locator("#add-unsaid textarea").first.fill("That the new time does not suit me.")
    submit(page.locator("#add-unsaid"), "Keep it for the next session")
    page.goto("/import/")
    page.get_by_label("Format").select_option("wordpress")
    page.get_by_label("File").set_input_files(str(WXR))
    submit(page.locator("main form"), "Import")


def test_no_serious_axe_violations_on_any_page(page: Any) -> None:
    found: dict[str, list[dict[str, Any]]] = {}
    page.goto("/welcome")
    found["/welcome"] = axe_violations(page)
    page.get_by_label("Choose a passphrase").fill(PASSPHRASE)
    page.get_by_label("Type it again").fill(PASSPHRASE)
    submit(page.locator("main form"), "Create my journal")
    found["recovery key page"] = axe_violations(page)
    page.get_by_role("link", name=re.compile("kept it safe")).click()
    _seed(page)

    for path in UNLOCKED_PAGES:
        page.goto(path)
        found[path] = axe_violations(page)
    page.goto("/checkins/new")
    page.locator("#q-tension").get_by_text("Yes", exact=True).click()
    expect(page.locator("#q-tension_strength")).to_be_visible()
    found["/checkins/new with follow-ups"] = axe_violations(page)
    page.goto("/entries/")
    page.get_by_role("link", name="The week she was away").click()
    expect(page.locator("section.comments")).to_be_visible()
    found["entry with comments"] = axe_violations(page)
    page.goto("/entries/?q=tally")
    found["/entries/?q=tally"] = axe_violations(page)

    page.locator("#lock-button").click()
    expect(page.get_by_role("heading", name="Your journal is locked")).to_be_visible()
    for path in ("/locked", "/unlock", "/recover"):
        page.goto(path)
        found[path] = axe_violations(page)
    page.get_by_label("Recovery key").fill("AAAA")
    page.get_by_label("New passphrase", exact=True).fill("whatever words")
    page.get_by_label("New passphrase again").fill("whatever words")
    submit(page.locator("main form"), "Open and set the new passphrase")
    found["/recover with an error"] = axe_violations(page)

    problems = blocking(found)
    assert not problems, "\n".join(problems)


def test_phone_check_in_has_no_serious_axe_violations(new_page: Any) -> None:
    page = new_page(width=390, height=844, is_mobile=True, has_touch=True)
    create_journal(page)
    page.goto("/checkins/new")
    page.locator("#q-tension").get_by_text("Yes", exact=True).tap()
    expect(page.locator("#q-tension_resolved")).to_be_visible()
    problems = blocking({"/checkins/new on a phone": axe_violations(page)})
    assert not problems, "\n".join(problems)


def _focused(page: Any) -> dict[str, str]:
    return dict(page.evaluate(
        "() => { const e = document.activeElement; return {tag: e.tagName.toLowerCase(),"
        " text: (e.textContent || '').trim(), href: e.getAttribute('href') || '',"
        " inNav: String(!!e.closest('nav'))}; }"
    ))


def test_tab_from_the_top_reaches_the_skip_link_then_the_nav(page: Any, journal: str) -> None:
    page.goto("/entries/")
    page.locator("body").focus()
    page.keyboard.press("Tab")
    first = _focused(page)
    assert (first["text"], first["href"]) == ("Skip to content", "#main"), first
    expect(page.get_by_role("link", name="Skip to content")).to_be_in_viewport()
    page.keyboard.press("Tab")
    assert _focused(page)["text"] == "Attunement"
    links = page.get_by_role("navigation", name="Main").get_by_role("link").all_inner_texts()
    assert len(links) >= 5, links
    nav = []
    for _ in links:
        page.keyboard.press("Tab")
        step = _focused(page)
        assert step["inNav"] == "true", step
        nav.append(step["text"])
    assert nav == [t.strip() for t in links]
    page.keyboard.press("Tab")
    assert _focused(page)["text"] == "Screen-share mode"
    page.keyboard.press("Tab")
    assert _focused(page)["text"] == "Lock"
    page.keyboard.press("Tab")
    assert _focused(page)["tag"] == "input"  # the search box, the first thing in main


def test_the_skip_link_moves_focus_to_the_content(page: Any, journal: str) -> None:
    page.goto("/")
    page.locator("body").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    page.keyboard.press("Tab")
    focused = _focused(page)
    assert focused["inNav"] == "false" and focused["text"] != "Skip to content", focused


def test_axe_finds_a_known_problem(browser: Any) -> None:
    """The check can fail: a page with an unlabelled field and an image without text."""
    page = browser.new_page()
    try:
        page.set_content('<html lang="en"><title>t</title><main><img src="data:,">'
                         '<input type="text"></main></html>')
        ids = {v["id"] for v in axe_violations(page)}
    finally:
        page.close()
    assert {"image-alt", "label"} <= ids, ids
