"""Rupture–repair episodes from check-ins and from the words, merged into one list.

The public entry points:

- :func:`detect_episodes` — ratings (and optionally marker sentences) in, episodes out.
- :func:`episodes_from_csv` — the JSON-ready list behind `attune episodes --from-csv FILE`.
- :func:`apply_decisions` — the user's confirm / dismiss / edit / merge / split choices,
  re-applied after every re-analysis (see :mod:`attunement.analysis.episodes_decisions`).

Criteria and their sources are in docs/research.md ("Episodes"). Nothing here imports Django.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Sequence
from typing import Any

from attunement.analysis.episodes_checkin import checkin_candidates, layout
from attunement.analysis.episodes_csv import EpisodeCsvError, parse_ratings_csv, read_text
from attunement.analysis.episodes_decisions import (
    Confirm,
    Decided,
    Decision,
    Dismiss,
    Edit,
    Merge,
    Split,
    apply_decisions,
)
from attunement.analysis.episodes_merge import merge_candidates
from attunement.analysis.episodes_model import (
    Candidate,
    DetectionParams,
    Episode,
    Evidence,
    Instrument,
    Lowest,
    MarkerEvent,
    Rating,
    RepairMove,
    as_date,
)
from attunement.analysis.episodes_words import words_candidates

__all__ = [
    "Confirm",
    "Decided",
    "Decision",
    "DetectionParams",
    "Dismiss",
    "Edit",
    "Episode",
    "EpisodeCsvError",
    "Evidence",
    "Instrument",
    "Lowest",
    "MarkerEvent",
    "Merge",
    "Rating",
    "RepairMove",
    "Split",
    "apply_decisions",
    "detect_episodes",
    "episodes_from_csv",
    "infer_instrument",
]


def infer_instrument(ratings: Sequence[Rating]) -> Instrument:
    """A stand-in scale when none is given: from 0 (or the lowest score) to the highest score."""
    scores = [r.score for r in ratings if r.valid_score]
    scores += [r.pre_score for r in ratings
               if r.pre_score is not None and math.isfinite(r.pre_score)]
    if not scores:
        return Instrument(0.0, 1.0)
    lo, hi = min(0.0, min(scores)), max(scores)
    return Instrument(lo, hi if hi > lo else lo + 1.0)


def detect_episodes(
    ratings: Sequence[Rating],
    markers: Sequence[MarkerEvent] = (),
    *,
    instrument: Instrument | None = None,
    therapy_ended: dt.date | None = None,
    entry_dates: Sequence[dt.date | dt.datetime] | None = None,
    params: DetectionParams | None = None,
) -> list[Episode]:
    """Episodes from a check-in series and marker sentences, merged, in date order."""
    params = params or DetectionParams()
    instrument = instrument or infer_instrument(ratings)
    series = layout(ratings)
    candidates: list[Candidate] = []
    if ratings:
        candidates += checkin_candidates(series, instrument, params)
    if markers:
        candidates += words_candidates(markers, entry_dates, params)
    days = [*series.dates, *(as_date(m.date) for m in markers)]
    if not candidates or not days:
        return []
    return merge_candidates(
        candidates, markers, series.dates, therapy_ended=therapy_ended,
        data_end=max(days), params=params,
    )


def episodes_from_csv(
    path_or_text: str | os.PathLike[str],
    *,
    instrument: Instrument | None = None,
    therapy_ended: dt.date | None = None,
    params: DetectionParams | None = None,
) -> list[dict[str, Any]]:
    """Episodes of a CSV check-in series as JSON-ready dicts; raises EpisodeCsvError on bad rows."""
    ratings, problems = parse_ratings_csv(read_text(path_or_text))
    if problems:
        raise EpisodeCsvError(problems)
    found = detect_episodes(
        ratings, instrument=instrument, therapy_ended=therapy_ended, params=params
    )
    return [ep.summary() for ep in found]
