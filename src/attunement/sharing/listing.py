"""What the pages show about shared items: rows for the Sharing page, panel contexts,
and the comments under an entry, one group per circle."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils import timezone

from attunement.checkins.models import Checkin
from attunement.record.models import Entry, Unsaid
from attunement.sharing import forms as sf
from attunement.sharing import payloads, state, texts
from attunement.sharing.models import CircleComment, Connection, OutboxItem, Share
from attunement.web.rendering import Node, comment_tree, flatten


@dataclass
class Row:
    """One shared or waiting item on the Sharing page."""

    local_id: str
    what: str  # "Entry", "Check-in", "Note for the next session"
    title: str
    link: str
    audience: str
    state: state.ItemState
    shared_at: Any


def _item(local_id: str) -> tuple[str, str, str]:
    """(kind label, title, link) of a local id, even when the item is gone."""
    parsed = payloads.parse_local_id(local_id)
    kind, pk = (parsed[0], parsed[1]) if parsed else ("", 0)
    if kind == Share.Kind.ENTRY:
        entry = Entry.objects.filter(pk=pk).first()
        if entry is None:
            return "Entry", "(deleted entry)", ""
        return "Entry", str(entry), reverse("entry_detail", args=[pk])
    if kind == Share.Kind.CHECKIN:
        checkin = Checkin.objects.filter(pk=pk).first()
        if checkin is None:
            return "Check-in", "(deleted check-in)", ""
        when = timezone.localtime(checkin.completed_at).strftime("%d %b %Y, %H:%M")
        return "Check-in", f"Check-in of {when}", reverse("checkin_detail", args=[pk])
    note = Unsaid.objects.filter(pk=pk).first()
    if note is None:
        return "Note for the next session", "(deleted note)", ""
    text = note.text if len(note.text) <= 80 else note.text[:79] + "…"
    return "Note for the next session", text, reverse("kind_list", args=["unsaid"])


def _circle_of(local_id: str, share: Share | None) -> int | None:
    if share is not None:
        return share.circle_id
    parsed = payloads.parse_local_id(local_id)
    return parsed[2] if parsed else None


def describe_items(conn: Connection) -> list[Row]:
    rows = []
    for local_id, share, item_state in state.overview():
        what, title, link = _item(local_id)
        circle = _circle_of(local_id, share)
        rows.append(Row(local_id, what, title, link,
                        conn.circle_name(circle) if circle is not None else "", item_state,
                        share.shared_at if share else None))
    return rows


def label(conn: Connection | None, local_id: str) -> str:
    """One item in a sentence: "Entry: After Tuesday (Evening circle)"."""
    what, title, _link = _item(local_id)
    circle = _circle_of(local_id, Share.objects.filter(local_id=local_id).first())
    where = f" ({conn.circle_name(circle)})" if conn is not None and circle is not None else ""
    return f"{what}: {title}{where}"


def server_link(conn: Connection, url: str) -> str:
    """The post's address on the server, only if it really is on that server."""
    if not url:
        return ""
    base = urllib.parse.urlsplit(conn.server_url)
    full = urllib.parse.urlsplit(urllib.parse.urljoin(conn.server_url + "/", url))
    if (full.scheme, full.netloc) != (base.scheme, base.netloc):
        return ""
    return full.geturl()


# --- the entry page ------------------------------------------------------------------

COMMENT_CAP = 200  # comments shown under one entry: the latest ones


@dataclass
class CirclePost:
    """The entry's post in one circle, as its panel shows it."""

    circle_id: int | None
    name: str
    chosen: bool  # False: no longer shared there, its removal waits
    state: state.ItemState
    remote: str

    @property
    def key(self) -> str:
        """For the page's ids: "c11", or "several" for an earlier post of several circles."""
        return "several" if self.circle_id is None else f"c{self.circle_id}"


@dataclass
class CommentGroup:
    """The comments of one circle's conversation under an entry."""

    key: str  # "c11", or "earlier" for a post that went to several circles at once
    title: str
    nodes: list[Node]


def _circle_label(conn: Connection, circle_id: int | None) -> str:
    if circle_id is None:
        return texts.SEVERAL_CIRCLES
    circle = conn.circle(circle_id)
    if circle is not None and circle.get("kind") == "therapy":
        return f"{conn.circle_name(circle_id)} (your therapist)"
    return conn.circle_name(circle_id)


def circle_posts(entry: Entry, conn: Connection, shares: list[Share]) -> list[CirclePost]:
    """One line per circle: its state, and where the post is; then removals that wait."""
    posts = [CirclePost(s.circle_id, _circle_label(conn, s.circle_id), True,
                        state.state_of(s.local_id), server_link(conn, s.remote_url))
             for s in shares]
    chosen = {s.local_id for s in shares}
    prefix = f"{Share.Kind.ENTRY}-{entry.pk}"
    leaving = (OutboxItem.objects.filter(local_id__startswith=prefix)
               .exclude(local_id__in=chosen).values_list("local_id", flat=True).distinct())
    for lid in sorted(set(leaving)):
        parsed = payloads.parse_local_id(lid)
        if parsed is None or parsed[1] != entry.pk:
            continue  # entry-12 is not entry-1
        posts.append(CirclePost(parsed[2], _circle_label(conn, parsed[2]), False,
                                state.state_of(lid), ""))
    return posts


def _group_title(conn: Connection | None, c: CircleComment) -> str:
    known = conn.circle(c.circle_id) if conn is not None and c.circle_id is not None else None
    if known is not None:
        therapy, name = known.get("kind") == "therapy", str(known.get("name") or "")
    else:
        therapy, name = c.from_therapy, c.circle_name
    if c.circle_id is None:
        return texts.COMMENTS_EARLIER
    if therapy:
        return texts.COMMENTS_FROM_THERAPIST
    return texts.COMMENTS_FROM.format(circle=name or f"circle {c.circle_id}")


def comment_groups(entry: Entry, conn: Connection | None) -> tuple[list[CommentGroup], int, int]:
    """The latest comments grouped by circle, the number shown, and how many are older."""
    rows = CircleComment.objects.filter(entry=entry)
    total = rows.count()
    latest = list(rows.order_by("-created", "-remote_id")[:COMMENT_CAP])[::-1]
    by_circle: dict[int | None, list[CircleComment]] = {}
    for c in latest:
        by_circle.setdefault(c.circle_id, []).append(c)
    groups = [
        CommentGroup("earlier" if cid is None else f"c{cid}", _group_title(conn, found[0]),
                     flatten(comment_tree(found)))
        for cid, found in by_circle.items()
    ]
    return groups, len(latest), total - len(latest)


def entry_panel(entry: Entry, conn: Connection | None) -> dict[str, Any]:
    """Context of the Share panel and the circles' comments on the entry page."""
    groups, shown, older = comment_groups(entry, conn)
    context: dict[str, Any] = {
        "entry": entry, "conn": conn, "comment_groups": groups, "comments_shown": shown,
        "comments_older": texts.COMMENTS_OLDER.format(shown=shown, older=older) if older else "",
    }
    if conn is None:
        return context
    shares = Share.objects.filter(kind=Share.Kind.ENTRY, object_id=entry.pk).order_by("id")
    shares_list = list(shares)
    context |= {
        "share": shares_list[0] if shares_list else None,
        "posts": circle_posts(entry, conn, shares_list),
        "audience": state.audience(conn, shares_list),
        "form": sf.EntryShareForm(conn=conn,
                                  initial=sf.entry_form_initial(shares_list, entry.body)),
    }
    return context


def simple_panel(kind: str, pk: int, conn: Connection | None) -> dict[str, Any]:
    """Context of the check-in and note buttons."""
    if conn is None:
        return {"conn": None}
    lid = payloads.local_id(kind, pk)
    circle = conn.therapy_circle()
    return {
        "conn": conn,
        "pk": pk,
        "share": Share.objects.filter(local_id=lid).first(),
        "state": state.state_of(lid),
        "therapy_circle": circle,
    }
