"""Use cases of sharing: choose an audience, unshare, and sync (connecting is in
:mod:`attunement.sharing.connecting`, whose use cases are re-exported here).

Views, hooks and the background thread call these. Nothing here touches the network
unless a connection was made on the Sharing page: with no :class:`Connection` every
function returns before building a client.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from attunement.checkins.models import Checkin
from attunement.record.models import Entry, Unsaid
from attunement.sharing import outbox, payloads, pull, texts
from attunement.sharing.client import ApiError
from attunement.sharing.connecting import (
    RefreshFailed,
    RemovalsWaiting,
    SharingError,
    client_for,
    connect,
    current,
    disconnect,
    refresh,
    removals_waiting,
    require_connection,
    set_auto_share,
    token_refused,
)
from attunement.sharing.models import Connection, OutboxItem, Share
from attunement.store import keyring
from attunement.store.errors import JournalLocked

ENDPOINTS = {
    Share.Kind.ENTRY: OutboxItem.Endpoint.POSTS,
    Share.Kind.CHECKIN: OutboxItem.Endpoint.CHECKINS,
    Share.Kind.NOTE: OutboxItem.Endpoint.NOTES,
}

__all__ = [
    "ChangedSincePreview", "EntryChoice", "RefreshFailed", "RemovalsWaiting", "SharingError",
    "SyncReport", "build_unbuilt", "client_for", "connect", "current", "disconnect",
    "entry_preview", "entry_shares", "rebuild", "refresh", "removals_waiting",
    "require_connection", "retry", "seconds_until_due", "set_auto_share", "share_checkin",
    "share_entry", "share_note", "sync", "unshare",
]


class ChangedSincePreview(SharingError):
    """The entry changed between the preview and the confirmation."""

    message = texts.CHANGED_SINCE_PREVIEW


# --- choosing an audience ------------------------------------------------------------


@dataclass
class EntryChoice:
    """What the person chose on the Share panel."""

    circles: list[int]
    excerpt: str | None  # None: the whole entry


def entry_preview(entry: Entry, choice: EntryChoice) -> dict[str, Any]:
    """The exact post that would be sent (raises SharingError when it cannot be)."""
    conn = require_connection()
    owned = {c["id"]: c for c in conn.owned_circles()}
    if any(c not in owned for c in choice.circles):
        raise SharingError(texts.CIRCLE_NOT_YOURS)
    _check_part_rules(entry, [owned[c] for c in choice.circles])
    try:
        return payloads.entry_payload(entry, choice.circles, excerpt=choice.excerpt)
    except payloads.PayloadError as exc:
        raise SharingError(str(exc)) from None


def entry_shares(entry_pk: int) -> list[Share]:
    """The circles an entry is shared with: one share (one post) per circle."""
    return list(Share.objects.filter(kind=Share.Kind.ENTRY, object_id=entry_pk).order_by("id"))


@transaction.atomic
def share_entry(entry: Entry, choice: EntryChoice, confirmed_digest: str) -> list[Share]:
    """Queue the post the person saw in the preview (and only that), one per circle.

    Each circle gets its own post, so each keeps its own conversation. A circle left out
    of the new choice has its post removed; a circle whose post would not change is not
    sent again.
    """
    payload = entry_preview(entry, choice)
    if payloads.digest(payload) != confirmed_digest:
        raise ChangedSincePreview()
    chosen: list[int] = payload["circles"]
    existing = {s.circle_id: s for s in entry_shares(entry.pk)}
    for circle_id, old in existing.items():
        if circle_id not in chosen:
            _withdraw(old)
    return [_share_entry_in(entry, existing.get(c), c, payload, choice) for c in chosen]


def _share_entry_in(entry: Entry, share: Share | None, circle_id: int,
                    payload: dict[str, Any], choice: EntryChoice) -> Share:
    one = payloads.for_circle(payload, circle_id)
    new_digest = payloads.digest(one)
    lid = share.local_id if share else payloads.local_id(Share.Kind.ENTRY, entry.pk, circle_id)
    unchanged = share is not None and share.digest == new_digest and not outbox.waiting(lid)
    share, _ = Share.objects.update_or_create(
        local_id=lid,
        defaults={"kind": Share.Kind.ENTRY, "object_id": entry.pk, "circle_id": circle_id,
                  "is_excerpt": choice.excerpt is not None, "excerpt": choice.excerpt or "",
                  "digest": new_digest, "chosen_at": timezone.now()},
    )
    if not unchanged:
        outbox.queue_put(OutboxItem.Endpoint.POSTS, lid, one)
    return share


def _withdraw(share: Share) -> None:
    """No longer shared there: the share goes, and the removal of its post is queued."""
    lid, ever_sent = share.local_id, share.ever_sent
    share.delete()
    outbox.queue_delete(ENDPOINTS[Share.Kind(share.kind)], lid, ever_sent=ever_sent)


@transaction.atomic
def unshare(kind: str, object_id: int) -> bool:
    """Make an item private again; the removal of each of its posts is queued."""
    shares = list(Share.objects.filter(kind=kind, object_id=object_id))
    for share in shares:
        _withdraw(share)
    return bool(shares)


def _check_part_rules(item: Entry | Checkin, circles: list[dict[str, Any]]) -> None:
    """Refuse when a part who wrote the item has not allowed these destinations (parts on)."""
    from attunement.parts.sharing_rules import check

    wants_therapist = any(c.get("kind") == "therapy" for c in circles)
    wants_circles = any(c.get("kind") != "therapy" for c in circles)
    allowed, why = check(item, wants_circles, wants_therapist)
    if not allowed:
        raise SharingError(why)


def _therapy_circle(conn: Connection) -> dict[str, Any]:
    circle = conn.therapy_circle()
    if circle is None:
        raise SharingError(texts.NO_THERAPY_CIRCLE)
    return circle


@transaction.atomic
def share_checkin(checkin: Checkin) -> str:
    """Queue a check-in for the therapist; returns the therapy circle's name."""
    circle = _therapy_circle(require_connection())
    _check_part_rules(checkin, [circle])
    payload = payloads.checkin_payload(checkin, circle["id"])
    _share_simple(Share.Kind.CHECKIN, checkin.pk, circle["id"], payload)
    return str(circle["name"])


@transaction.atomic
def share_note(note: Unsaid) -> str:
    """Queue a note for the next session for the therapist; returns the circle's name."""
    circle = _therapy_circle(require_connection())
    try:
        payload = payloads.note_payload(note, circle["id"])
    except payloads.PayloadError as exc:
        raise SharingError(str(exc)) from None
    _share_simple(Share.Kind.NOTE, note.pk, circle["id"], payload)
    return str(circle["name"])


def _share_simple(kind: str, pk: int, circle_id: int, payload: dict[str, Any]) -> None:
    lid = payloads.local_id(kind, pk)
    Share.objects.update_or_create(
        kind=kind, object_id=pk,
        defaults={"local_id": lid, "circle_id": circle_id, "digest": payloads.digest(payload),
                  "chosen_at": timezone.now()},
    )
    outbox.queue_put(ENDPOINTS[Share.Kind(kind)], lid, payload)


def rebuild(share: Share) -> None:
    """Queue the current version of a shared item if it differs from the last one queued."""
    try:
        payload = _current_payload(share)
    except (payloads.PayloadError, SharingError) as exc:
        outbox.queue_local_failure(ENDPOINTS[Share.Kind(share.kind)], share.local_id, str(exc))
        return
    if payload is None:
        return
    new = payloads.digest(payload)
    if new == share.digest and not _has_local_failure(share.local_id):
        return
    Share.objects.filter(pk=share.pk).update(digest=new)
    outbox.queue_put(ENDPOINTS[Share.Kind(share.kind)], share.local_id, payload)


def build_unbuilt() -> int:
    """Queue the shares that were never built; returns how many.

    Only shares split from one post into one per circle (migration 0002) start unbuilt:
    building them here goes through the same checks as an edit (a part's rule, the
    size). One that already waits, or failed to build, is left for "Retry now".
    """
    built = 0
    for share in Share.objects.filter(digest=""):
        if not outbox.waiting(share.local_id):
            rebuild(share)
            built += 1
    return built


def _has_local_failure(local_id: str) -> bool:
    return OutboxItem.objects.filter(
        local_id=local_id, op=outbox.PUT, state=OutboxItem.State.FAILED, attempts=0
    ).exists()


def _current_payload(share: Share) -> dict[str, Any] | None:
    """The item as it would be sent now; SharingError if a part's rule no longer allows it."""
    conn = current()
    circle = share.circle_id
    if share.kind == Share.Kind.ENTRY:
        entry = Entry.objects.filter(pk=share.object_id).first()
        if entry is None:
            return None
        known = conn.circle(circle) if conn is not None else None
        _check_part_rules(entry, [known or {"id": circle}])
        excerpt = share.excerpt if share.is_excerpt else None
        return payloads.entry_payload(entry, [circle], excerpt=excerpt)
    if share.kind == Share.Kind.NOTE:
        note = Unsaid.objects.filter(pk=share.object_id).first()
        return payloads.note_payload(note, circle) if note and circle else None
    checkin = Checkin.objects.filter(pk=share.object_id).first()
    if checkin is not None:
        _check_part_rules(checkin, [{"kind": "therapy"}])
    return payloads.checkin_payload(checkin, circle) if checkin and circle else None


def retry(item_id: int) -> None:
    """"Retry now": a refused or waiting item is due at once (rebuilt if it never built)."""
    item = OutboxItem.objects.filter(pk=item_id).first()
    if item is None:
        return
    if item.op == outbox.PUT and item.state == OutboxItem.State.FAILED and not item.attempts:
        share = Share.objects.filter(local_id=item.local_id).first()
        if share is not None:
            rebuild(share)
        return
    outbox.retry_now(item)


# --- syncing -------------------------------------------------------------------------

_pass_lock = threading.Lock()


@dataclass
class SyncReport:
    """The outcome of one sync, for the page or the log."""

    locked: bool = False
    busy: bool = False
    connected: bool = True
    sent: int = 0
    failed: int = 0
    comments: int = 0
    waiting: int = 0


def sync(*, pull_comments: str = "due", wait: float = 0.0,
         now: dt.datetime | None = None) -> SyncReport:
    """Send what is due and, when due (or ``"always"``), pull comments.

    Safe to call at any time: while the journal is locked it does nothing (the data key
    is gone); with no connection it makes no network request; two callers never run a
    pass at the same time.
    """
    if not keyring.is_unlocked():
        return SyncReport(locked=True)
    acquired = _pass_lock.acquire(timeout=wait) if wait > 0 else _pass_lock.acquire(False)
    if not acquired:
        return SyncReport(busy=True)
    try:
        return _sync(pull_comments, now or timezone.now())
    except JournalLocked:
        return SyncReport(locked=True)
    finally:
        _pass_lock.release()


def seconds_until_due(now: dt.datetime | None = None) -> float | None:
    """Seconds until the next item may be tried (None: nothing will be tried by itself)."""
    conn = current() if keyring.is_unlocked() else None
    if conn is None or conn.refused:
        return None
    now = now or timezone.now()
    heads = outbox.heads()
    if not heads:
        return None
    return max(0.0, min((h.next_attempt_at or now) - now for h in heads).total_seconds())


def _pending() -> int:
    return OutboxItem.objects.filter(state=OutboxItem.State.PENDING).count()


def _sync(pull_comments: str, now: dt.datetime) -> SyncReport:
    conn = current()
    if conn is None:
        return SyncReport(connected=False)
    report = SyncReport()
    if conn.refused:
        report.waiting = _pending()
        return report
    build_unbuilt()
    client = client_for(conn)
    sent = outbox.send_due(client, now)
    report.sent, report.failed = sent.sent, sent.failed
    if sent.token_refused:
        token_refused(conn, sent.token_refused)
    elif sent.stopped_locked or not keyring.is_unlocked():
        report.locked = True
    elif pull_comments == "always" or (pull_comments == "due" and pull.pull_due(conn, now)):
        try:
            report.comments = pull.pull_comments(client, conn, now)
        except ApiError as exc:
            if exc.status == 401:
                token_refused(conn, exc.server_message or exc.why)
    report.waiting = _pending()
    return report
