"""Merge candidates from all sources into one list of episodes, then describe each one.

Candidates whose spans overlap (or start within ``merge_gap_days`` of the previous span's end)
are one episode. The check-ins decide the end and status when they have a say, because a
score back at its level is firmer than a calmer week of writing; the words decide only for
episodes the check-ins did not see. Kind and repair moves come from the markers in the window.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Sequence

from attunement.analysis.episodes_model import (
    Candidate,
    DetectionParams,
    Episode,
    Evidence,
    Kind,
    MarkerEvent,
    RepairMove,
    Status,
    as_date,
    episode_id,
    order_criteria,
)


def cluster(candidates: Sequence[Candidate], gap_days: int) -> list[list[Candidate]]:
    """Group candidates whose spans touch, in order of start."""
    groups: list[list[Candidate]] = []
    reach: dt.date | None = None
    for c in sorted(candidates, key=lambda c: (c.start, c.extent_end)):
        if groups and reach is not None and (c.start - reach).days <= gap_days:
            groups[-1].append(c)
            reach = max(reach, c.extent_end)
        else:
            groups.append([c])
            reach = c.extent_end
    # A group of supporting evidence alone (a shallow pre-session dip) is not an episode.
    return [g for g in groups if any(not c.supporting_only for c in g)]


def _end_and_status(group: list[Candidate]) -> tuple[dt.date | None, Status]:
    """End and status from the strongest source that speaks (check-ins before words)."""
    tier = [c for c in group if c.source == "checkin" and not c.supporting_only]
    tier = tier or [c for c in group if not c.supporting_only]
    if any(c.end is None for c in tier):
        return None, "open"
    return max(c.end for c in tier if c.end is not None), "repaired"


class MarkerIndex:
    """Markers sorted by day, so each episode reads only its own window."""

    def __init__(self, markers: Sequence[MarkerEvent]) -> None:
        pairs = sorted(((as_date(m.date), i) for i, m in enumerate(markers)))
        self.days = [d for d, _ in pairs]
        self.markers = [markers[i] for _, i in pairs]

    def between(self, lo: dt.date, hi: dt.date) -> list[MarkerEvent]:
        """Markers dated lo..hi inclusive."""
        a = bisect.bisect_left(self.days, lo)
        return self.markers[a : bisect.bisect_right(self.days, hi)]


def build_episode(
    group: list[Candidate],
    markers: MarkerIndex,
    session_dates: list[dt.date],
    data_end: dt.date,
    params: DetectionParams,
) -> Episode:
    """One merged episode from a group of candidates."""
    start = min(c.start for c in group)
    criteria = order_criteria({k for c in group for k in c.criteria})
    end, status = _end_and_status(group)
    if end is not None and end < start:
        end = start
    scored = [c for c in group if c.lowest is not None]
    lowest = min((c.lowest for c in scored if c.lowest), key=lambda lo: lo.score, default=None)
    # Depth comes from the V-shaped drop when there is one, so it matches the SD criteria.
    sized = [c for c in group if c.depth_sd is not None]
    sized = [c for c in sized if "sensitive_1sd" in c.criteria] or sized
    deep = max(sized, key=lambda c: c.depth_sd or 0.0, default=None)
    window_end = end or data_end
    lookback = start - dt.timedelta(days=params.kind_lookback_days)
    ep = Episode(
        id=episode_id(start, criteria), start=start, end=end, status=status,
        kind=episode_kind(markers.between(lookback, window_end), start, window_end, params),
        lowest=lowest,
        depth_sd=deep.depth_sd if deep else None,
        depth_points=deep.depth_points if deep else None,
        criteria=criteria, evidence=_evidence(group),
        repair_moves=repair_moves(markers.between(start, window_end), start, window_end),
    )
    set_repair_times(ep, session_dates)
    return ep


def _evidence(group: list[Candidate]) -> list[Evidence]:
    """All evidence of a group, each piece once, in date order."""
    seen: dict[tuple[str, str, dt.date, str, str], Evidence] = {}
    for c in group:
        for e in c.evidence:
            seen.setdefault((e.source, e.id, e.date, e.text, e.note), e)
    return sorted(seen.values(), key=lambda e: (e.date, e.source, e.id))


def episode_kind(
    markers: Sequence[MarkerEvent], start: dt.date, end: dt.date, params: DetectionParams
) -> Kind:
    """Withdrawal, confrontation, mixed or unknown, from rupture markers near the episode.

    Two thirds of the (confidence-weighted) markers on one side name the kind; a smaller
    share of the other side makes it mixed.
    """
    lo = start - dt.timedelta(days=params.kind_lookback_days)
    w = c = 0.0
    for m in markers:
        if m.confidence < params.words_min_confidence or not lo <= as_date(m.date) <= end:
            continue
        if m.label == "withdrawal":
            w += m.confidence
        elif m.label == "confrontation":
            c += m.confidence
    if w + c == 0:
        return "unknown"
    if w >= 2 * c:
        return "withdrawal"
    if c >= 2 * w:
        return "confrontation"
    return "mixed"


def repair_moves(
    markers: Sequence[MarkerEvent], start: dt.date, end: dt.date
) -> list[RepairMove]:
    """Client and therapist repair markers dated from start to end, in date order."""
    moves = [
        RepairMove(as_date(m.date), "client" if m.label == "client_repair" else "therapist",
                   m.subtype or "", m.source_id, m.text)
        for m in markers
        if m.label in ("client_repair", "therapist_repair") and start <= as_date(m.date) <= end
    ]
    return sorted(moves, key=lambda r: (r.date, r.who, r.subtype))


def set_repair_times(ep: Episode, session_dates: list[dt.date]) -> None:
    """Days and sessions from start to repair (sessions held after the start, up to the end)."""
    if ep.end is None or ep.status != "repaired":
        ep.days_to_repair = ep.sessions_to_repair = None
        return
    ep.days_to_repair = (ep.end - ep.start).days
    if session_dates:
        lo = bisect.bisect_right(session_dates, ep.start)
        hi = bisect.bisect_right(session_dates, ep.end)
        ep.sessions_to_repair = max(0, hi - lo)


def merge_candidates(
    candidates: Sequence[Candidate],
    markers: Sequence[MarkerEvent],
    session_dates: list[dt.date],
    *,
    therapy_ended: dt.date | None,
    data_end: dt.date,
    params: DetectionParams,
) -> list[Episode]:
    """Merged, described episodes in date order; open ones become unrepaired if therapy ended."""
    out = []
    index = MarkerIndex(markers)
    for group in cluster(candidates, params.merge_gap_days):
        ep = build_episode(group, index, session_dates, data_end, params)
        if ep.status == "open" and therapy_ended is not None:
            ep.status = "unrepaired"
        out.append(ep)
    return out
