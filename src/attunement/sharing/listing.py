"""What the pages show about shared items: rows for the Sharing page, panel contexts."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils import timezone

from attunement.checkins.models import Checkin
from attunement.record.models import Entry, Unsaid
from attunement.sharing import forms as sf
from attunement.sharing import state
from attunement.sharing.models import CircleComment, Connection, Share
from attunement.web.rendering import comment_tree, flatten


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
    kind, _, num = local_id.partition("-")
    pk = int(num) if num.isdigit() else 0
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


def describe_items(conn: Connection) -> list[Row]:
    rows = []
    for local_id, share, item_state in state.overview():
        what, title, link = _item(local_id)
        rows.append(Row(local_id, what, title, link, state.audience(conn, share), item_state,
                        share.shared_at if share else None))
    return rows


def server_link(conn: Connection, url: str) -> str:
    """The post's address on the server, only if it really is on that server."""
    if not url:
        return ""
    base = urllib.parse.urlsplit(conn.server_url)
    full = urllib.parse.urlsplit(urllib.parse.urljoin(conn.server_url + "/", url))
    if (full.scheme, full.netloc) != (base.scheme, base.netloc):
        return ""
    return full.geturl()


def entry_panel(entry: Entry, conn: Connection | None) -> dict[str, Any]:
    """Context of the Share panel and the circle's comments on the entry page."""
    comments = flatten(comment_tree(CircleComment.objects.filter(entry=entry)))
    context: dict[str, Any] = {"entry": entry, "conn": conn, "circle_comments": comments}
    if conn is None:
        return context
    lid = f"{Share.Kind.ENTRY}-{entry.pk}"
    share = Share.objects.filter(local_id=lid).first()
    context |= {
        "share": share,
        "state": state.state_of(lid),
        "audience": state.audience(conn, share),
        "remote": server_link(conn, share.remote_url) if share else "",
        "form": sf.EntryShareForm(conn=conn, initial=sf.entry_form_initial(share, entry.body)),
    }
    return context


def simple_panel(kind: str, pk: int, conn: Connection | None) -> dict[str, Any]:
    """Context of the check-in and note buttons."""
    if conn is None:
        return {"conn": None}
    lid = f"{kind}-{pk}"
    circle = conn.therapy_circle()
    return {
        "conn": conn,
        "pk": pk,
        "share": Share.objects.filter(local_id=lid).first(),
        "state": state.state_of(lid),
        "therapy_circle": circle,
    }
