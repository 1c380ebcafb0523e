"""Patterns around ruptures: what tends to come before them, repair over time, repair moves, people.

Every result carries the counts behind it, and below ``MIN_EPISODES`` ruptures the answer is
"too few to say". The wording describes what happened together in time and never says that one
thing leads to another.

*What comes before a rupture* uses a circular-shift permutation test: the rupture starts are
slid around the observation window (wrapping at the end), which keeps their number and spacing
while breaking any link with the events. The share of shifts that give at least the observed
count is the p-value. When the window has no more days than the requested number of shifts,
every shift is tried (an exact test); otherwise ``n_shifts`` random shifts from a seeded RNG.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import theilslopes

from attunement.analysis.episodes_model import Episode
from attunement.io.records import JournalData

MIN_EPISODES = 5

# kind -> the words that follow "After ..."
EVENT_KINDS: dict[str, str] = {
    "contact_me": "you reached out between sessions",
    "contact_therapist": "your therapist reached out between sessions",
    "absence_start": "a break by your therapist began",
    "absence_end": "your therapist came back from a break",
    "frame_change": "an agreement or rule of the therapy changed",
    "cancel_me": "you cancelled a session",
    "cancel_therapist": "your therapist cancelled a session",
    "closeness_session": "a session you wrote about as close",
    "frequency_change": "the number of sessions a week changed",
}


@dataclass(frozen=True)
class PatternEvent:
    """Something that happened on a day (see EVENT_KINDS)."""

    date: dt.date
    kind: str


@dataclass(frozen=True)
class Precedence:
    """How often a rupture began within k days after one kind of event, against chance."""

    kind: str
    k_days: int
    events: int
    followed: int  # events with a rupture starting 1..k days after
    expected: float  # mean over shifts: what chance alone gives
    p_value: float | None
    p_holm: float | None  # adjusted for looking at every kind at once
    shifts: int
    exact: bool
    ruptures: int
    too_few: bool
    sentence: str = ""


def shift_counts(
    event_days: np.ndarray, rupture_days: np.ndarray, length: int, k: int, shifts: np.ndarray
) -> np.ndarray:
    """For each shift u: how many events have a (shifted) rupture start 1..k days after them.

    Days are offsets 0..length-1. Shifted rupture r lands on (r + u) mod length; an event's
    look-ahead is clipped at the end of the window, as it is for the observed data.
    """
    hits = np.zeros(length, dtype=np.int64)
    hits[np.unique(rupture_days)] = 1
    cum = np.concatenate([[0], np.cumsum(np.concatenate([hits, hits]))])
    width = np.minimum(k, length - 1 - event_days)  # days available after each event
    out = np.empty(len(shifts), dtype=np.int64)
    chunk = max(1, 2_000_000 // max(1, len(event_days)))  # bounds memory for big inputs
    for lo in range(0, len(shifts), chunk):
        u = shifts[lo : lo + chunk]
        a = (event_days[None, :] + 1 - u[:, None]) % length
        found = (cum[a + width[None, :]] - cum[a]) > 0
        out[lo : lo + chunk] = np.sum(found & (width[None, :] > 0), axis=1)
    return out


def what_comes_before(
    events: Sequence[PatternEvent],
    rupture_starts: Sequence[dt.date],
    *,
    k_days: int = 7,
    window: tuple[dt.date, dt.date] | None = None,
    n_shifts: int = 1000,
    seed: int = 0,
    kinds: Iterable[str] = EVENT_KINDS,
) -> list[Precedence]:
    """For each kind of event: rupture within k days after it, against circular-shift chance."""
    days = [e.date for e in events] + list(rupture_starts)
    if not days:
        return []
    first, last = window or (min(days), max(days))
    length = (last - first).days + 1
    ruptures = np.array([(d - first).days for d in rupture_starts if first <= d <= last], dtype=int)
    exact = length <= n_shifts
    shifts = (np.arange(length) if exact
              else np.random.default_rng(seed).integers(1, length, size=n_shifts))
    results = []
    for kind in kinds:
        ev = np.array([(e.date - first).days for e in events
                       if e.kind == kind and first <= e.date <= last], dtype=int)
        results.append(_one_kind(kind, ev, ruptures, length, k_days, shifts, exact))
    return _with_holm(results)


def _one_kind(
    kind: str, ev: np.ndarray, ruptures: np.ndarray, length: int, k: int,
    shifts: np.ndarray, exact: bool,
) -> Precedence:
    too_few = len(ruptures) < MIN_EPISODES
    if too_few or len(ev) == 0:
        return Precedence(kind, k, len(ev), 0, 0.0, None, None, 0, exact, len(ruptures), too_few)
    observed = int(shift_counts(ev, ruptures, length, k, np.array([0]))[0])
    null = shift_counts(ev, ruptures, length, k, shifts)
    if exact:
        p = float(np.mean(null >= observed))
    else:
        p = float((1 + np.sum(null >= observed)) / (1 + len(null)))
    return Precedence(kind, k, len(ev), observed, float(np.mean(null)), p, None, len(shifts),
                      exact, len(ruptures), False)


def _with_holm(results: list[Precedence]) -> list[Precedence]:
    """Holm-adjusted p-values across the kinds that were tested, and the sentences."""
    tested = sorted((r.p_value, i) for i, r in enumerate(results) if r.p_value is not None)
    m, running, adjusted = len(tested), 0.0, {}
    for rank, (p, i) in enumerate(tested):
        running = max(running, min(1.0, (m - rank) * p))
        adjusted[i] = running
    out = []
    for i, r in enumerate(results):
        r = dataclasses.replace(r, p_holm=adjusted.get(i))
        out.append(dataclasses.replace(r, sentence=precedence_sentence(r)))
    return out


def _within(k: int) -> str:
    return {7: "a week", 14: "two weeks", 1: "a day", 3: "three days"}.get(k, f"{k} days")


def _chance_phrase(expected: float, n: int) -> str:
    share = expected / n if n else 0.0
    if share < 0.05:
        return "fewer than 1 in 20"
    if share <= 0.5:
        return f"about 1 in {round(1 / share)}"
    return f"about {round(share * 10)} in 10"


def precedence_sentence(r: Precedence) -> str:
    """Plain words for one Precedence result; never causal."""
    after = EVENT_KINDS.get(r.kind, r.kind.replace("_", " "))
    if r.too_few:
        return (f"There have been {r.ruptures} ruptures so far: too few to say what tends "
                "to come before them.")
    if r.events == 0:
        return f"No times when {after} are recorded yet."
    times = "time" if r.followed == 1 else "times"
    text = (f"After {after}, a rupture began within {_within(r.k_days)} {r.followed} {times} "
            f"out of {r.events}; by chance {_chance_phrase(r.expected, r.events)} would.")
    if r.events < MIN_EPISODES:
        return text + " That is too few times to tell it apart from chance."
    p = r.p_holm if r.p_holm is not None else r.p_value
    if p is not None and p < 0.05 and r.followed > r.expected:
        return text + (" That is more often than chance usually gives; it says they came "
                       "together, not that one brought the other.")
    return text + " A difference like this often comes up by chance."


@dataclass(frozen=True)
class RepairTrend:
    """Is time to repair changing? Theil–Sen slope in days per year with its interval."""

    n: int
    slope_days_per_year: float | None
    low: float | None
    high: float | None
    too_few: bool
    sentence: str


def repair_time_trend(
    episodes: Sequence[Episode], *, confidence: float = 0.95, min_n: int = MIN_EPISODES
) -> RepairTrend:
    """Trend of days-to-repair over the years (Theil–Sen, Sen's interval), with its n."""
    done = [e for e in episodes if e.status == "repaired" and e.days_to_repair is not None]
    n = len(done)
    xs = np.array([e.start.toordinal() / 365.25 for e in done])
    if n < min_n or len(set(xs.tolist())) < 2:
        msg = (f"{n} repaired ruptures so far: too few to see whether repair is getting "
               "quicker or slower.")
        return RepairTrend(n, None, None, None, True, msg)
    ys = np.array([float(e.days_to_repair or 0) for e in done])
    slope, _, low, high = theilslopes(ys, xs, alpha=confidence)
    return RepairTrend(n, float(slope), float(low), float(high), False,
                       _trend_sentence(n, float(slope), float(low), float(high)))


def _trend_sentence(n: int, slope: float, low: float, high: float) -> str:
    span = f"between {abs(low):.0f} and {abs(high):.0f} days a year"
    if high < 0:
        return (f"Across {n} repaired ruptures, repair has been coming sooner: about "
                f"{abs(slope):.0f} days sooner each year (likely {span}).")
    if low > 0:
        return (f"Across {n} repaired ruptures, repair has been taking longer: about "
                f"{slope:.0f} days longer each year (likely {span}).")
    return (f"Across {n} repaired ruptures, there is no clear change in how long repair "
            f"takes (from {abs(low):.0f} days a year sooner to {abs(high):.0f} days later).")


@dataclass(frozen=True)
class MoveCount:
    """How many repaired and how many still-open episodes saw one repair move."""

    who: str
    subtype: str
    in_repaired: int
    n_repaired: int
    in_open: int
    n_open: int


def repair_moves_by_outcome(episodes: Sequence[Episode]) -> list[MoveCount]:
    """Per repair move: in how many repaired vs open/unrepaired episodes it was seen."""
    repaired = [e for e in episodes if e.status == "repaired"]
    stayed = [e for e in episodes if e.status in ("open", "unrepaired")]
    in_rep = Counter(m for e in repaired for m in {(r.who, r.subtype) for r in e.repair_moves})
    in_open = Counter(m for e in stayed for m in {(r.who, r.subtype) for r in e.repair_moves})
    moves = sorted(set(in_rep) | set(in_open), key=lambda m: (-in_rep[m], -in_open[m], m))
    return [MoveCount(w, s, in_rep[(w, s)], len(repaired), in_open[(w, s)], len(stayed))
            for w, s in moves]


@dataclass(frozen=True)
class PersonMention:
    """A reading that the writer linked a person to the therapist on a day."""

    date: dt.date
    person: str
    relation: str = ""


@dataclass(frozen=True)
class PersonNear:
    """How often a person came up near ruptures, against an even spread over time."""

    person: str
    relation: str
    near: int
    total: int
    expected_near: float
    sentence: str


def people_near_ruptures(
    mentions: Sequence[PersonMention],
    episodes: Sequence[Episode],
    *,
    days: int = 7,
    window: tuple[dt.date, dt.date] | None = None,
) -> list[PersonNear]:
    """Per person (and relation): mentions within `days` of an episode, and what chance gives."""
    all_days = [m.date for m in mentions] + [e.start for e in episodes]
    if not all_days:
        return []
    first, last = window or (min(all_days), max(all_days))
    near_days = _near_days(episodes, days, first, last)
    share = len(near_days) / ((last - first).days + 1)
    groups: dict[tuple[str, str], list[PersonMention]] = {}
    for m in mentions:
        if first <= m.date <= last:
            groups.setdefault((m.person, m.relation), []).append(m)
    out = []
    for (person, relation), ms in groups.items():
        near = sum(m.date in near_days for m in ms)
        exp = share * len(ms)
        out.append(PersonNear(person, relation, near, len(ms), exp,
                              _person_sentence(person, near, len(ms), exp)))
    return sorted(out, key=lambda p: (-(p.near - p.expected_near), p.person))


def _near_days(episodes: Sequence[Episode], days: int, first: dt.date, last: dt.date) -> set:
    out: set[dt.date] = set()
    for e in episodes:
        d = max(first, e.start - dt.timedelta(days=days))
        stop = min(last, (e.end or e.start) + dt.timedelta(days=days))
        while d <= stop:
            out.add(d)
            d += dt.timedelta(days=1)
    return out


def _person_sentence(person: str, near: int, total: int, expected: float) -> str:
    times = "time" if total == 1 else "times"
    return (f"You wrote of {person} {total} {times}; {near} of them near a rupture, where "
            f"about {expected:.0f} would be if they were spread evenly over time.")


def frequency_changes(
    session_dates: Sequence[dt.date], *, weeks: int = 4, min_change: float = 1.0
) -> list[PatternEvent]:
    """Days where sessions a week over the last `weeks` moved by min_change from before."""
    ds = sorted(set(session_dates))
    if len(ds) < 2:
        return []
    span = dt.timedelta(weeks=weeks)
    ordinals = np.array([d.toordinal() for d in ds])
    out: list[PatternEvent] = []
    quiet_until = ds[0] + 2 * span  # needs two full spans of history
    for d in ds:
        if d < quiet_until:
            continue
        o = d.toordinal()
        recent = np.sum((ordinals > o - span.days) & (ordinals <= o)) / weeks
        before = np.sum((ordinals > o - 2 * span.days) & (ordinals <= o - span.days)) / weeks
        if abs(recent - before) >= min_change:
            out.append(PatternEvent(d, "frequency_change"))
            quiet_until = d + 2 * span  # one change is reported once, not every session
    return out


def events_from_journal(
    data: JournalData, closeness_days: Iterable[dt.date] = ()
) -> list[PatternEvent]:
    """The event kinds of EVENT_KINDS from the plain records (closeness days come from markers)."""
    ev = [PatternEvent(c.at.date(), "contact_me" if c.initiated_by == "me" else "contact_therapist")
          for c in data.contacts]
    for a in data.absences:
        ev += [PatternEvent(a.start, "absence_start"), PatternEvent(a.end, "absence_end")]
    for f in data.frame:
        ev.append(PatternEvent(f.start, "frame_change"))
        if f.end is not None:
            ev.append(PatternEvent(f.end, "frame_change"))
    cancel = {"cancelled_by_me": "cancel_me", "cancelled_by_therapist": "cancel_therapist"}
    ev += [PatternEvent(s.starts_at.date(), cancel[s.status])
           for s in data.sessions if s.status in cancel]
    ev += frequency_changes([s.starts_at.date() for s in data.sessions if s.status == "held"])
    ev += [PatternEvent(d, "closeness_session") for d in closeness_days]
    return sorted(ev, key=lambda e: (e.date, e.kind))
