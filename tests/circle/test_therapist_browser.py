"""The therapist's pages in a real Chromium, under the server's strict Content-Security-Policy.

The chart is the part only a browser can check: Vega must draw it from the JSON in the
page with no inline script and no eval (``script-src 'self'``), from files this server
serves. Then the two things she clicks: marking an alert seen, and rating a session.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client

from attunement.circle.models import Alert, TherapistRating
from tests.browser.chromium import CHROMIUM, chromium
from tests.circle.therapist_support import TENSION_AT, share_history

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TIMEOUT_MS = 60_000


@pytest.fixture
def page(live_server: Any, therapist: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A Chromium page signed in as the therapist, with console errors collected."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    # Playwright's sync API keeps an event loop in this thread; the test's own database
    # calls are still plain synchronous ones (the server runs in its own thread).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    c = Client()
    c.force_login(therapist)
    session = c.cookies[settings.SESSION_COOKIE_NAME].value
    with chromium() as browser:
        context = browser.new_context(base_url=live_server.url,
                                      viewport={"width": 1200, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        host = live_server.url.split("//", 1)[1].split(":")[0]
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session,
                              "domain": host, "path": "/"}])
        p = context.new_page()
        p.problems = []  # console errors, CSP refusals, failed requests
        p.on("console", lambda m: p.problems.append(m.text)
             if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
        # The browser asks for /favicon.ico by itself; the circle pages declare none.
        p.on("response", lambda r: p.problems.append(f"{r.status} {r.url}")
             if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
        p.on("pageerror", lambda e: p.problems.append(str(e)))
        p.on("request", lambda r: p.problems.append("offsite: " + r.url)
             if not r.url.startswith(live_server.url) else None)
        try:
            yield p
        finally:
            context.close()
            # While Playwright's loop runs, this thread's database connection is a separate,
            # context-local one; close it, or it holds the test database open at teardown.
            connections.close_all()


def test_chart_draws_under_the_csp(page: Any, therapy_circle: Any, writer: Any,  # type: ignore[no-untyped-def]
                                   therapist: Any) -> None:
    share_history(therapy_circle, writer, therapist)
    page.goto(f"/therapist/clients/{therapy_circle.pk}/")
    chart = page.locator("#therapist-chart")
    playwright_api.expect(chart).to_have_attribute("data-drawn", "yes")
    # 14 client points, 2 diamonds of hers, and one shaded episode, drawn as SVG
    assert page.locator("#therapist-chart svg").count() >= 1
    assert page.locator("#therapist-chart svg path[aria-roledescription='point'], "
                        "#therapist-chart svg .mark-symbol path").count() >= 16
    assert page.locator("#therapist-chart svg .mark-rect path").count() >= 1
    assert page.problems == [], "\n".join(page.problems)


def test_mark_seen_and_rate_by_clicking(page: Any, therapy_circle: Any, writer: Any,  # type: ignore[no-untyped-def]
                                        therapist: Any) -> None:
    h = share_history(therapy_circle, writer, None)
    page.goto(f"/therapist/clients/{therapy_circle.pk}/")
    page.locator("#alerts li.alert-row").first.get_by_role("button", name="Mark seen").click()
    playwright_api.expect(page.locator("#alerts li.alert-row")).to_have_count(1)
    assert Alert.objects.filter(seen_at__isnull=False).count() == 1
    fall = h.checkins[TENSION_AT]
    page.locator(f"#checkin-{fall.pk}").get_by_role("link", name="Add my rating").click()
    for item in ("bond_grasped", "bond_on_my_side", "task_fit", "goal_direction"):
        page.locator(f"input[name={item}][value='4']").check()
    page.locator("input[name=tension][value='no']").check()
    page.get_by_label("A note for myself about this session (optional).").fill("Felt close.")
    page.get_by_role("button", name="Save my rating").click()
    row = page.locator(f"#checkin-{fall.pk}")
    playwright_api.expect(row).to_contain_text("Felt close.")
    playwright_api.expect(row).to_contain_text("You saw this session differently")
    assert TherapistRating.objects.get().alliance == 4.0
    assert page.problems == [], "\n".join(page.problems)
