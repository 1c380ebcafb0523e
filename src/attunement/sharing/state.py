"""The state a person sees for a shared item: shared, waiting to send, or failed and why."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone

from attunement.sharing import texts
from attunement.sharing.models import Connection, OutboxItem, Share


@dataclass(frozen=True)
class ItemState:
    """``kind`` is one of private, shared, waiting, failed (for styling and tests)."""

    kind: str
    label: str
    detail: str = ""
    retry_id: int | None = None  # the outbox item "retry now" acts on

    @property
    def text(self) -> str:
        """The whole state as one line, e.g. "waiting to send — failed: …"."""
        return f"{self.label} — {self.detail}" if self.detail else self.label


def at_clock(moment: dt.datetime) -> str:
    """14:05 in the journal's time zone, rounded up: by then the retry has happened."""
    local = timezone.localtime(moment)
    if local.second or local.microsecond:
        local = local.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    return local.strftime("%H:%M")


def describe(share: Share | None, items: Iterable[OutboxItem]) -> ItemState:
    """The state of one local id from its audience and its waiting outbox items."""
    queue = sorted(items, key=lambda i: i.pk)
    if queue:
        head = queue[0]
        if head.state == OutboxItem.State.FAILED:
            return ItemState("failed", texts.STATE_FAILED.format(why=head.last_error),
                             retry_id=head.pk)
        label = texts.STATE_REMOVING if head.op == OutboxItem.Op.DELETE else texts.STATE_WAITING
        if head.last_error and head.next_attempt_at is not None:
            detail = texts.STATE_RETRY.format(why=head.last_error,
                                              at=at_clock(head.next_attempt_at))
            return ItemState("waiting", label, detail, retry_id=head.pk)
        return ItemState("waiting", label, retry_id=head.pk)
    if share is not None and not share.digest:
        return ItemState("waiting", texts.STATE_WAITING)  # built by the next sync pass
    if share is not None:
        return ItemState("shared", texts.STATE_SHARED)
    return ItemState("private", texts.STATE_PRIVATE)


def state_of(local_id: str) -> ItemState:
    share = Share.objects.filter(local_id=local_id).first()
    return describe(share, OutboxItem.objects.filter(local_id=local_id))


def audience(conn: Connection | None, shares: Iterable[Share]) -> str:
    """ "Evening circle and With my therapist" for the shares of one item."""
    if conn is None:
        return ""
    return and_list([conn.circle_name(s.circle_id) for s in shares])


def and_list(names: list[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def overview() -> list[tuple[str, Share | None, ItemState]]:
    """Every shared or waiting item: (local id, its share, its state), newest choice first."""
    shares = {s.local_id: s for s in Share.objects.all()}
    items: dict[str, list[OutboxItem]] = {}
    for item in OutboxItem.objects.order_by("id"):
        items.setdefault(item.local_id, []).append(item)
    ids = sorted(set(shares) | set(items), key=lambda lid: _sort_key(shares.get(lid), lid))
    return [(lid, shares.get(lid), describe(shares.get(lid), items.get(lid, []))) for lid in ids]


def _sort_key(share: Share | None, local_id: str) -> tuple[float, str]:
    when = share.chosen_at.timestamp() if share is not None else float("inf")
    return (-when, local_id)
