"""A post's comments as one viewer may see them: the forest, the page, the way to one.

Reads only ids, parents, statuses and sizes of all of a post's comments (cheap even
for 10,000), decides the page from those, then loads the full rows of the at most
:data:`~attunement.circle.rendering.NODE_CAP` comments the page shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from django.db.models.functions import Length
from django.utils.safestring import SafeString, mark_safe

from attunement.circle import access
from attunement.circle.models import Comment, Post, User
from attunement.circle.rendering import Forest, Layout, Row, build_forest, layout_page

THREADS_PER_PAGE = 20
REMOVED = "[removed]"
PLACEHOLDERS: dict[str, str] = {
    Comment.Status.REMOVED: "[removed]",
    Comment.Status.HIDDEN: "[hidden by the writer]",
    Comment.Status.HELD: "[waiting for approval]",
}


def forest_for(user: User, post: Post) -> Forest:
    """Every comment of ``post`` this person reads, with placeholders where replies hang."""
    rows = Comment.objects.filter(post=post).order_by("created", "id").values_list(
        "id", "parent_id", "status", "author_id", Length("body_html"))
    readable: set[int] = set()
    items: list[Row] = []
    for cid, parent, status, author_id, size in rows:
        items.append((cid, parent, size or 0))
        if access.reads_comment(user, post, status, author_id):
            readable.add(cid)
    return build_forest(items, readable.__contains__)


@dataclass
class Shown:
    """One comment as a page shows it."""

    id: str  # text already: templates would format a number through the locale machinery
    readable: bool
    author: str
    created: datetime
    edited: bool
    status: str
    html: SafeString
    mine: bool
    can_edit: bool
    can_reply: bool
    moderate: list[str]


def _moderation_actions(status: str) -> list[str]:
    actions: dict[str, list[str]] = {
        Comment.Status.VISIBLE: ["hide", "remove"],
        Comment.Status.HELD: ["approve", "hide", "remove"],
        Comment.Status.HIDDEN: ["show", "remove"],
    }
    return actions.get(status, [])


def _shown(user: User, post: Post, c: Comment, readable: bool) -> Shown:
    mine = c.author_id is not None and c.author_id == user.pk
    if not readable:
        html = mark_safe("")
        label = PLACEHOLDERS.get(c.status, REMOVED)
        return Shown(str(c.pk), False, label, c.created, False, c.status, html, False, False,
                     False, [])
    try:
        access.check_edit(user, c)
        can_edit = True
    except access.Refused:
        can_edit = False
    author = str(c.author) if c.author is not None else REMOVED
    return Shown(
        str(c.pk), True, author, c.created, c.edited_at is not None, c.status,
        mark_safe(c.body_html),  # noqa: S308 - sanitised with nh3 when saved
        mine, can_edit, c.status == Comment.Status.VISIBLE,
        _moderation_actions(c.status) if access.moderates(user, post) else [],
    )


def fill(user: User, post: Post, forest: Forest, layout: Layout) -> Layout:
    """Load the comments a page shows (one query) into its slots."""
    ids = [s.id for s in layout.slots] + [s.reply_to for s in layout.slots if s.reply_to]
    loaded = Comment.objects.filter(pk__in=ids).select_related("author").in_bulk()
    readable = forest.readable
    for slot in layout.slots:
        slot.comment = _shown(user, post, loaded[slot.id], slot.id in readable)
        if slot.reply_to in loaded:
            parent = loaded[slot.reply_to]
            slot.reply_to_name = (
                str(parent.author) if parent.author is not None and slot.reply_to in readable
                else PLACEHOLDERS.get(parent.status, REMOVED)
            )
    return layout


def _path(forest: Forest, comment_id: int) -> list[int]:
    """From the thread's top-level comment down to ``comment_id``."""
    path = [comment_id]
    seen = {comment_id}
    while (parent := forest.parent[path[-1]]) is not None and parent in forest:
        if parent in seen:
            break
        seen.add(parent)
        path.append(parent)
    return list(reversed(path))


def locate(user: User, post: Post, comment_id: int) -> str | None:
    """The address of the page that shows ``comment_id`` (None if this person may not)."""
    forest = forest_for(user, post)
    if comment_id not in forest:
        return None
    path = _path(forest, comment_id)
    index = forest.children.get(None, []).index(path[0])
    # The page the pager would show first; the thread's own start if the caps cut it off.
    for start in dict.fromkeys([index - index % THREADS_PER_PAGE, index]):
        layout = layout_page(forest, start, THREADS_PER_PAGE)
        if any(s.id == comment_id for s in layout.slots):
            query = f"?{urlencode({'from': start})}" if start else ""
            return f"/posts/{post.pk}/{query}#c{comment_id}"
    position = list(forest.descendants(path[0])).index(comment_id)
    return f"/comments/{path[0]}/thread?{urlencode({'from': position})}#c{comment_id}"
