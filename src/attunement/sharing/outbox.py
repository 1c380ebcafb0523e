"""The outbox: every request to the circle server waits here until it goes through.

Items are sent in order per ``local_id`` (an update never overtakes the publish it
follows, a removal never overtakes either). Queuing coalesces: a newer version of an
item replaces a version not yet sent; removing an item that was never sent leaves
nothing to send at all. A failure keeps the item with the reason: the network, a 5xx,
408 or 429 are tried again with exponential backoff (30 s doubling, at most an hour);
any other refusal (4xx) waits for the person, who sees the server's words.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from attunement.sharing.client import ApiError, CircleClient
from attunement.sharing.models import OutboxItem, SentPost, Share
from attunement.sharing.payloads import digest, parse_local_id
from attunement.store import keyring

BACKOFF_FIRST = 30  # seconds before the first retry
BACKOFF_CAP = 3600  # never wait more than an hour
PUT = OutboxItem.Op.PUT
DELETE = OutboxItem.Op.DELETE


def backoff_seconds(attempts: int, retry_after: float | None = None) -> int:
    """Seconds to wait after ``attempts`` failed tries (the server's Retry-After if longer)."""
    wait = min(BACKOFF_CAP, BACKOFF_FIRST * 2 ** max(0, attempts - 1))
    if retry_after is not None:
        wait = min(BACKOFF_CAP, max(wait, int(retry_after + 0.999)))
    return wait


def _nudge() -> None:
    from attunement.sharing import worker

    transaction.on_commit(worker.nudge)


def waiting(local_id: str) -> list[OutboxItem]:
    """The items of one local id not yet through, oldest first."""
    return list(OutboxItem.objects.filter(local_id=local_id).order_by("id"))


@transaction.atomic
def queue_put(endpoint: str, local_id: str, payload: dict[str, Any]) -> OutboxItem:
    """Queue a publish or update; it replaces a newer-than-sent version already waiting."""
    items = waiting(local_id)
    last = items[-1] if items else None
    if last is not None and last.op == PUT:
        last.payload = payload
        last.revision += 1
        last.state = OutboxItem.State.PENDING
        last.attempts = 0
        last.last_error = ""
        last.last_status = None
        last.next_attempt_at = None
        last.save()
        item = last
    else:
        item = OutboxItem.objects.create(
            op=PUT, endpoint=endpoint, local_id=local_id, payload=payload
        )
    _nudge()
    return item


@transaction.atomic
def queue_local_failure(endpoint: str, local_id: str, why: str) -> OutboxItem:
    """An update that cannot even be built (e.g. the entry grew too long): shown as failed."""
    OutboxItem.objects.filter(local_id=local_id, op=PUT).delete()
    return OutboxItem.objects.create(
        op=PUT, endpoint=endpoint, local_id=local_id, payload={},
        state=OutboxItem.State.FAILED, last_error=why,
    )


@transaction.atomic
def queue_delete(endpoint: str, local_id: str, *, ever_sent: bool) -> OutboxItem | None:
    """Queue a removal. Versions waiting to be published are dropped first; if none was
    ever sent and no removal is waiting, there is nothing on the server to remove."""
    OutboxItem.objects.filter(local_id=local_id, op=PUT).delete()
    existing = OutboxItem.objects.filter(local_id=local_id, op=DELETE).first()
    if existing is not None:
        return existing
    if not ever_sent:
        return None
    item = OutboxItem.objects.create(op=DELETE, endpoint=endpoint, local_id=local_id)
    _nudge()
    return item


def retry_now(item: OutboxItem) -> None:
    """The person pressed "retry now": due at once, the old reason cleared."""
    OutboxItem.objects.filter(pk=item.pk).update(
        state=OutboxItem.State.PENDING, next_attempt_at=None, last_error=""
    )


@dataclass
class SendReport:
    """What one pass over the outbox did."""

    sent: int = 0
    failed: int = 0
    token_refused: str = ""
    stopped_locked: bool = False


def heads() -> list[OutboxItem]:
    """The first item of each local id, unless it waits for the person (failed)."""
    seen: set[str] = set()
    found: list[OutboxItem] = []
    for item in OutboxItem.objects.order_by("id"):
        if item.local_id in seen:
            continue
        seen.add(item.local_id)
        if item.state != OutboxItem.State.FAILED:
            found.append(item)
    return found


def _due(now: dt.datetime) -> list[OutboxItem]:
    """The heads that may be tried now."""
    return [h for h in heads() if h.next_attempt_at is None or h.next_attempt_at <= now]


def send_due(client: CircleClient, now: dt.datetime | None = None) -> SendReport:
    """Try every due item once; stop early when the server cannot be reached."""
    now = now or timezone.now()
    return _send(client, _due(now), now)


def removals() -> list[OutboxItem]:
    """Every removal still waiting, failed ones included, oldest first.

    A removal is always the first item of its local id: queuing one drops the versions
    of it that waited to be published.
    """
    return list(OutboxItem.objects.filter(op=DELETE).order_by("id"))


def send_removals(client: CircleClient, now: dt.datetime | None = None) -> SendReport:
    """Try every waiting removal now, whatever its backoff or earlier refusal said."""
    now = now or timezone.now()
    return _send(client, removals(), now)


def _send(client: CircleClient, due: list[OutboxItem], now: dt.datetime) -> SendReport:
    report = SendReport()
    for index, item in enumerate(due):
        if not keyring.is_unlocked():
            report.stopped_locked = True
            break
        error = _send_one(client, item, now)
        if error is None:
            report.sent += 1
            continue
        report.failed += 1
        if error.status == 401:
            report.token_refused = error.server_message or error.why
            break
        if error.retryable and error.status is None:
            # Unreachable: the rest would fail the same way; say so on each of them.
            for later in due[index + 1 :]:
                _record_failure(later, error, now)
                report.failed += 1
            break
    return report


def _send_one(client: CircleClient, item: OutboxItem, now: dt.datetime) -> ApiError | None:
    with transaction.atomic():
        OutboxItem.objects.filter(pk=item.pk).update(last_attempt_at=now)
        if item.op == PUT:
            # From now on the server may hold it, even if the answer never arrives.
            Share.objects.filter(local_id=item.local_id).update(ever_sent=True)
            if item.endpoint == OutboxItem.Endpoint.POSTS:
                _record_sent_post(item.local_id)
    try:
        if item.op == PUT:
            answer: dict[str, Any] = client.put(item.endpoint, item.local_id, item.payload)
        else:
            client.delete(item.endpoint, item.local_id)
            answer = {}
    except ApiError as exc:
        _record_failure(item, exc, now)
        return exc
    _record_success(item, answer, now)
    return None


def _record_sent_post(local_id: str) -> None:
    """Remember where this post's comments belong, for as long as the connection lasts."""
    share = Share.objects.filter(local_id=local_id).first()
    circle_id: int | None
    if share is not None:
        entry_id, circle_id = share.object_id, share.circle_id
    else:
        parsed = parse_local_id(local_id)
        if parsed is None:
            return
        _kind, entry_id, circle_id = parsed
    SentPost.objects.update_or_create(
        local_id=local_id, defaults={"entry_id": entry_id, "circle_id": circle_id})


@transaction.atomic
def _record_success(item: OutboxItem, answer: dict[str, Any], now: dt.datetime) -> None:
    # Only this revision is done: a newer version queued meanwhile still goes out.
    OutboxItem.objects.filter(pk=item.pk, revision=item.revision).delete()
    if item.op == PUT:
        url = answer.get("url")
        fields: dict[str, Any] = {"shared_at": now}
        if isinstance(url, str):
            fields["remote_url"] = url[:500]
        Share.objects.filter(local_id=item.local_id, digest=digest(item.payload)).update(**fields)


def _record_failure(item: OutboxItem, error: ApiError, now: dt.datetime) -> None:
    if error.retryable:
        attempts = item.attempts + 1
        wait = backoff_seconds(attempts, error.retry_after)
        changes: dict[str, Any] = {
            "attempts": attempts,
            "state": OutboxItem.State.PENDING,
            "next_attempt_at": now + dt.timedelta(seconds=wait),
        }
    else:
        changes = {"attempts": item.attempts + 1, "state": OutboxItem.State.FAILED,
                   "next_attempt_at": None}
    changes["last_error"] = error.why[:500]
    changes["last_status"] = error.status
    OutboxItem.objects.filter(pk=item.pk, revision=item.revision).update(**changes)
