"""The member's and the writer's pages in a real Chromium, under the strict CSP.

What only a browser shows: no page trips the Content-Security-Policy (no inline script
or style anywhere), hostile comments stay inert, and the clicks a person makes work
without any script of ours: sign in, react, open a reply form, reply, approve.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connections

from attunement.circle.models import Comment, Reaction
from tests.browser.chromium import CHROMIUM, chromium
from tests.circle.conftest import PASSWORD

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TIMEOUT_MS = 60_000


@pytest.fixture
def browser_page(live_server: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A fresh Chromium page on the live server, collecting every console error."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with chromium() as browser:
        context = browser.new_context(base_url=live_server.url,
                                      viewport={"width": 1000, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        p = context.new_page()
        p.problems = []
        p.dialogs = []
        # A failed load is reported by the response handler below (which knows the URL:
        # the browser's own favicon.ico request is not a page's problem).
        p.on("console", lambda m: p.problems.append(m.text) if m.type == "error"
             and not m.text.startswith("Failed to load resource") else None)
        p.on("pageerror", lambda e: p.problems.append(str(e)))
        p.on("dialog", lambda d: (p.dialogs.append(d.message), d.dismiss()))
        p.on("response", lambda r: p.problems.append(f"{r.status} {r.url}")
             if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
        p.on("request", lambda r: p.problems.append("offsite: " + r.url)
             if not r.url.startswith(live_server.url) else None)
        try:
            yield p
        finally:
            context.close()
            connections.close_all()


def _sign_in(page: Any, username: str) -> None:
    page.goto("/login")
    page.get_by_label("Name you sign in with").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")


HOSTILE = [
    '<img src=x onerror="alert(1)">',
    '<svg onload="alert(2)"><circle r="4"/></svg>',
    "<script>alert(3)</script>",
    "[click me](javascript:alert(4))",
    '<p style="position:fixed;inset:0;background:red">cover</p>',
    "\u202eevil\u202c",
]


def test_a_member_reads_reacts_and_replies(browser_page: Any, member: Any, post: Any,
                                           comment: Any, make_comment: Any) -> None:
    page = browser_page
    for payload in HOSTILE:
        make_comment(post, member, payload)
    _sign_in(page, "member")
    page.get_by_role("link", name="After Tuesday").first.click()
    playwright_api.expect(page.get_by_role("heading", name="After Tuesday")).to_be_visible()

    page.get_by_role("button", name="Me too").click()
    playwright_api.expect(page.get_by_role("button", name="Me too")).to_have_attribute(
        "aria-pressed", "true")
    assert Reaction.objects.filter(post=post, kind="me_too").count() == 1

    article = page.locator(f"#c{comment.pk}")
    article.get_by_text("Reply", exact=True).first.click()
    article.get_by_label("Your reply to Harbour").fill("Holding this with you.")
    article.get_by_role("button", name="Send reply").click()
    reply = Comment.objects.get(parent=comment)
    playwright_api.expect(page.locator(f"#c{comment.pk} #c{reply.pk}")).to_contain_text(
        "Holding this with you.")

    page.get_by_text("click me", exact=True).click()  # its javascript: target was removed
    assert page.dialogs == []
    assert page.evaluate("document.querySelectorAll('.comment-body [style]').length") == 0
    assert page.problems == [], "\n".join(page.problems)


def test_every_page_of_the_writer_is_clean_under_the_csp(
        browser_page: Any, writer: Any, circle: Any, post: Any, comment: Any,
        invitation: Any, writer_device: Any) -> None:
    page = browser_page
    _sign_in(page, "writer")
    for path in ["/", f"/circles/{circle.pk}/", f"/circles/{circle.pk}/invite",
                 f"/posts/{post.pk}/", f"/comments/{comment.pk}/thread", "/notifications",
                 "/account", "/connect", "/circles/new", "/connect/some-code"]:
        page.goto(path)
        playwright_api.expect(page.locator("main h1")).to_be_visible()
        # The stylesheets really apply (they are not blocked): the page is laid out.
        assert page.evaluate("getComputedStyle(document.body).margin") == "0px"
    assert page.problems == [], "\n".join(page.problems)


def test_the_writer_approves_a_held_comment(browser_page: Any, writer: Any, post: Any,
                                            member: Any, make_comment: Any) -> None:
    held = make_comment(post, member, "Waiting words", status=Comment.Status.HELD)
    page = browser_page
    _sign_in(page, "writer")
    page.goto(f"/posts/{post.pk}/")
    playwright_api.expect(page.locator(f"#c{held.pk}")).to_contain_text("waiting for approval")
    page.locator(f"#c{held.pk}").get_by_role("button", name="Approve").click()
    playwright_api.expect(page.get_by_text("The comment is approved.")).to_be_visible()
    held.refresh_from_db()
    assert held.status == "visible"
    assert page.problems == [], "\n".join(page.problems)
