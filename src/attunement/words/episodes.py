"""The journal's rupture–repair episodes: check-ins and stored markers into the detector."""

from __future__ import annotations

import statistics
from typing import Any

from django.utils import timezone

from attunement.checkins.models import Checkin
from attunement.record.models import Session, Therapist
from attunement.words.models import SentenceReading

MIN_MARKER_CONFIDENCE = 0.5


def ratings() -> list[Any]:
    """One rating per post-session check-in, with the pre-session rating of that session."""
    from attunement.analysis.episodes import Rating

    pre = {
        c.session_id: c.alliance
        for c in Checkin.objects.filter(timing="pre", session__isnull=False)
    }
    out = []
    for c in Checkin.objects.filter(timing="post").order_by("completed_at"):
        if c.alliance is None:
            continue
        out.append(
            Rating(
                date=timezone.localtime(c.completed_at).date(),
                score=float(c.alliance),
                pre_score=pre.get(c.session_id),
                tension=c.tension,
                intensity=c.tension_intensity,
                resolved=c.tension_resolved,
                session_id=str(c.session_id or c.pk),
            )
        )
    return out


def marker_events() -> list[Any]:
    """Marker sentences from the entries (rejected ones are already 'none')."""
    from attunement.analysis.episodes import MarkerEvent

    rows = (
        SentenceReading.objects.exclude(label="none")
        .filter(confidence__gte=MIN_MARKER_CONFIDENCE)
        .select_related("entry")
    )
    return [
        MarkerEvent(
            date=timezone.localtime(r.entry.written_at).date(),
            label=r.label,
            subtype=r.subtype or None,
            confidence=r.confidence,
            source_id=f"entry:{r.entry_id}:{r.index}",
            text=r.text,
        )
        for r in rows
    ]


def journal_episodes() -> list[Any]:
    """Detect the episodes of the whole journal."""
    from attunement.analysis.episodes import Instrument, detect_episodes
    from attunement.checkins import services as checkin_services

    ended = Therapist.objects.exclude(ended=None).order_by("-ended").first()
    still_seeing = Therapist.objects.filter(ended=None).exists()
    inst = checkin_services.get_instrument(checkin_services.DEFAULT_POST)
    lo, hi = inst.score_range(inst.alliance if inst.alliance != "total" else "total")
    entry_dates = sorted(
        {
            timezone.localtime(d).date()
            for d in SentenceReading.objects.values_list("entry__written_at", flat=True)
        }
    )
    series = ratings()
    return detect_episodes(
        series,
        marker_events(),
        instrument=Instrument(
            lo, hi, alpha=inst.reliability.alpha or 0.9,
            sd=inst.reliability.sd or own_sd(series), name=inst.id,
        ),
        therapy_ended=None if still_seeing or ended is None else ended.ended,
        entry_dates=entry_dates,
    )


MIN_FOR_OWN_SD = 10


def own_sd(series: list[Any]) -> float | None:
    """The person's own spread over the whole series, when no published SD exists.

    The rolling baseline's spread over a few calm sessions can be tiny, which would
    make every wobble look like several SD; Gumz et al. (2012) advise the stricter of
    within- and between-session variability, and this is the between-session one.
    """
    scores = [r.score for r in series if r.valid_score]
    if len(scores) < MIN_FOR_OWN_SD:
        return None
    return float(statistics.pstdev(scores)) or None


def sessions_count() -> int:
    """Held sessions, for summaries."""
    return Session.objects.filter(status=Session.Status.HELD).count()
