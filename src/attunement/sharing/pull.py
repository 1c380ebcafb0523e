"""Bring comments on shared entries back into the journal, under their entries.

Each post lives in one circle, so each comment belongs to one circle's conversation; it
is stored with that circle, and only for posts this journal sent (:class:`SentPost`).

``GET comments?since=<cursor>`` returns every comment on the writer's posts that changed
after the cursor (new, edited, held, hidden, removed), a page at a time ("more": true
when there are others). Each is stored once by its
server id and updated in place, so moderation on the server follows here; a removed
comment keeps its place as "[removed]" so the replies under it stay threaded. The
cursor moves only after its page is stored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from attunement.record.models import Entry
from attunement.sharing import texts
from attunement.sharing.client import ApiError, CircleClient, clean_text
from attunement.sharing.models import CircleComment, Connection, SentPost
from attunement.sharing.render import clean_comment_html

PULL_EVERY = dt.timedelta(minutes=5)
MAX_PAGES = 40  # per pull (the server sends up to 500 a page); the rest comes next time
PULL_BACKOFF_CAP = dt.timedelta(hours=1)
REMOVED_AUTHOR = "[removed]"
_STATUSES = {s.value for s in CircleComment.Status}


def pull_due(conn: Connection, now: dt.datetime) -> bool:
    return conn.next_pull_at is None or conn.next_pull_at <= now


def pull_comments(client: CircleClient, conn: Connection, now: dt.datetime | None = None) -> int:
    """Fetch and store new or changed comments, page by page; returns how many were stored."""
    now = now or timezone.now()
    stored = 0
    for _page in range(MAX_PAGES):
        try:
            comments, cursor, more = _batch(client.comments(conn.comments_cursor))
        except ApiError as exc:
            _note_failure(conn, exc, now)
            raise
        with transaction.atomic():
            places = _places(comments, conn)
            stored += sum(_store(c, places, now) for c in comments)
            _link_parents()
            advanced = cursor != conn.comments_cursor
            conn.comments_cursor = cursor
            conn.save(update_fields=["comments_cursor"])
        if not (more and advanced):
            break
    conn.last_pull_at = now
    conn.pull_error = ""
    conn.pull_failures = 0
    conn.next_pull_at = now + PULL_EVERY
    conn.save(update_fields=["last_pull_at", "pull_error", "pull_failures", "next_pull_at"])
    return stored


def _batch(answer: dict[str, Any]) -> tuple[list[dict[str, Any]], str, bool]:
    """(comments, next cursor, whether the server has more) from one answer."""
    comments, cursor = answer.get("comments"), answer.get("cursor")
    if not isinstance(comments, list) or not isinstance(cursor, str) or len(cursor) > 200:
        raise ApiError(texts.WHY_NOT_UNDERSTOOD, retryable=True)
    return [c for c in comments if isinstance(c, dict)], cursor, answer.get("more") is True


def _note_failure(conn: Connection, exc: ApiError, now: dt.datetime) -> None:
    failures = conn.pull_failures + 1
    wait = min(PULL_BACKOFF_CAP, dt.timedelta(seconds=30 * 2 ** (failures - 1)))
    conn.pull_failures = failures
    conn.pull_error = exc.why[:500]
    conn.next_pull_at = now + wait
    conn.save(update_fields=["pull_failures", "pull_error", "next_pull_at"])


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _when(value: object) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = parse_datetime(value)
    except ValueError:
        return None
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment, dt.UTC)
    return moment


@dataclass(frozen=True)
class Place:
    """Where the comments of one post belong: the entry, and the circle's conversation."""

    entry_id: int
    circle_id: int | None
    circle_name: str
    therapy: bool


def _places(comments: list[dict[str, Any]], conn: Connection) -> dict[str, Place]:
    """The posts of this page that this journal sent, by local id, whose entry is here.

    Only posts recorded when they were sent count (:class:`SentPost`, kept after they
    are unshared so their comments' removals still arrive): the server is not trusted
    to say which entry a comment belongs to.
    """
    wanted = {w for c in comments if isinstance(w := c.get("post_local_id"), str)}
    sent = list(SentPost.objects.filter(local_id__in=wanted))
    entries = set(Entry.objects.filter(pk__in=[s.entry_id for s in sent])
                  .values_list("pk", flat=True))
    places = {}
    for s in sent:
        if s.entry_id not in entries:
            continue  # the entry was deleted here; its comments are not kept
        circle = conn.circle(s.circle_id) if s.circle_id is not None else None
        name = str(circle.get("name") or "")[:120] if circle is not None else ""
        therapy = circle is not None and circle.get("kind") == "therapy"
        places[s.local_id] = Place(s.entry_id, s.circle_id, name, therapy)
    return places


def _store(c: dict[str, Any], places: dict[str, Place], now: dt.datetime) -> int:
    """Create or update one comment; 0 when it is not on a post this journal sent."""
    remote_id, status, post = _int(c.get("id")), c.get("status"), c.get("post_local_id")
    place = places.get(post) if isinstance(post, str) else None
    if remote_id is None or place is None or status not in _STATUSES:
        return 0
    removed = status == CircleComment.Status.REMOVED
    author = clean_text(c.get("author"), 200)
    fields = {
        "entry_id": place.entry_id,
        "circle_id": place.circle_id,
        "parent_remote_id": _int(c.get("parent_id")),
        "author": REMOVED_AUTHOR if removed or not author else author,
        "body_html": "" if removed else clean_comment_html(str(c.get("body_html") or "")),
        "created": _when(c.get("created")) or now,
        "edited_at": _when(c.get("edited_at")),
        "status": status,
        "pulled_at": now,
    }
    if place.circle_name:  # a circle the server no longer lists keeps the name it had
        fields |= {"circle_name": place.circle_name, "from_therapy": place.therapy}
    CircleComment.objects.update_or_create(remote_id=remote_id, defaults=fields)
    return 1


def _link_parents() -> None:
    """Point replies at their parents (a parent may arrive after its reply)."""
    loose = CircleComment.objects.filter(parent_remote_id__isnull=False, parent__isnull=True)
    wanted = {c.parent_remote_id for c in loose}
    if not wanted:
        return
    by_remote = dict(
        CircleComment.objects.filter(remote_id__in=wanted).values_list("remote_id", "pk")
    )
    for c in loose:
        parent_pk = by_remote.get(c.parent_remote_id or 0)
        if parent_pk is not None and parent_pk != c.pk:
            CircleComment.objects.filter(pk=c.pk).update(parent_id=parent_pk)
