"""Episodes from the numbers: V-shaped drops and sudden losses in a check-in series.

The series is one value per session position, NaN where a session has no rating, so that
missing sessions still count as sessions. Each session is judged against the person's own
level (median of the previous sessions) and spread (MAD × 1.4826), never against a norm.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from attunement.analysis.episodes_model import DetectionParams, Instrument

MAD_TO_SD = 1.4826  # makes the MAD estimate the SD of normal data
T_CRIT = {0: 2.776, 1: 3.182, 2: 4.303}  # t (df 4, 3, 2) by missing sessions among six


@dataclass(frozen=True)
class Drop:
    """A run of sessions below the person's level, found in one series."""

    start: int  # session positions
    low: int
    last_low: int
    recovered_at: int | None
    level: float
    spread: float
    depth_sd: float
    depth_points: float


def spread_floor(instrument: Instrument, params: DetectionParams) -> float:
    """The least spread allowed: a share of the scale's range, or the known between-person SD.

    Gumz et al. (2012) advise taking the stricter of within- and between-person variability;
    when the instrument's SD is known it is the between-person value.
    """
    floor = params.spread_floor_frac * instrument.range
    if instrument.sd:
        floor = max(floor, float(instrument.sd))
    return floor


def rolling_baseline(
    x: np.ndarray, params: DetectionParams, floor: float
) -> tuple[np.ndarray, np.ndarray]:
    """Level and spread at each session from the sessions before it (never itself)."""
    n, w = len(x), params.window
    padded = np.concatenate([np.full(w, np.nan), x])
    win = sliding_window_view(padded, w)[:n]
    count = np.sum(~np.isnan(win), axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN windows early on
        level = np.nanmedian(win, axis=1)
        mad = np.nanmedian(np.abs(win - level[:, None]), axis=1)
    for i in np.flatnonzero(count < params.min_valid):
        level[i], mad[i] = _early_baseline(x, int(i), params)
    spread = np.maximum(np.nan_to_num(mad * MAD_TO_SD, nan=0.0), floor)
    return level, spread


def _early_baseline(x: np.ndarray, i: int, params: DetectionParams) -> tuple[float, float]:
    """Early in a series, the surrounding level: the first sessions on both sides, minus i."""
    around = np.delete(x[: params.window + 1], i) if i <= params.window else x[:0]
    around = around[~np.isnan(around)]
    if len(around) < params.min_valid:
        return math.nan, math.nan
    med = float(np.median(around))
    return med, float(np.median(np.abs(around - med)))


def find_drops(
    x: np.ndarray, level: np.ndarray, spread: np.ndarray, params: DetectionParams
) -> list[Drop]:
    """V-shaped drops of at least the sensitive depth, with where they recovered (if they did)."""
    xs, lv, sp = x.tolist(), level.tolist(), spread.tolist()
    n, drops, i = len(xs), [], 0
    while i < n:
        xi, a, s = xs[i], lv[i], sp[i]
        if math.isnan(xi) or math.isnan(a) or xi >= a - params.recover_sd * s:
            i += 1
            continue
        drop = _follow_run(xs, i, a, s, params)
        if drop.depth_sd >= params.sensitive_sd:
            drops.append(drop)
        # Resume after this stretch either way, so one dip is never judged twice.
        i = drop.recovered_at if drop.recovered_at is not None else drop.last_low + 1
    return drops


def _follow_run(xs: list[float], i: int, a: float, s: float, params: DetectionParams) -> Drop:
    """Follow the sessions below level from i until one recovers or the run is too long."""
    threshold = a - params.recover_sd * s
    low = last_low = i
    below, recovered, j = 0, None, i
    while j < len(xs):
        v = xs[j]
        if not math.isnan(v):
            if v >= threshold:
                recovered = j
                break
            below += 1
            last_low = j
            if v < xs[low]:
                low = j
        j += 1
    # A decline longer than max_low that comes back later is still a repair (Gumz 2012
    # saw multi-session declines ending in a sudden repair): only the end of the data
    # leaves it open.
    depth = a - xs[low]
    return Drop(i, low, last_low, recovered, a, s, depth / s, depth)


def reliable_change(instrument: Instrument, x: np.ndarray) -> float:
    """Jacobson–Truax cutoff: 1.96 × SD × √2 × √(1 − α); SD from the person's data if unknown."""
    sd = instrument.sd
    if not sd:
        valid = x[~np.isnan(x)]
        sd = float(np.std(valid, ddof=1)) if len(valid) > 1 else 0.0
    return 1.96 * sd * math.sqrt(2.0) * math.sqrt(max(0.0, 1.0 - instrument.alpha))


def sudden_losses(x: np.ndarray, cutoff: float, scale_min: float) -> list[int]:
    """Positions n where n→n+1 is a sudden loss by the three Tang & DeRubeis rules, adapted.

    Positions outside the series count as missing, as do unrated sessions.
    """
    n = len(x)
    if n < 2:
        return []
    padded = np.concatenate([np.full(2, np.nan), x, np.full(3, np.nan)])
    six = sliding_window_view(padded, 6)[: n - 1]  # row n: x[n-2..n+3]
    pre, post = six[:, :3], six[:, 3:]
    before, after = six[:, 2], six[:, 3]
    drop = before - after
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        n1, n2 = np.sum(~np.isnan(pre), axis=1), np.sum(~np.isnan(post), axis=1)
        m1, m2 = np.nanmean(pre, axis=1), np.nanmean(post, axis=1)
        ss = np.nansum((pre - m1[:, None]) ** 2, axis=1)
        ss += np.nansum((post - m2[:, None]) ** 2, axis=1)
        pooled = np.sqrt(ss / (n1 + n2 - 2))
    missing = 6 - n1 - n2
    t = np.array([T_CRIT.get(int(k), np.nan) for k in missing])
    ok = ~np.isnan(before) & ~np.isnan(after) & ~np.isnan(t)
    crit1 = drop >= cutoff
    crit2 = drop >= 0.25 * (before - scale_min)
    crit3 = (m1 - m2) > t * pooled
    return [int(k) for k in np.flatnonzero(ok & crit1 & crit2 & crit3)]


def loss_recovery(
    x: np.ndarray, n: int, level: float, spread: float, params: DetectionParams
) -> tuple[int, int | None]:
    """For a sudden loss at n→n+1: the lowest position and the recovery position (or None)."""
    threshold = level - params.recover_sd * spread
    low, below = n + 1, 0
    for j in range(n + 1, len(x)):
        v = x[j]
        if math.isnan(v):
            continue
        if j > n + 1 and v >= threshold:
            return low, j
        below += 1
        if v < x[low]:
            low = j
        if below >= params.max_low:
            break
    return low, None
