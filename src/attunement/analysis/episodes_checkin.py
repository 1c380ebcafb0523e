"""Candidate episodes from check-ins: score drops, sudden losses, rupture items, pre-session dips.

Pre-session ratings form their own series with their own level: alliance tends to fall
between sessions (Zlotnick et al. 2020), so a post(n) → pre(n+1) fall is expected and is
never a rupture by itself. A pre-session score far below the person's usual *pre-session*
level is: it backs a post-session drop as evidence, and alone (at the strict depth) it marks a
rupture that began between sessions, repaired in the session if the post score is back at level.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from attunement.analysis.episodes_model import (
    Candidate,
    DetectionParams,
    Evidence,
    Instrument,
    Lowest,
    Rating,
    as_date,
    sort_key,
)
from attunement.analysis.episodes_series import (
    Drop,
    find_drops,
    loss_recovery,
    reliable_change,
    rolling_baseline,
    spread_floor,
    sudden_losses,
)


@dataclass(frozen=True)
class Series:
    """Ratings laid out by session position (sorted by date)."""

    ratings: list[Rating]
    dates: list[dt.date]
    post: np.ndarray
    pre: np.ndarray

    def sid(self, i: int) -> str:
        """The session id of position i (or its date when no id was given)."""
        return self.ratings[i].session_id or self.dates[i].isoformat()


def layout(ratings: Sequence[Rating]) -> Series:
    """Sort ratings by date and pull out the post- and pre-session score arrays."""
    rs = sorted(ratings, key=lambda r: sort_key(r.date))
    post = np.array([r.score if r.valid_score else math.nan for r in rs], dtype=float)
    pre = np.array(
        [
            r.pre_score
            if (not r.missing and r.pre_score is not None and math.isfinite(r.pre_score))
            else math.nan
            for r in rs
        ],
        dtype=float,
    )
    return Series(rs, [as_date(r.date) for r in rs], post, pre)


def checkin_candidates(
    s: Series, instrument: Instrument, params: DetectionParams
) -> list[Candidate]:
    """All candidates the check-ins give: drops, sudden losses, rupture items, pre-session dips."""
    floor = spread_floor(instrument, params)
    level, spread = rolling_baseline(s.post, params, floor)
    out = [_drop_candidate(s, d, params) for d in find_drops(s.post, level, spread, params)]
    out += _loss_candidates(s, level, spread, instrument, params)
    out += self_report_candidates(s, params)
    if np.sum(~np.isnan(s.pre)) >= params.min_valid:
        out += _pre_candidates(s, floor, level, spread, params)
    return out


def _drop_candidate(s: Series, d: Drop, params: DetectionParams) -> Candidate:
    """A V-shaped drop as a candidate, with the criteria its depth meets."""
    criteria = ["sensitive_1sd"]
    if d.depth_sd >= params.strict_sd:
        criteria.insert(0, "strict_2sd")
    ev = [
        Evidence(
            "checkin", s.sid(j), s.dates[j], score=float(s.post[j]),
            note=f"after-session score {s.post[j]:.4g}; usual level {d.level:.4g}",
        )
        for j in range(d.start, d.last_low + 1)
        if not math.isnan(s.post[j])
    ]
    end = s.dates[d.recovered_at] if d.recovered_at is not None else None
    if d.recovered_at is not None:
        j = d.recovered_at
        ev.append(Evidence("checkin", s.sid(j), s.dates[j], score=float(s.post[j]),
                           note="back near the usual level"))
    return Candidate(
        "checkin", criteria, s.dates[d.start], end,
        lowest=Lowest(s.dates[d.low], float(s.post[d.low])),
        depth_sd=d.depth_sd, depth_points=d.depth_points, evidence=ev,
        last_seen=s.dates[d.last_low],
    )


def _loss_candidates(
    s: Series, level: np.ndarray, spread: np.ndarray, instrument: Instrument,
    params: DetectionParams,
) -> list[Candidate]:
    """Sudden losses (n → n+1), each followed to its recovery back to the pre-loss mean."""
    cutoff = reliable_change(instrument, s.post)
    out = []
    for n in sudden_losses(s.post, cutoff, instrument.min):
        pre_mean = float(np.nanmean(s.post[max(0, n - 2): n + 1]))
        sp = float(spread[n + 1]) if not math.isnan(spread[n + 1]) else 1.0
        low, rec = loss_recovery(s.post, n, pre_mean, sp, params)
        depth = pre_mean - float(s.post[low])
        note = f"fell {s.post[n] - s.post[n + 1]:.4g} points in one session (cutoff {cutoff:.3g})"
        ev = [Evidence("checkin", s.sid(n + 1), s.dates[n + 1], score=float(s.post[n + 1]),
                       note=note)]
        out.append(Candidate(
            "checkin", ["sudden_loss"], s.dates[n + 1], s.dates[rec] if rec is not None else None,
            lowest=Lowest(s.dates[low], float(s.post[low])),
            depth_sd=depth / sp, depth_points=depth, evidence=ev, last_seen=s.dates[low],
        ))
    return out


def self_report_candidates(s: Series, params: DetectionParams) -> list[Candidate]:
    """Tension reported in a check-in starts an episode; a high 'resolved' repairs it."""
    out: list[Candidate] = []
    current: Candidate | None = None
    for i, r in enumerate(s.ratings):
        if r.missing and r.tension is None:
            continue  # no score and no rupture items: nothing was said
        if r.tension:
            ev = Evidence("checkin", s.sid(i), s.dates[i], score=_score(r), note=_tension_note(r))
            if current is None:
                current = Candidate("checkin", ["self_report"], s.dates[i], None, evidence=[ev])
            else:
                current.evidence.append(ev)
            current.last_seen = s.dates[i]
            if r.resolved is not None and r.resolved >= params.resolved_high:
                current.end = s.dates[i]
                out.append(current)
                current = None
        elif current is not None and (r.tension is False or r.valid_score):
            # A later completed check-in that reports no tension: the strain has eased.
            current.end = s.dates[i]
            current.evidence.append(Evidence("checkin", s.sid(i), s.dates[i], score=_score(r),
                                             note="no tension reported"))
            out.append(current)
            current = None
    if current is not None:
        out.append(current)
    return out


def _score(r: Rating) -> float | None:
    return float(r.score) if r.valid_score else None


def _tension_note(r: Rating) -> str:
    parts = ["tension reported"]
    if r.intensity is not None:
        parts.append(f"strength {r.intensity} of 5")
    if r.resolved is not None:
        parts.append(f"resolved {r.resolved} of 5")
    return ", ".join(parts)


def _pre_candidates(
    s: Series, floor: float, post_level: np.ndarray, post_spread: np.ndarray,
    params: DetectionParams,
) -> list[Candidate]:
    """Dips in the pre-session series, judged against the person's usual pre-session level."""
    level, spread = rolling_baseline(s.pre, params, floor)
    out = []
    for d in find_drops(s.pre, level, spread, params):
        i = d.start
        stop = d.recovered_at if d.recovered_at is not None else d.last_low
        # Came in far but left near the usual level: repaired within that session.
        back = [j for j in range(i, stop + 1)
                if s.post[j] >= post_level[j] - params.recover_sd * post_spread[j]]
        end_i = back[0] if back else d.recovered_at
        note = f"before-session score {s.pre[d.low]:.4g}; usual before-session level {d.level:.4g}"
        ev = [Evidence("checkin", s.sid(d.low), s.dates[d.low], score=float(s.pre[d.low]),
                       note=note)]
        out.append(Candidate(
            "checkin", ["pre_session"], s.dates[i], s.dates[end_i] if end_i is not None else None,
            depth_sd=None, depth_points=None, evidence=ev, last_seen=s.dates[d.last_low],
            supporting_only=d.depth_sd < params.pre_standalone_sd,
        ))
    return out
