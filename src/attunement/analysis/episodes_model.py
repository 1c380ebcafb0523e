"""Data shapes for rupture–repair episode detection (plain dataclasses, no Django).

Inputs: :class:`Rating` (one session's check-in), :class:`Instrument` (scale facts used
for the reliable-change cutoff and the spread floor) and :class:`MarkerEvent` (one
sentence the marker classifier labelled). Output: :class:`Episode`. The tuning knobs
live in :class:`DetectionParams`, with the reasons for each default in docs/research.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["repaired", "open", "unrepaired"]
Kind = Literal["withdrawal", "confrontation", "mixed", "unknown"]
SourceKind = Literal["checkin", "entry"]

# Canonical order of criteria, so lists and ids don't depend on detection order.
CRITERIA: tuple[str, ...] = (
    "strict_2sd",
    "sensitive_1sd",
    "sudden_loss",
    "self_report",
    "pre_session",
    "words",
)
RUPTURE_LABELS = ("withdrawal", "confrontation")
REPAIR_LABELS = ("client_repair", "therapist_repair")


def as_date(value: dt.date | dt.datetime) -> dt.date:
    """The calendar day of a date or datetime."""
    return value.date() if isinstance(value, dt.datetime) else value


def sort_key(value: dt.date | dt.datetime) -> dt.datetime:
    """A datetime to sort mixed dates and datetimes (a bare date sorts at midnight)."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    return dt.datetime.combine(value, dt.time())


@dataclass(frozen=True)
class Rating:
    """One session's check-in: the post-session alliance score and the rupture items."""

    date: dt.date | dt.datetime
    score: float = math.nan
    pre_score: float | None = None
    tension: bool | None = None
    intensity: int | None = None  # 1..5, how strong the tension was
    resolved: int | None = None  # 1..5, how far it was resolved by the end
    session_id: str | None = None
    missing: bool = False  # a session held (or due) with no rating

    @property
    def valid_score(self) -> bool:
        """Whether this rating carries a usable post-session score."""
        return not self.missing and self.score is not None and math.isfinite(self.score)


@dataclass(frozen=True)
class Instrument:
    """What the detector needs to know about the scale the scores come from."""

    min: float
    max: float
    alpha: float = 0.90  # internal consistency; 0.90 is the worked example in RESEARCH §3
    sd: float | None = None  # between-person SD if published; else the person's own is used
    name: str = ""

    @property
    def range(self) -> float:
        """Width of the scale."""
        return float(self.max - self.min)


@dataclass(frozen=True)
class MarkerEvent:
    """One sentence the marker classifier labelled, with where it came from."""

    date: dt.date | dt.datetime
    label: str  # withdrawal | confrontation | client_repair | therapist_repair
    subtype: str | None = None
    confidence: float = 1.0
    source_id: str = ""
    text: str = ""


@dataclass(frozen=True)
class DetectionParams:
    """Tuning knobs for detection; each default is explained in docs/research.md."""

    window: int = 12  # previous sessions that make the person's level and spread
    min_valid: int = 4  # fewer valid sessions than this and the level is not trusted
    sensitive_sd: float = 1.0
    strict_sd: float = 2.0
    recover_sd: float = 0.5  # back within this many SD of the pre-drop level = recovered
    max_decline: int = 6  # Gumz 2012: declines lasted up to 6 sessions
    recovery_window: int = 3  # sessions allowed after the decline to come back
    spread_floor_frac: float = 0.05  # spread never below 5 % of the scale's range
    resolved_high: int = 4  # PSQ "resolved" of 4 or 5 = repaired within the session
    pre_standalone_sd: float = 2.0  # a pre-session dip alone must be this deep
    words_alpha: float = 0.01  # one-sided Poisson test per week
    words_min_count: int = 3  # never an episode from fewer rupture sentences in a week
    words_min_confidence: float = 0.5
    words_min_weeks: int = 4  # weeks of writing needed before a base rate means anything
    merge_gap_days: int = 3  # candidates this close are one episode
    kind_lookback_days: int = 7  # markers this long before the start still tell the kind

    @property
    def max_low(self) -> int:
        """Most sessions an episode may stay below level before it counts as open."""
        return self.max_decline + self.recovery_window


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence for an episode, with its source."""

    source: SourceKind
    id: str
    date: dt.date
    text: str = ""
    score: float | None = None
    note: str = ""


@dataclass(frozen=True)
class RepairMove:
    """A repair move seen during an episode (client's or therapist's)."""

    date: dt.date
    who: Literal["client", "therapist"]
    subtype: str
    source_id: str
    text: str


@dataclass(frozen=True)
class Lowest:
    """The lowest post-session score of an episode."""

    date: dt.date
    score: float


@dataclass
class Candidate:
    """One source's guess at an episode, before merging."""

    source: SourceKind
    criteria: list[str]
    start: dt.date
    end: dt.date | None
    lowest: Lowest | None = None
    depth_sd: float | None = None
    depth_points: float | None = None
    evidence: list[Evidence] = field(default_factory=list)
    supporting_only: bool = False  # kept only if it overlaps a stronger candidate
    last_seen: dt.date | None = None  # latest evidence date, for open candidates' extent

    @property
    def extent_end(self) -> dt.date:
        """Last day this candidate covers (its end, or its last evidence when open)."""
        if self.end is not None:
            return self.end
        return self.last_seen or (self.lowest.date if self.lowest else self.start)


def episode_id(start: dt.date, criteria: list[str], salt: str = "") -> str:
    """Stable id from the start day and the criteria met (and a salt for user-made ones)."""
    raw = f"{start.isoformat()}|{','.join(sorted(criteria))}|{salt}"
    return hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()[:12]


def order_criteria(criteria: set[str] | list[str]) -> list[str]:
    """Criteria in canonical order (unknown names last, sorted)."""
    known = [c for c in CRITERIA if c in criteria]
    return known + sorted(c for c in criteria if c not in CRITERIA)


@dataclass
class Episode:
    """A rupture–repair episode after merging all sources."""

    id: str
    start: dt.date
    end: dt.date | None
    status: Status
    kind: Kind
    lowest: Lowest | None
    depth_sd: float | None
    depth_points: float | None
    criteria: list[str]
    evidence: list[Evidence] = field(default_factory=list)
    repair_moves: list[RepairMove] = field(default_factory=list)
    days_to_repair: int | None = None
    sessions_to_repair: int | None = None
    confirmed: bool = False
    edited: bool = False

    def summary(self) -> dict[str, Any]:
        """The JSON shape of `attune episodes`: start, end, lowest, status, depth, criteria."""
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat() if self.end else None,
            "lowest": (
                {"date": self.lowest.date.isoformat(), "score": round(self.lowest.score, 3)}
                if self.lowest
                else None
            ),
            "status": self.status,
            "depth": {
                "sd": None if self.depth_sd is None else round(self.depth_sd, 2),
                "points": None if self.depth_points is None else round(self.depth_points, 3),
            },
            "criteria": list(self.criteria),
        }
