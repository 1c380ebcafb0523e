"""The parts flow in a real Chromium: turn it on, import, record who is here, turn it off."""

from __future__ import annotations

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
PK = Path(__file__).resolve().parents[1] / "data" / "plural" / "pluralkit-export.json"


def set_feature(page: Any, on: bool) -> None:  # noqa: F811
    page.goto("/settings/")
    box = page.get_by_label("Parts of a plural system", exact=True)
    box.set_checked(on)
    submit(page.locator("#parts-settings form"), "Save")


def test_turn_on_import_switch_and_turn_off(page: Any) -> None:  # noqa: F811
    create_journal(page)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Parts")).to_have_count(0)
    set_feature(page, True)
    nav.get_by_role("link", name="Parts").click()
    expect(page.get_by_role("heading", level=1, name="Here now")).to_be_visible()

    page.get_by_role("link", name="Import and export").click()
    page.get_by_label("File").set_input_files(str(PK))
    submit(page.locator("main form"), "Import")
    expect(page.locator(".messages")).to_contain_text("Imported 3 parts, 1 group, 3 front periods.")

    page.get_by_role("link", name="Here now").click()
    expect(page.locator("main section").first).to_contain_text("Rowan")
    form = page.locator("#switch-form")
    form.get_by_text("Sable", exact=True).click()
    submit(form, "Switch to these")
    here = page.locator("main section").first
    expect(here).to_contain_text("Sable")
    expect(here).not_to_contain_text("Rowan")

    set_feature(page, False)
    expect(nav.get_by_role("link", name="Parts")).to_have_count(0)
    response = page.goto("/parts/")
    assert response is not None and response.status == 404
    set_feature(page, True)
    page.goto("/parts/")
    expect(page.locator("main section").first).to_contain_text("Sable")
