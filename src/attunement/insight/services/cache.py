"""Compute once per change: results cached in memory under a fingerprint of their inputs.

The fingerprint hashes the small tables outright (check-ins, sessions, contacts, the frame,
absences, therapists, decisions: at most a few thousand short rows) and summarises the big
ones by count, largest id and last change (sentence readings, entries). Re-analysis deletes
and re-creates readings, so their ids and times move whenever anything in them changed.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Count, Max, TextField
from django.db.models.functions import Cast

from attunement.checkins.models import Checkin
from attunement.insight.models import EpisodeDecision
from attunement.record.models import Absence, Contact, Entry, FrameItem, Session, Therapist
from attunement.words.models import SentenceReading

T = TypeVar("T")
MAX_ITEMS = 16
_CACHE: OrderedDict[tuple[str, ...], Any] = OrderedDict()
_LOCK = threading.Lock()


def _rows(qs: Any, *fields: str) -> bytes:
    # Cast to text in SQL: hashing needs no dates or JSON parsed, which is most of the cost.
    cols = {f"c{i}": Cast(f, output_field=TextField()) for i, f in enumerate(fields)}
    return repr(list(qs.order_by("pk").values_list(*cols.values()))).encode()


def fingerprint(include_decisions: bool = True) -> str:
    """A digest that changes whenever any input of the analysis changes."""
    h = hashlib.sha256()
    h.update(_rows(Checkin.objects, "pk", "completed_at", "timing", "alliance", "tension",
                   "tension_intensity", "tension_resolved", "session_id"))
    h.update(_rows(Session.objects, "pk", "starts_at", "status"))
    h.update(_rows(Contact.objects, "pk", "at", "initiated_by", "kind"))
    h.update(_rows(Absence.objects, "pk", "start", "end"))
    h.update(_rows(FrameItem.objects, "pk", "start", "end", "text"))
    h.update(_rows(Therapist.objects, "pk", "name", "ended"))
    agg = SentenceReading.objects.aggregate(n=Count("pk"), m=Max("pk"), t=Max("analysed_at"))
    h.update(repr(sorted(agg.items())).encode())
    agg = Entry.objects.aggregate(n=Count("pk"), m=Max("pk"), t=Max("updated_at"))
    h.update(repr(sorted(agg.items())).encode())
    if include_decisions:
        h.update(_rows(EpisodeDecision.objects, "pk", "action", "episode_id", "ref_start",
                       "ref_end", "start", "end", "status", "kind", "split_at", "others"))
    return h.hexdigest()


def cached(name: str, key: str, compute: Callable[[], T]) -> T:
    """The value stored under (database, name, key), computing and keeping it on a miss."""
    full = (str(connection.settings_dict.get("NAME")), name, key)
    with _LOCK:
        if full in _CACHE:
            _CACHE.move_to_end(full)
            return _CACHE[full]  # type: ignore[no-any-return, unused-ignore]
    value = compute()
    with _LOCK:
        _CACHE[full] = value
        while len(_CACHE) > MAX_ITEMS:
            _CACHE.popitem(last=False)
    return value


def clear() -> None:
    """Forget every cached result (tests, and after a lock)."""
    with _LOCK:
        _CACHE.clear()
