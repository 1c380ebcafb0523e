"""Tests for user decisions on episodes: they apply, and they survive a re-analysis."""

from __future__ import annotations

import datetime as dt
import math

from attunement.analysis.episodes import (
    Confirm,
    Decision,
    Dismiss,
    Edit,
    Instrument,
    Merge,
    Rating,
    Split,
    apply_decisions,
    detect_episodes,
)
from attunement.analysis.episodes_decisions import Ref
from attunement.analysis.series_gen import session_dates

SCALE = Instrument(1.0, 7.0, alpha=0.9, sd=1.0)
BASE = [5.0, 5.2, 4.9, 5.1, 5.0, 5.3, 4.8, 5.0, 5.1, 4.9, 5.2, 5.0]
GAP = [5.0, 5.1, 4.9, 5.0, 5.2, 4.9]
SCORES = [*BASE, 2.5, 5.0, *GAP, 3.5, 5.1, *GAP, 2.0, 5.0, 5.1]


def run(scores=SCORES, tension_at=None):
    dates = session_dates(len(scores), 3, dt.date(2023, 1, 2))
    ratings = [Rating(d, s, tension=(True if i == tension_at else None), session_id=f"s{i}")
               for i, (d, s) in enumerate(zip(dates, scores, strict=True))]
    return detect_episodes(ratings, instrument=SCALE), dates


def test_three_episodes_to_start_with():
    eps, dates = run()
    assert [e.start for e in eps] == [dates[12], dates[20], dates[28]]


def test_confirm_and_dismiss():
    eps, _ = run()
    out = apply_decisions(eps, [Confirm(Ref.of(eps[0])), Dismiss(Ref.of(eps[1]))])
    assert [e.id for e in out.episodes] == [eps[0].id, eps[2].id]
    assert out.episodes[0].confirmed and not out.episodes[1].confirmed
    assert [e.id for e in out.dismissed] == [eps[1].id]
    assert not eps[0].confirmed  # the input list is left alone


def test_edit_end_status_and_kind():
    eps, dates = run()
    new_end = dates[15]
    out = apply_decisions(eps, [Edit(Ref.of(eps[0]), end=new_end, kind="confrontation")],
                          session_dates=dates)
    ep = out.episodes[0]
    assert ep.end == new_end and ep.status == "repaired" and ep.kind == "confrontation"
    assert ep.edited and ep.days_to_repair == (new_end - dates[12]).days
    assert ep.sessions_to_repair == 3
    out = apply_decisions(eps, [Edit(Ref.of(eps[0]), status="unrepaired")])
    assert out.episodes[0].status == "unrepaired"


def test_edit_start_past_the_end_never_gives_negative_times():
    eps, dates = run()
    out = apply_decisions(eps, [Edit(Ref.of(eps[0]), start=dates[16])], session_dates=dates)
    ep = out.episodes[0]
    assert ep.start == ep.end == dates[16] and ep.days_to_repair == 0
    assert ep.sessions_to_repair == 0


def test_merge_then_confirm_the_merged_one():
    eps, dates = run()
    merge = Merge((Ref.of(eps[0]), Ref.of(eps[1])))
    first = apply_decisions(eps, [merge])
    merged = first.episodes[0]
    assert merged.start == dates[12] and merged.end == eps[1].end
    assert merged.lowest is not None and merged.lowest.score == 2.5
    assert len(first.episodes) == 2
    # the merged id is derived from its parents, so it is the same on every run
    again = apply_decisions(eps, [merge, Confirm(Ref.of(merged))])
    assert again.episodes[0].id == merged.id and again.episodes[0].confirmed
    assert again.unmatched == []


def test_merge_needs_two_episodes():
    eps, _ = run()
    bad = Merge((Ref.of(eps[0]), Ref("nope")))
    out = apply_decisions(eps, [bad])
    assert out.unmatched == [bad] and len(out.episodes) == 3


def test_split_partitions_evidence():
    scores = [*BASE, 2.5, 2.4, 2.6, 2.3, 5.0, 5.1]
    eps, dates = run(scores)
    (ep,) = eps
    out = apply_decisions(eps, [Split(Ref.of(ep), dates[14])], session_dates=dates)
    a, b = out.episodes
    assert (a.start, a.end, a.status) == (dates[12], dates[13], "repaired")
    assert (b.start, b.end, b.status) == (dates[14], dates[16], "repaired")
    assert all(e.date < dates[14] for e in a.evidence)
    assert all(e.date >= dates[14] for e in b.evidence)
    assert b.lowest is not None and b.lowest.score == 2.3
    assert a.lowest is None  # the lowest point fell in the second part
    assert a.id != b.id != ep.id


def test_split_outside_the_episode_is_unmatched():
    eps, dates = run()
    bad = Split(Ref.of(eps[0]), dates[3])
    assert apply_decisions(eps, [bad]).unmatched == [bad]


def test_decisions_survive_reanalysis_with_shifted_boundaries():
    eps, dates = run()
    decisions: list[Decision] = [Dismiss(Ref.of(eps[1])), Confirm(Ref.of(eps[2]))]
    # New data: a tension report on the third dip adds a criterion (the id changes),
    # and a slow start moves the first episode's start one session earlier.
    scores = list(SCORES)
    scores[27] = 4.3
    new_eps, _ = run(scores, tension_at=28)
    assert eps[2].id not in {e.id for e in new_eps}
    out = apply_decisions(new_eps, decisions)
    assert out.unmatched == []
    assert [e.start for e in out.dismissed] == [dates[20]]
    confirmed = [e for e in out.episodes if e.confirmed]
    assert [e.start for e in confirmed] == [dates[27]]


def test_decision_about_a_vanished_episode_is_reported():
    eps, dates = run()
    gone = Dismiss(Ref("abc", dates[40] if len(dates) > 40 else dt.date(2030, 1, 1)))
    out = apply_decisions(eps, [gone])
    assert out.unmatched == [gone] and len(out.episodes) == 3


def test_flat_rerun_leaves_nothing_to_match():
    eps, _ = run()
    flat, _ = run([5.0 + 0.1 * math.sin(i) for i in range(len(SCORES))])
    out = apply_decisions(flat, [Confirm(Ref.of(e)) for e in eps])
    assert out.episodes == [] and len(out.unmatched) == 3
