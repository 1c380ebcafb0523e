"""Hold: moments of connection in the writer's own words, search by meaning, the home card.

Moments are sentences of feeling close again (``client_repair`` / ``reconnection``, high
confidence), check-ins with a high bond score, and entries starred with "hold this".
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone

from attunement.checkins.models import Checkin
from attunement.insight.models import HoldSnooze, SentenceVector
from attunement.insight.services import episodes as eps
from attunement.insight.services import vectors
from attunement.insight.services.scope import Scope
from attunement.record.models import Entry
from attunement.words.models import SentenceReading

MOMENT_CONFIDENCE = 0.7
HIGH_BOND = 0.875  # share of the bond scale's range: 4.5 on a 1-5 scale
CONTEXT_CHARS = 160
MIN_SIMILARITY = 0.15
SNOOZE = dt.timedelta(days=1)
SCOPED_WIDENING = 20  # a part's search looks this many times further, then keeps its own


@dataclass
class Moment:
    """A moment of connection, or a search hit: the words, when, and where they live."""

    date: dt.date
    text: str
    source: str  # "sentence" | "checkin" | "starred"
    href: str
    before: str = ""
    after: str = ""
    score: float | None = None
    why: str = ""


def _local(value: dt.datetime) -> dt.date:
    return timezone.localtime(value).date()


def _around(body: str, start: int, end: int) -> tuple[str, str]:
    """A little of the entry before and after a sentence, cut at word boundaries."""
    lo, hi = max(0, start - CONTEXT_CHARS), min(len(body), end + CONTEXT_CHARS)
    before, after = body[lo:start], body[end:hi]
    if lo > 0:
        before = "…" + before.split(" ", 1)[-1]
    if hi < len(body):
        after = after.rsplit(" ", 1)[0] + "…"
    return before.lstrip(), after.rstrip()


def sentence_moments(scope: Scope | None = None) -> list[Moment]:
    """Sentences of feeling close again, with a little context (one part's, with a scope)."""
    rows = SentenceReading.objects.filter(label="client_repair", subtype="reconnection",
                                          confidence__gte=MOMENT_CONFIDENCE)
    if scope is not None:
        rows = rows.filter(entry_id__in=scope.entry_ids)
    rows = rows.select_related("entry").order_by("entry__written_at", "index")
    out = []
    for r in rows:
        b, a = _around(r.entry.body, r.start, r.end)
        out.append(Moment(_local(r.entry.written_at), r.text, "sentence",
                          f"/entries/{r.entry_id}/#s{r.index}", b, a, why="feeling close again"))
    return out


def checkin_moments(scope: Scope | None = None) -> list[Moment]:
    """Check-ins where the bond was scored near the top (one part's, with a scope)."""
    lo, hi = _bond_range()
    cut = lo + HIGH_BOND * (hi - lo)
    out = []
    checkins = Checkin.objects.filter(timing="post")
    if scope is not None:
        checkins = checkins.filter(pk__in=scope.checkin_ids)
    for c in checkins.order_by("completed_at"):
        bond = (c.subscales or {}).get("bond")
        if isinstance(bond, int | float) and bond >= cut:
            words = c.note.strip() or "After the session you rated the bond near the top."
            out.append(Moment(_local(c.completed_at), words, "checkin", f"/checkins/{c.pk}/",
                              score=float(bond), why=f"bond {bond:g} of {hi:g}"))
    return out


def _bond_range() -> tuple[float, float]:
    from attunement.checkins import services as checkin_services

    try:
        inst = checkin_services.get_instrument(checkin_services.DEFAULT_POST)
        lo, hi = inst.score_range("bond")
        return float(lo), float(hi)
    except Exception:
        return 1.0, 5.0


def starred_moments(scope: Scope | None = None) -> list[Moment]:
    """Entries the writer starred with "hold this" (one part's, with a scope)."""
    entries = Entry.objects.filter(starred=True)
    if scope is not None:
        entries = entries.filter(pk__in=scope.entry_ids)
    return [Moment(_local(e.written_at), _opening(e.body), "starred", f"/entries/{e.pk}/",
                   why=f"you held this: {e}")
            for e in entries.order_by("written_at")]


def _opening(body: str, limit: int = 280) -> str:
    text = re.sub(r"\s+", " ", body).strip()
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"


def moments(scope: Scope | None = None) -> list[Moment]:
    """Every moment of connection, oldest first (those one part wrote, with a scope)."""
    found = sentence_moments(scope) + checkin_moments(scope) + starred_moments(scope)
    return sorted(found, key=lambda m: (m.date, m.source))


def search_meaning(query: str, k: int = 10, scope: Scope | None = None) -> list[Moment]:
    """Sentences closest in meaning to the query, with context and date.

    With a part's scope, only sentences of the entries that part wrote: a wider net
    is cast, then narrowed to those, so the part still gets up to k of its own.
    """
    from attunement.analysis.embed import embed

    query = query.strip()[:500]
    if not query:
        return []
    vectors.ensure_vectors()
    wide = k if scope is None else k * SCOPED_WIDENING
    hits = [(pk, s) for pk, s in vectors.nearest(embed([query])[0], wide) if s >= MIN_SIMILARITY]
    rows = SentenceVector.objects.select_related("entry").in_bulk([pk for pk, _ in hits])
    out: list[Moment] = []
    for pk, sim in hits:
        r = rows.get(pk)
        if r is None or (scope is not None and r.entry_id not in scope.entry_ids):
            continue
        if len(out) == k:
            break
        b, a = _around(r.entry.body, r.start, r.end)
        out.append(Moment(_local(r.entry.written_at), r.text, "sentence",
                          f"/entries/{r.entry_id}/#s{r.index}", b, a, score=sim))
    return out


def search_words(query: str, limit: int = 20, scope: Scope | None = None) -> list[Moment]:
    """Sentences containing every word of the query, newest first (one part's, with a scope)."""
    words = [w for w in re.findall(r"\w+", query.lower()) if len(w) > 1][:8]
    if not words:
        return []
    cond = Q()
    for w in words:
        cond &= Q(text__icontains=w)
    if scope is not None:
        cond &= Q(entry_id__in=scope.entry_ids)
    rows = (SentenceReading.objects.filter(cond).select_related("entry")
            .order_by("-entry__written_at", "index")[:limit])
    out = []
    for r in rows:
        b, a = _around(r.entry.body, r.start, r.end)
        out.append(Moment(_local(r.entry.written_at), r.text, "sentence",
                          f"/entries/{r.entry_id}/#s{r.index}", b, a))
    return out


# ---- the home-page card --------------------------------------------------------------------


def spread(items: list[Moment], n: int = 3, day: dt.date | None = None) -> list[Moment]:
    """n moments from different times: one from each of n stretches, changing day by day."""
    items = sorted(items, key=lambda m: m.date)
    if len(items) <= n:
        return items
    seed = (day or timezone.localdate()).toordinal()
    bounds = [round(i * len(items) / n) for i in range(n + 1)]
    picks = []
    for i in range(n):
        part = items[bounds[i] : bounds[i + 1]]
        picks.append(part[(seed + i) % len(part)])
    return picks


def snoozed(now: dt.datetime | None = None) -> bool:
    """Whether the writer said "not now" within the last day."""
    return HoldSnooze.objects.filter(until__gt=now or timezone.now()).exists()


def not_now(now: dt.datetime | None = None) -> None:
    """Remember "not now" for a day."""
    now = now or timezone.now()
    HoldSnooze.objects.filter(until__lte=now).delete()
    HoldSnooze.objects.create(until=now + SNOOZE)


def card_context(request: Any = None) -> dict[str, Any]:
    """Context for the home card: {"hold_card": [three moments]} during an open episode."""
    if snoozed():
        return {"hold_card": []}
    open_eps = eps.open_episodes()
    if not open_eps:
        return {"hold_card": []}
    began = min(e.start for e in open_eps)
    found = [m for m in moments() if m.source != "checkin"]
    earlier = [m for m in found if m.date < began] or found
    # The writer's own words of closeness first; a starred entry's opening lines may be
    # about anything, so they only fill in when there are too few of those.
    close = [m for m in earlier if m.source == "sentence"]
    if len(close) >= 3:
        return {"hold_card": spread(close, 3)}
    return {"hold_card": spread(earlier, 3)}
