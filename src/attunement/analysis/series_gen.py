"""Synthetic alliance series with known injected dips, to test and benchmark episode detection.

A series is the person's level plus session noise (both in units of ``sd``, the scale's
between-person SD, which is also passed to the detector as the instrument's SD), clipped to the
scale, optionally rounded, with some sessions unrated. Dips are V-shaped: a decline over 1–4
sessions to the lowest point, then a sudden return (the two shapes Gumz et al. 2012 found most).

``depth_sd`` is the *realised* depth: the lowest score lies exactly that many SD below the
person's visible level, so "a 2-SD dip" means what the criterion means by it. The declining
sessions before it carry noise. Dips are spaced so the baseline before each one is clean.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from attunement.analysis.episodes_model import Episode, Instrument, Rating

_LENGTH_WEIGHTS = (0.5, 0.2, 0.15, 0.15)  # single-session V-shapes are the most common


@dataclass(frozen=True)
class InjectedDip:
    """One dip put into a series: positions, dates and realised depth."""

    start: int
    low: int
    end: int  # first position back at level
    depth_sd: float
    start_date: dt.date
    low_date: dt.date
    end_date: dt.date


@dataclass
class GeneratedSeries:
    """A generated series, the dips in it and the instrument it pretends to be."""

    ratings: list[Rating]
    dips: list[InjectedDip]
    instrument: Instrument
    level: float
    sd: float
    dates: list[dt.date] = field(default_factory=list)


def session_dates(n: int, per_week: int, start: dt.date) -> list[dt.date]:
    """n session dates at per_week sessions a week (Mon/Wed/Fri pattern for three)."""
    weekdays = {1: (0,), 2: (0, 3), 3: (0, 2, 4), 4: (0, 1, 3, 4), 5: (0, 1, 2, 3, 4)}[per_week]
    monday = start - dt.timedelta(days=start.weekday())
    return [monday + dt.timedelta(days=7 * (i // per_week) + weekdays[i % per_week])
            for i in range(n)]


def generate_series(
    n_sessions: int = 120,
    *,
    seed: int = 0,
    scale: tuple[float, float] = (1.0, 7.0),
    sd: float = 1.0,
    noise: float = 0.35,
    level: float | None = None,
    ceiling: bool = False,
    dips: bool = True,
    depth_range: tuple[float, float] = (1.0, 3.0),
    min_gap: int = 14,
    missing_rate: float = 0.05,
    step: float | None = None,
    per_week: int = 3,
    start: dt.date = dt.date(2020, 1, 6),
) -> GeneratedSeries:
    """A seeded series: level + noise×sd, clipped, with V-shaped dips (depths in SD units)."""
    rng = np.random.default_rng(seed)
    lo, hi = scale
    if level is None:
        level = hi - 0.1 * sd if ceiling else lo + 0.7 * (hi - lo)
    values = level + noise * sd * rng.standard_normal(n_sessions)
    injected = _inject(values, rng, level, sd, depth_range, min_gap) if dips else []
    values = np.clip(values, lo, hi)
    if step:
        values = np.round(values / step) * step
    in_dip = {j for d in injected for j in range(d[0], d[2])}
    unrated = (rng.random(n_sessions) < missing_rate) & ~np.isin(
        np.arange(n_sessions), list(in_dip))
    dates = session_dates(n_sessions, per_week, start)
    ratings = [
        Rating(dates[i], float("nan") if unrated[i] else float(values[i]),
               session_id=f"s{i}", missing=bool(unrated[i]))
        for i in range(n_sessions)
    ]
    dip_list = [InjectedDip(s, low, e, depth, dates[s], dates[low], dates[min(e, n_sessions - 1)])
                for s, low, e, depth in injected]
    return GeneratedSeries(ratings, dip_list, Instrument(lo, hi, 0.9, sd), level, sd, dates)


def _inject(
    values: np.ndarray, rng: np.random.Generator, level: float, sd: float,
    depth_range: tuple[float, float], min_gap: int,
) -> list[tuple[int, int, int, float]]:
    """Write dips into values in place; returns (start, low, end, depth) per dip."""
    out = []
    pos = min_gap + int(rng.integers(0, 6))
    while True:
        length = int(rng.choice(len(_LENGTH_WEIGHTS), p=_LENGTH_WEIGHTS)) + 1
        if pos + length + 2 >= len(values):
            break
        depth = float(rng.uniform(*depth_range))
        for j in range(length):
            values[pos + j] -= depth * sd * (j + 1) / length
        low = pos + length - 1
        values[low] = level - depth * sd  # realised depth: the low point carries no noise
        out.append((pos, low, pos + length, depth))
        pos += length + min_gap + int(rng.integers(0, 10))
    return out


@dataclass(frozen=True)
class Score:
    """How found episodes line up with injected dips."""

    true_pos: int
    false_pos: int
    missed: int

    @property
    def precision(self) -> float:
        """Share of found episodes that are real dips (1.0 when nothing was found)."""
        found = self.true_pos + self.false_pos
        return self.true_pos / found if found else 1.0

    @property
    def recall(self) -> float:
        """Share of real dips that were found (1.0 when there were none)."""
        real = self.true_pos + self.missed
        return self.true_pos / real if real else 1.0


def score_detection(
    episodes: Sequence[Episode], dips: Sequence[InjectedDip], *, slack_days: int = 3
) -> Score:
    """Match episodes to dips one-to-one by overlapping dates (with a little slack at the start)."""
    used: set[int] = set()
    tp = 0
    for d in dips:
        lo = d.start_date - dt.timedelta(days=slack_days)
        for k, ep in enumerate(episodes):
            last = ep.lowest.date if ep.lowest else ep.start
            if k not in used and ep.start <= d.low_date and last >= lo:
                used.add(k)
                tp += 1
                break
    return Score(tp, len(episodes) - len(used), len(dips) - tp)
