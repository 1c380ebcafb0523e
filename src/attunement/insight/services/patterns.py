"""Patterns around ruptures for the journal: events, people, and the analysis's statistics.

The statistics live in :mod:`attunement.analysis.patterns`; this module reads the journal into
its plain inputs and caches the results per change of the inputs and per look-ahead k.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from attunement.analysis import patterns as pat
from attunement.analysis.episodes import Episode
from attunement.insight.services import cache
from attunement.insight.services import episodes as eps
from attunement.insight.services.scope import Scope
from attunement.record.models import Absence, Contact, Entry, FrameItem, Session
from attunement.words.models import SentenceReading

CLOSENESS_CONFIDENCE = 0.7
MAX_K = 60
RELATION_WORDS = {"like": "as like", "unlike": "as unlike", "reminds": "as reminding you of"}


def _local(value: dt.datetime) -> dt.date:
    return timezone.localtime(value).date()


def closeness_days(scope: Scope | None = None) -> list[dt.date]:
    """Days of entries with a sentence of feeling close again (of one part's, with a scope)."""
    readings = SentenceReading.objects.filter(
        label="client_repair", subtype="reconnection", confidence__gte=CLOSENESS_CONFIDENCE
    )
    if scope is not None:
        readings = readings.filter(entry_id__in=scope.entry_ids)
    rows = readings.values_list("entry__written_at", flat=True)
    return sorted({_local(at) for at in rows})


def journal_events(scope: Scope | None = None) -> list[pat.PatternEvent]:
    """Every kind of event of EVENT_KINDS, from the record.

    Contacts, breaks, the frame and sessions happened to everyone; with a part's scope
    only the closeness written about is that part's own.
    """
    E = pat.PatternEvent
    ev = [E(_local(at), "contact_me" if who == "me" else "contact_therapist")
          for at, who in Contact.objects.values_list("at", "initiated_by")]
    for start, end in Absence.objects.values_list("start", "end"):
        ev += [E(start, "absence_start"), E(end, "absence_end")]
    for start, stop in FrameItem.objects.values_list("start", "end"):
        ev += [E(start, "frame_change")] + ([E(stop, "frame_change")] if stop else [])
    cancel = {"cancelled_by_me": "cancel_me", "cancelled_by_therapist": "cancel_therapist"}
    sessions = list(Session.objects.values_list("starts_at", "status"))
    ev += [E(_local(at), cancel[st]) for at, st in sessions if st in cancel]
    ev += pat.frequency_changes([_local(at) for at, st in sessions if st == "held"])
    ev += [E(d, "closeness_session") for d in closeness_days(scope)]
    return sorted(ev, key=lambda e: (e.date, e.kind))


def person_mentions(scope: Scope | None = None) -> list[pat.PersonMention]:
    """Links the writer drew between someone and the therapist, per entry day."""
    from attunement.analysis.readings import read_entry
    from attunement.words.panel import therapist_names

    names = therapist_names()
    out = []
    entries = Entry.objects.all() if scope is None else Entry.objects.filter(
        pk__in=scope.entry_ids)
    for body, at in entries.values_list("body", "written_at").iterator():
        day = _local(at)
        for rel in read_entry(body, therapist_names=names, entry_date=day).relations:
            out.append(pat.PersonMention(day, rel.person, str(rel.relation)))
    return out


def window(episodes: list[Episode], events: list[pat.PatternEvent]) -> tuple[dt.date, dt.date]:
    """The observed time: first to last day with a session, entry, event or episode."""
    days = [e.date for e in events] + [e.start for e in episodes]
    for qs, name in ((Session.objects, "starts_at"), (Entry.objects, "written_at")):
        first, last = qs.order_by(name).first(), qs.order_by("-" + name).first()
        days += [_local(getattr(o, name)) for o in (first, last) if o is not None]
    today = timezone.localdate()
    return (min(days), max(days)) if days else (today, today)


@dataclass
class YearRow:
    """Repair times of the episodes that began in one year."""

    year: int
    n: int
    median_days: float | None
    shortest: int | None
    longest: int | None
    still_open: int


def repair_by_year(episodes: list[Episode]) -> list[YearRow]:
    """Per year: how many repaired, median and range of days to repair, how many still open."""
    years = sorted({e.start.year for e in episodes})
    out = []
    for y in years:
        mine = [e for e in episodes if e.start.year == y]
        days = [e.days_to_repair for e in mine
                if e.status == "repaired" and e.days_to_repair is not None]
        out.append(YearRow(y, len(days), statistics.median(days) if days else None,
                           min(days, default=None), max(days, default=None),
                           sum(e.status != "repaired" for e in mine)))
    return out


def compute(k: int, scope: Scope | None = None) -> dict[str, Any]:
    """Every pattern for the page, with its n (cached per change of the inputs and k).

    With a part's scope: the episodes resting on that part's entries or check-ins, and
    the closeness and people that part wrote about, over the same observed time as the
    whole journal (so the chance rates stay comparable).
    """
    suffix = f":{scope.cache_key}" if scope is not None else ""

    def run() -> dict[str, Any]:
        everyone = eps.decided().episodes
        episodes = everyone if scope is None else [e for e in everyone if scope.keeps(e)]
        events = journal_events(scope)
        span = window(everyone, journal_events() if scope is not None else events)
        starts = [e.start for e in episodes]
        mentions = cache.cached("mentions" + suffix, cache.fingerprint(False),
                                lambda: person_mentions(scope))
        return {
            "k": k, "window": span, "n_episodes": len(episodes),
            "precedence": pat.what_comes_before(events, starts, k_days=k, window=span),
            "trend": pat.repair_time_trend(episodes),
            "years": repair_by_year(episodes),
            "moves": pat.repair_moves_by_outcome(episodes),
            "people": pat.people_near_ruptures(mentions, episodes, days=k, window=span),
            "n_mentions": len(mentions),
        }

    return cache.cached(f"patterns:{k}{suffix}", cache.fingerprint(True), run)


def parse_k(value: str | None, default: int = 7) -> int:
    """The look-ahead in days from a GET parameter, kept between 1 and MAX_K."""
    try:
        k = int(value or default)
    except ValueError:
        return default
    return max(1, min(MAX_K, k))
