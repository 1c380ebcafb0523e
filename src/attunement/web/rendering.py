"""Turn stored Markdown into safe HTML, and comments into a bounded thread."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import markdown as md
import nh3
from django.utils.safestring import SafeString, mark_safe

_ALLOWED_TAGS = {
    "p",
    "br",
    "em",
    "strong",
    "b",
    "i",
    "u",
    "s",
    "del",
    "blockquote",
    "code",
    "pre",
    "ul",
    "ol",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
_ALLOWED_ATTRS = {"a": {"href", "title"}}
# Bidirectional overrides can make text read differently from what it says.
BIDI_CONTROLS = dict.fromkeys(
    map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"), None
)
MAX_RENDER_CHARS = 200_000
MAX_DEPTH = 6  # deeper replies are shown flat under the sixth level


def render_markdown(text: str) -> SafeString:
    """Markdown to HTML with every tag and attribute outside a small list removed."""
    text = (text or "")[:MAX_RENDER_CHARS].translate(BIDI_CONTROLS)
    html = md.markdown(text, extensions=["sane_lists"], output_format="html")
    clean = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRS,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 just above


@dataclass
class Node:
    """A comment with its replies, for templates."""

    comment: Any
    depth: int
    children: list[Node] = field(default_factory=list)


def comment_tree(comments: Iterable[Any]) -> list[Node]:
    """Arrange comments by parent; replies stay under what they answer.

    Iterative (no recursion limit for 10,000-deep chains); depth is capped for
    display so a very deep thread stays readable.
    """
    items = list(comments)
    by_parent: dict[int | None, list[Any]] = {}
    ids = {c.pk for c in items}
    for c in items:
        parent = c.parent_id if c.parent_id in ids else None
        by_parent.setdefault(parent, []).append(c)
    roots: list[Node] = []
    stack: list[tuple[Any, int, list[Node]]] = [
        (c, 0, roots) for c in reversed(by_parent.get(None, []))
    ]
    while stack:
        c, depth, siblings = stack.pop()
        node = Node(c, min(depth, MAX_DEPTH))
        siblings.append(node)
        target = node.children if depth < MAX_DEPTH else siblings
        for child in reversed(by_parent.get(c.pk, [])):
            stack.append((child, depth + 1, target))
    return roots


def flatten(nodes: list[Node]) -> list[Node]:
    """Depth-first list of nodes, for templates that indent by depth."""
    out: list[Node] = []
    stack = list(reversed(nodes))
    while stack:
        n = stack.pop()
        out.append(n)
        stack.extend(reversed(n.children))
    return out
