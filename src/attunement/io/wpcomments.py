"""Comments of one WordPress post: filtering, dates and the reply tree.

WXR lists a post's comments flat, each with ``wp:comment_parent`` (0 for top level).
Spam and trashed comments, pingbacks and trackbacks are left out and counted.
A reply whose parent is not among the kept comments, or that is part of a parent
loop (only a hand-edited or hostile file has one), is kept at the top level with a
warning, so no comment is lost and the thread can always be drawn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from xml.etree.ElementTree import Element

from attunement.io.htmlmd import html_to_markdown, plain_line
from attunement.io.records import CommentRec

if TYPE_CHECKING:
    from attunement.io.wordpress import _Reader

DROPPED_APPROVALS = {"spam": "spam comment", "trash": "trashed comment",
                     "post-trashed": "trashed comment"}
KEPT_TYPES = ("", "comment")


class Reported(Exception):
    """A problem was already recorded for this post or comment; stop reading it."""


def _text(parent: Element, tag: str) -> str:
    node = parent.find(tag)
    return (node.text or "").strip() if node is not None and node.text else ""


def _safe_author_url(url: str) -> str:
    return url if url.lower().startswith(("http://", "https://")) else ""


def read_comments(reader: _Reader, item: Element, item_where: str) -> list[CommentRec]:
    """Kept comments of one item, with ``parent_key`` set for replies."""
    kept: list[CommentRec] = []
    parents: dict[str, str] = {}  # comment key -> parent id as written
    dropped: set[str] = set()
    for index, node in enumerate(item.findall(reader.wp + "comment"), 1):
        where = f"{item_where}, comment {index}"
        comment = _read_one(reader, node, where, dropped)
        if comment is not None:
            kept.append(comment)
            parents[comment.key] = _text(node, reader.wp + "comment_parent") or "0"
    _link_replies(reader, kept, parents, dropped, item_where)
    return kept


def _read_one(
    reader: _Reader, node: Element, where: str, dropped: set[str]
) -> CommentRec | None:
    wp = reader.wp
    cid = _text(node, wp + "comment_id")
    if not cid.isdigit() or int(cid) in reader.comment_ids:
        reason = "is missing" if not cid.isdigit() else "appears twice"
        reader.problem(where, f"The comment id (wp:comment_id) {reason}.")
        return None
    reader.comment_ids.add(int(cid))
    approval = _text(node, wp + "comment_approved")
    kind = _text(node, wp + "comment_type")
    if approval in DROPPED_APPROVALS or kind not in KEPT_TYPES:
        reader.skip(DROPPED_APPROVALS.get(approval) or kind)
        dropped.add(cid)
        return None
    if approval not in ("0", "1"):
        reader.warn(where, f"Unknown approval state {approval!r}; kept as not approved.")
    try:
        posted_at = reader.date(
            node, where, gmt_tag="comment_date_gmt", local_tag="comment_date", what="comment"
        )
    except Reported:
        return None
    if posted_at is None:
        reader.problem(where, "This comment has no date that can be read.")
        return None
    return CommentRec(
        key=f"wp-comment-{cid}",
        author=plain_line(_text(node, wp + "comment_author")) or "Anonymous",
        posted_at=posted_at,
        body=html_to_markdown(_text(node, wp + "comment_content"), autop=True),
        approved=approval == "1",
        author_url=_safe_author_url(_text(node, wp + "comment_author_url")),
    )


def _link_replies(
    reader: _Reader,
    kept: list[CommentRec],
    parents: dict[str, str],
    dropped: set[str],
    item_where: str,
) -> None:
    keys = {c.key for c in kept}
    for comment in kept:
        parent_id = parents[comment.key]
        if parent_id == "0":
            continue
        parent_key = f"wp-comment-{parent_id}"
        if parent_key in keys:
            comment.parent_key = parent_key
            continue
        why = ("answers a comment that was not imported (spam, trash or a pingback)"
               if parent_id in dropped else "answers a comment that is not in the file")
        message = f"This reply {why}; it is kept at the top level."
        reader.warn(f"{item_where}, {comment.key}", message)
    _break_loops(reader, kept, item_where)


def _break_loops(reader: _Reader, kept: list[CommentRec], item_where: str) -> None:
    by_key = {c.key: c for c in kept}
    for comment in kept:
        seen = {comment.key}
        parent = by_key.get(comment.parent_key or "")
        while parent is not None:
            if parent.key in seen:
                reader.warn(f"{item_where}, {comment.key}",
                            "This reply is part of a loop of replies; it is kept at the top level.")
                comment.parent_key = None
                break
            seen.add(parent.key)
            parent = by_key.get(parent.parent_key or "")
