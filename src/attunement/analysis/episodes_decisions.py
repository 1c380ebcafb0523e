"""The user's choices about episodes, re-applied after every re-analysis.

Each decision points at an episode with a :class:`Ref`: its id and the span the user saw.
After a re-analysis the id usually still matches (it hashes the start and criteria); when new
data shifted the start or added a criterion, the decision follows the episode that overlaps
the remembered span most (at least half of the shorter span), or that starts within
``tolerance_days`` of it. Decisions that match nothing come back in ``Decided.unmatched`` so
the page can say so instead of silently dropping them. Decisions apply in order, and merged or
split episodes get ids derived from their parents, so later decisions can point at them.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from attunement.analysis.episodes_merge import set_repair_times
from attunement.analysis.episodes_model import Episode, Kind, Status, episode_id, order_criteria

TOLERANCE_DAYS = 7


@dataclass(frozen=True)
class Ref:
    """Which episode a decision is about: its id and the span the user saw."""

    episode_id: str
    start: dt.date | None = None
    end: dt.date | None = None

    @classmethod
    def of(cls, ep: Episode) -> Ref:
        """A reference to an episode as it is now."""
        return cls(ep.id, ep.start, ep.end)


@dataclass(frozen=True)
class Confirm:
    """The user agrees this was an episode."""

    ref: Ref


@dataclass(frozen=True)
class Dismiss:
    """The user says this was not an episode."""

    ref: Ref


@dataclass(frozen=True)
class Edit:
    """The user corrects the start, end, status or kind (None leaves a field alone)."""

    ref: Ref
    start: dt.date | None = None
    end: dt.date | None = None
    status: Status | None = None
    kind: Kind | None = None


@dataclass(frozen=True)
class Merge:
    """The user says these episodes were one."""

    refs: tuple[Ref, ...]


@dataclass(frozen=True)
class Split:
    """The user says a second episode began on ``at``."""

    ref: Ref
    at: dt.date


Decision = Confirm | Dismiss | Edit | Merge | Split


@dataclass
class Decided:
    """Episodes after the user's decisions, and what could not be applied."""

    episodes: list[Episode]
    dismissed: list[Episode] = field(default_factory=list)
    unmatched: list[Decision] = field(default_factory=list)


def span(ep: Episode) -> tuple[dt.date, dt.date]:
    """First and last day an episode covers (an open one up to its last evidence)."""
    if ep.end is not None:
        return ep.start, max(ep.start, ep.end)
    last = [e.date for e in ep.evidence] + ([ep.lowest.date] if ep.lowest else [])
    return ep.start, max([ep.start, *last])


def find(episodes: Sequence[Episode], ref: Ref, tolerance_days: int = TOLERANCE_DAYS) -> int | None:
    """Index of the episode a reference points at: by id, else by overlap, else by nearby start."""
    for i, ep in enumerate(episodes):
        if ep.id == ref.episode_id:
            return i
    if ref.start is None:
        return None
    r0, r1 = ref.start, max(ref.start, ref.end or ref.start)
    best, best_score = None, 0.0
    for i, ep in enumerate(episodes):
        e0, e1 = span(ep)
        inter = (min(r1, e1) - max(r0, e0)).days + 1
        shorter = min((r1 - r0).days, (e1 - e0).days) + 1
        score = inter / shorter if inter > 0 else 0.0
        if score < 0.5 and abs((e0 - r0).days) <= tolerance_days:
            score = 0.5 - abs((e0 - r0).days) / (100.0 * (tolerance_days + 1))
        if score > best_score:
            best, best_score = i, score
    return best if best_score >= 0.45 else None


def apply_decisions(
    episodes: Sequence[Episode],
    decisions: Sequence[Decision],
    *,
    session_dates: Sequence[dt.date] = (),
    tolerance_days: int = TOLERANCE_DAYS,
) -> Decided:
    """Apply the user's decisions, in order, to a fresh analysis (the input is not changed)."""
    out = Decided(copy.deepcopy(list(episodes)))
    dates = sorted(session_dates)
    for d in decisions:
        if not _apply_one(out, d, dates, tolerance_days):
            out.unmatched.append(d)
    out.episodes.sort(key=lambda e: (e.start, e.id))
    return out


def _apply_one(out: Decided, d: Decision, dates: list[dt.date], tol: int) -> bool:
    """Apply one decision; False when it points at nothing (or makes no sense any more)."""
    if isinstance(d, Merge):
        return _merge(out, d, dates, tol)
    i = find(out.episodes, d.ref, tol)
    if i is None:
        return False
    ep = out.episodes[i]
    if isinstance(d, Confirm):
        ep.confirmed = True
    elif isinstance(d, Dismiss):
        out.dismissed.append(out.episodes.pop(i))
    elif isinstance(d, Edit):
        _edit(ep, d, dates)
    else:
        return _split(out, i, d.at, dates)
    return True


def _edit(ep: Episode, d: Edit, dates: list[dt.date]) -> None:
    ep.start = d.start or ep.start
    if d.end is not None:
        ep.end = max(d.end, ep.start)
        ep.status = d.status or "repaired"
    elif d.status is not None:
        ep.status = d.status
        if d.status == "open":
            ep.end = None
    if ep.end is not None and ep.end < ep.start:
        ep.end = ep.start  # a start moved past the old end: repaired the same day
    ep.kind = d.kind or ep.kind
    ep.edited = ep.confirmed = True
    set_repair_times(ep, dates)


def _merge(out: Decided, d: Merge, dates: list[dt.date], tol: int) -> bool:
    found = {i for r in d.refs if (i := find(out.episodes, r, tol)) is not None}
    if len(found) < 2:
        return False
    parts = [out.episodes[i] for i in sorted(found)]
    statuses = {p.status for p in parts}
    status: Status = "open" if "open" in statuses else (
        "unrepaired" if "unrepaired" in statuses else "repaired")
    ends = [p.end for p in parts if p.end is not None]
    start = min(p.start for p in parts)
    criteria = order_criteria({c for p in parts for c in p.criteria})
    kinds = {p.kind for p in parts} - {"unknown"}
    lowest = min((p.lowest for p in parts if p.lowest), key=lambda lo: lo.score, default=None)
    deep = max(parts, key=lambda p: p.depth_sd or 0.0)
    merged = Episode(
        id=episode_id(start, criteria, "merge:" + ",".join(sorted(r.episode_id for r in d.refs))),
        start=start, end=max(ends) if status == "repaired" and ends else None, status=status,
        kind=kinds.pop() if len(kinds) == 1 else ("mixed" if kinds else "unknown"),
        lowest=lowest, depth_sd=deep.depth_sd, depth_points=deep.depth_points, criteria=criteria,
        evidence=sorted({e for p in parts for e in p.evidence}, key=lambda e: (e.date, e.id)),
        repair_moves=sorted({m for p in parts for m in p.repair_moves}, key=lambda m: m.date),
        confirmed=True, edited=True,
    )
    set_repair_times(merged, dates)
    out.episodes = [e for i, e in enumerate(out.episodes) if i not in found] + [merged]
    return True


def _split(out: Decided, i: int, at: dt.date, dates: list[dt.date]) -> bool:
    ep = out.episodes[i]
    e0, e1 = span(ep)
    if not e0 < at <= e1:
        return False
    before = [e for e in ep.evidence if e.date < at]
    first_end = max((e.date for e in before), default=at - dt.timedelta(days=1))
    salt = f"split:{ep.id}:{at.isoformat()}:"
    first = _part(ep, ep.start, first_end, "repaired", salt + "1")
    second = _part(ep, at, ep.end, ep.status, salt + "2")
    for p in (first, second):
        set_repair_times(p, dates)
    out.episodes[i : i + 1] = [first, second]
    return True


def _part(ep: Episode, start: dt.date, end: dt.date | None, status: Status, salt: str) -> Episode:
    """One side of a split: the evidence, moves and lowest point that fall inside it."""
    last = end or dt.date.max

    def inside(day: dt.date) -> bool:
        return start <= day <= last

    keep_low = ep.lowest is not None and inside(ep.lowest.date)
    return dataclasses.replace(
        ep, id=episode_id(start, ep.criteria, salt), start=start, end=end, status=status,
        evidence=[e for e in ep.evidence if inside(e.date)],
        repair_moves=[m for m in ep.repair_moves if inside(m.date)],
        lowest=ep.lowest if keep_low else None,
        depth_sd=ep.depth_sd if keep_low else None,
        depth_points=ep.depth_points if keep_low else None,
        confirmed=True, edited=True,
    )
