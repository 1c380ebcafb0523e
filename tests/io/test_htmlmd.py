"""Tests for the HTML to Markdown helper."""

from __future__ import annotations

from attunement.io.htmlmd import html_to_markdown, plain_line


def test_scripts_styles_and_their_text_are_removed():
    html = "<p>a<script>steal()</script><style>p{}</style><noscript>x</noscript>b</p>"
    assert html_to_markdown(html) == "ab"


def test_unsafe_links_lose_their_address_only():
    html = ('<a href="javascript:x()">one</a> <a href="vbscript:y">two</a> '
            '<a href="/relative">three</a> <a href="mailto:a@b.example">four</a>')
    assert html_to_markdown(html) == "one two [three](/relative) [four](mailto:a@b.example)"


def test_autop_makes_paragraphs_and_line_breaks_but_keeps_pre():
    html = "one\ntwo\n\nthree\n<pre>a\n\nb</pre>"
    assert html_to_markdown(html, autop=True) == "one\\\ntwo\n\nthree\n\n```\na\n\nb\n```"


def test_autop_is_skipped_for_content_that_has_paragraphs():
    # A soft newline stays soft (no hard-break backslash) when <p> tags are present.
    assert html_to_markdown("<p>one\ntwo</p>", autop=True) == "one\ntwo"


def test_empty():
    assert html_to_markdown("  ") == ""


def test_plain_line_removes_controls_and_bidi_overrides():
    assert plain_line("  Tom &amp; \u202eJerry\u2066 \x07 ") == "Tom & Jerry"
