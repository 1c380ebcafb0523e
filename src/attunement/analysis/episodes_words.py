"""Candidate episodes from the words: weeks with more rupture sentences than the person's usual.

Rupture sentences (withdrawal and confrontation markers) are counted per ISO week. A week is
*raised* when its count is at least ``words_min_count`` and a one-sided Poisson test against the
person's own rate in all *other* weeks gives p < ``words_alpha``. The rate is per entry when
entry dates are given (people write more in some weeks), else per week. Consecutive raised weeks
make one candidate. It ends at the first reconnecting sentence after the run, or when two weeks
of writing in a row are back at the usual rate; otherwise it stays open.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
from collections import Counter
from collections.abc import Sequence

import numpy as np
from scipy.stats import poisson

from attunement.analysis.episodes_model import (
    RUPTURE_LABELS,
    Candidate,
    DetectionParams,
    Evidence,
    MarkerEvent,
    as_date,
)


def week_of(day: dt.date) -> dt.date:
    """The Monday that starts the ISO week of day."""
    return day - dt.timedelta(days=day.weekday())


def raised_weeks(
    markers: Sequence[MarkerEvent],
    entry_dates: Sequence[dt.date | dt.datetime] | None,
    params: DetectionParams,
) -> tuple[list[dt.date], set[dt.date]]:
    """All weeks with writing (sorted) and the ones above the person's own base rate."""
    counts = Counter(week_of(as_date(m.date)) for m in _rupture_markers(markers, params))
    if entry_dates:
        exposure = Counter(week_of(as_date(d)) for d in entry_dates)
    else:
        days = [as_date(m.date) for m in markers]
        exposure = _every_week(min(days), max(days)) if days else Counter()
    for w in counts:  # a marker implies an entry, even if the caller's list missed it
        exposure[w] = max(exposure[w], 1)
    weeks = sorted(exposure)
    if len(weeks) < params.words_min_weeks:
        return weeks, set()
    c = np.array([counts.get(w, 0) for w in weeks], dtype=float)
    e = np.array([exposure[w] for w in weeks], dtype=float)
    # Leave-one-out rate: a burst must not raise its own yardstick.
    rate = (c.sum() - c) / np.maximum(e.sum() - e, 1e-9)
    p = poisson.sf(c - 1, np.maximum(rate * e, 1e-9))
    hot = (c >= params.words_min_count) & (p < params.words_alpha)
    return weeks, {w for w, h in zip(weeks, hot, strict=True) if h}


def _every_week(first: dt.date, last: dt.date) -> Counter[dt.date]:
    """Exposure of one for every week from first to last."""
    out: Counter[dt.date] = Counter()
    w = week_of(first)
    while w <= last:
        out[w] = 1
        w += dt.timedelta(days=7)
    return out


def _rupture_markers(markers: Sequence[MarkerEvent], params: DetectionParams) -> list[MarkerEvent]:
    return [
        m for m in markers
        if m.label in RUPTURE_LABELS and m.confidence >= params.words_min_confidence
    ]


def words_candidates(
    markers: Sequence[MarkerEvent],
    entry_dates: Sequence[dt.date | dt.datetime] | None,
    params: DetectionParams,
) -> list[Candidate]:
    """Candidate episodes from runs of raised weeks, with their sentences as evidence."""
    weeks, hot = raised_weeks(markers, entry_dates, params)
    if not hot:
        return []
    ruptures = sorted(((as_date(m.date), m) for m in _rupture_markers(markers, params)),
                      key=lambda pair: pair[0])
    rupture_days = [d for d, _ in ruptures]
    reconnect = sorted(
        as_date(m.date) for m in markers
        if m.label == "client_repair" and m.confidence >= params.words_min_confidence
    )
    out = []
    for run in _runs(weeks, hot):
        last_day = run[-1] + dt.timedelta(days=6)
        lo = bisect.bisect_left(rupture_days, run[0])
        inside = ruptures[lo : bisect.bisect_right(rupture_days, last_day)]
        ev = [Evidence("entry", m.source_id, d, text=m.text,
                       note=m.label + (f" ({m.subtype})" if m.subtype else ""))
              for d, m in inside]
        end = _words_end(weeks, hot, run, last_day, reconnect)
        out.append(Candidate("entry", ["words"], inside[0][0], end, evidence=ev,
                             last_seen=inside[-1][0]))
    return out


def _runs(weeks: list[dt.date], hot: set[dt.date]) -> list[list[dt.date]]:
    """Consecutive raised weeks (calendar-adjacent) grouped together."""
    runs: list[list[dt.date]] = []
    for w in sorted(hot):
        if runs and (w - runs[-1][-1]).days == 7:
            runs[-1].append(w)
        else:
            runs.append([w])
    return runs


def _words_end(
    weeks: list[dt.date], hot: set[dt.date], run: list[dt.date], last_day: dt.date,
    reconnect: list[dt.date],
) -> dt.date | None:
    """First reconnecting sentence after the run, or the second calm week of writing."""
    first_reconnect = next((d for d in reconnect if d > last_day), None)
    calm = [w for w in weeks if w > run[-1]]
    settled = None
    for a, b in itertools.pairwise(calm):
        if a in hot:
            break
        if b not in hot and (b - a).days == 7:
            settled = b
            break
    options = [d for d in (first_reconnect, settled) if d is not None]
    return min(options) if options else None
