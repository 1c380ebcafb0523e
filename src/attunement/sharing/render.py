"""Comments from other people, made inert again on this side.

The circle server sanitises comment HTML already; the journal does it once more with
nh3 when storing and when showing (defence in depth: a compromised or buggy server
must not be able to run script in the journal's pages, which hold everything).
"""

from __future__ import annotations

import nh3
from django.utils.safestring import SafeString, mark_safe

from attunement.web.rendering import BIDI_CONTROLS

MAX_COMMENT_HTML = 300_000  # characters kept per comment; more is cut (then re-balanced)
TAGS = {
    "p", "br", "em", "strong", "b", "i", "u", "s", "del", "blockquote", "code", "pre",
    "ul", "ol", "li", "a",
}
ATTRIBUTES = {"a": {"href", "title"}}


def clean_comment_html(html: str) -> str:
    """Only a few harmless tags, only http(s)/mailto links, no bidi overrides, bounded."""
    text = (html or "")[:MAX_COMMENT_HTML].translate(BIDI_CONTROLS)
    return str(
        nh3.clean(
            text,
            tags=TAGS,
            attributes=ATTRIBUTES,
            url_schemes={"http", "https", "mailto"},
            link_rel="noopener noreferrer nofollow",
        )
    )


def comment_html(html: str) -> SafeString:
    """The stored comment HTML, sanitised again for the page."""
    return mark_safe(clean_comment_html(html))  # noqa: S308 - sanitised by nh3 just above
