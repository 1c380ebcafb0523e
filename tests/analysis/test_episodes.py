"""Tests for episodes from check-ins: V-drops, sudden losses, rupture items, pre-session."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attunement.analysis.episodes import (
    DetectionParams,
    Instrument,
    MarkerEvent,
    Rating,
    detect_episodes,
)
from attunement.analysis.episodes_model import episode_id
from attunement.analysis.episodes_series import (
    reliable_change,
    rolling_baseline,
    sudden_losses,
)
from attunement.analysis.series_gen import session_dates

SCALE = Instrument(1.0, 7.0, alpha=0.9, sd=1.0)
BASE = [5.0, 5.2, 4.9, 5.1, 5.0, 5.3, 4.8, 5.0, 5.1, 4.9, 5.2, 5.0]


def series(scores, **extra):
    """Ratings on a Mon/Wed/Fri schedule; None = an unrated session."""
    dates = session_dates(len(scores), 3, dt.date(2023, 1, 2))
    out = []
    for i, (d, s) in enumerate(zip(dates, scores, strict=True)):
        kw = {k: v[i] for k, v in extra.items() if v[i] is not None}
        out.append(Rating(d, math.nan if s is None else s, session_id=f"s{i}",
                          missing=s is None, **kw))
    return out, dates


def test_reliable_change_matches_jacobson_truax():
    # 1.96 × 8 × √2 × √(1 − .9) ≈ 7.01 (the worked example in RESEARCH §3)
    assert reliable_change(Instrument(12, 60, 0.9, 8.0), np.array([1.0])) == pytest.approx(
        1.96 * 8 * math.sqrt(2) * math.sqrt(0.1))


def test_reliable_change_uses_own_sd_when_unknown():
    x = np.array([4.0, 6.0, 5.0, math.nan, 5.0])
    sd = float(np.std([4.0, 6.0, 5.0, 5.0], ddof=1))
    assert reliable_change(Instrument(1, 7, 0.8), x) == pytest.approx(
        1.96 * sd * math.sqrt(2) * math.sqrt(0.2))


def test_baseline_excludes_current_session_and_floors_spread():
    x = np.array([5.0] * 12 + [1.0])
    level, spread = rolling_baseline(x, DetectionParams(), floor=0.3)
    assert level[12] == 5.0  # the low session is not part of its own yardstick
    assert spread[12] == 0.3  # a perfectly flat history gets the floor, not zero


def test_single_session_v_drop_meets_both_criteria():
    ratings, dates = series([*BASE, 2.5, 5.0, 5.1, 4.9])
    (ep,) = detect_episodes(ratings, instrument=SCALE)
    assert ep.start == dates[12] and ep.end == dates[13]
    assert ep.status == "repaired"
    assert ep.lowest is not None
    assert ep.lowest.date == dates[12] and ep.lowest.score == 2.5
    assert {"strict_2sd", "sensitive_1sd"} <= set(ep.criteria)
    assert ep.depth_sd == pytest.approx(2.5)  # level 5.0, spread = instrument SD 1.0
    assert ep.depth_points == pytest.approx(2.5)
    assert ep.sessions_to_repair == 1
    assert ep.days_to_repair == (dates[13] - dates[12]).days


def test_one_sd_drop_is_sensitive_only():
    ratings, _ = series([*BASE, 3.6, 5.0, 5.1, 4.9])
    (ep,) = detect_episodes(ratings, instrument=SCALE)
    assert ep.criteria == ["sensitive_1sd"]


def test_small_wobble_is_no_episode():
    ratings, _ = series([*BASE, 4.3, 5.0, 5.1, 4.9])
    assert detect_episodes(ratings, instrument=SCALE) == []


def test_multi_session_decline_is_one_episode_starting_at_the_decline():
    ratings, dates = series([*BASE, 4.3, 3.8, 3.2, 2.6, 5.1, 5.0, 4.9])
    (ep,) = detect_episodes(ratings, instrument=SCALE)
    assert ep.start == dates[12]
    assert ep.lowest is not None and ep.lowest.date == dates[15]
    assert ep.end == dates[16]
    assert ep.sessions_to_repair == 4


def test_drop_that_never_recovers_is_open_then_unrepaired_when_therapy_ended():
    ratings, dates = series([*BASE, 2.0, 2.2, 2.1])
    (ep,) = detect_episodes(ratings, instrument=SCALE)
    assert ep.status == "open" and ep.end is None and ep.days_to_repair is None
    (ep2,) = detect_episodes(ratings, instrument=SCALE, therapy_ended=dates[-1])
    assert ep2.status == "unrepaired"


def test_too_long_below_level_stays_open():
    ratings, _ = series([*BASE, *([2.5] * 10), 5.0])
    eps = detect_episodes(ratings, instrument=SCALE)
    assert eps[0].status == "open"  # 10 sessions down is past the 6 + 3 allowed


def test_missing_session_inside_dip_counts_as_a_session():
    ratings, dates = series([*BASE, 2.5, None, 5.0, 5.1])
    (ep,) = detect_episodes(ratings, instrument=SCALE)
    assert ep.end == dates[14]
    assert ep.sessions_to_repair == 2


def test_flat_series_without_known_sd_uses_range_floor():
    # Perfectly flat at 6 on a 1-7 scale: floor = 5 % of 6 = 0.3; 0.2 down is no episode.
    ratings, _ = series([6.0] * 15 + [5.8, 6.0, 6.0])
    assert detect_episodes(ratings, instrument=Instrument(1, 7)) == []
    ratings, _ = series([6.0] * 15 + [5.3, 6.0, 6.0])  # 0.7 = 2.33 floors
    (ep,) = detect_episodes(ratings, instrument=Instrument(1, 7))
    assert "strict_2sd" in ep.criteria


def test_ceiling_series_with_spread_compressed_to_zero():
    # SRS-like: clustered at the top of 0-40; MAD is 0, so the floor (2 points) decides.
    top = [40, 39, 40, 40, 40, 39, 40, 40, 40, 40, 39, 40]
    ratings, dates = series([*top, 35, 40, 40])
    (ep,) = detect_episodes(ratings, instrument=Instrument(0, 40, 0.9))
    assert ep.start == dates[12]
    assert "strict_2sd" in ep.criteria and ep.depth_sd == pytest.approx(2.5)
    ratings, _ = series([*top, 39, 40, 40])
    assert detect_episodes(ratings, instrument=Instrument(0, 40, 0.9)) == []


def test_early_dip_uses_surrounding_sessions():
    ratings, dates = series([5.0, 5.1, 2.4, 5.0, 4.9, 5.1, 5.0, 5.2])
    eps = detect_episodes(ratings, instrument=SCALE)
    assert [e.start for e in eps] == [dates[2]]


def test_too_short_series_gives_nothing():
    ratings, _ = series([5.0, 1.0, 5.0])
    assert detect_episodes(ratings, instrument=SCALE) == []
    assert detect_episodes([], instrument=SCALE) == []


# --- sudden losses (Tang & DeRubeis, adapted) ---------------------------------------


def test_sudden_loss_all_three_rules():
    x = np.array([6.0, 6.1, 5.9, 3.0, 3.1, 2.9])
    assert sudden_losses(x, cutoff=1.0, scale_min=1.0) == [2]


def test_sudden_loss_fails_rci_rule():
    x = np.array([6.0, 6.1, 5.9, 3.0, 3.1, 2.9])
    assert sudden_losses(x, cutoff=3.0, scale_min=1.0) == []


def test_sudden_loss_fails_25_percent_rule():
    # drop 1.0 from 5.9 is 20 % of (5.9 - 1): not enough
    x = np.array([6.0, 6.0, 5.9, 4.9, 4.9, 4.9])
    assert sudden_losses(x, cutoff=0.5, scale_min=1.0) == []
    # measured from a scale bottom of 2, 1.0 of 3.9 is 25.6 %: enough
    assert sudden_losses(x, cutoff=0.5, scale_min=2.0) == [2]


def test_sudden_loss_fails_mean_rule_when_noisy():
    # pre mean 5.0 with big spread; the means are not far apart relative to it
    x = np.array([3.0, 7.0, 5.0, 3.5, 6.5, 5.5])
    assert sudden_losses(x, cutoff=1.0, scale_min=1.0) == []


def test_sudden_loss_t_criterion_grows_with_missing():
    # pre 6, 6.4, 6.2 ; post 5.2, 5.6, 5.4: diff 0.8, pooled SD 0.2 → needs t < 4.
    x = np.array([6.0, 6.4, 6.2, 5.2, 5.6, 5.4])
    assert sudden_losses(x, cutoff=0.5, scale_min=4.0) == [2]  # t = 2.776
    x1 = np.array([6.0, math.nan, 6.2, 5.2, 5.6, 5.4])
    assert sudden_losses(x1, cutoff=0.5, scale_min=4.0) == [2]  # t = 3.182
    x2 = np.array([6.0, math.nan, 6.2, 5.2, math.nan, 5.4])
    # 2 missing → t = 4.303; diff 0.8 vs pooled SD 0.141 × 4.303 = 0.61: still a loss
    assert sudden_losses(x2, cutoff=0.5, scale_min=4.0) == [2]
    x3 = np.array([math.nan, math.nan, 6.2, 5.2, math.nan, 5.4])
    assert sudden_losses(x3, cutoff=0.5, scale_min=4.0) == []  # 3 missing: not evaluable


def test_sudden_loss_edges_count_as_missing():
    # At position 1 the pre triple has one position before the series: one missing.
    x = np.array([6.0, 6.2, 3.0, 3.1, 2.9])
    assert sudden_losses(x, cutoff=1.0, scale_min=1.0) == [1]


def test_sudden_loss_appears_as_criterion():
    ratings, _ = series([*BASE, 2.4, 2.5, 2.6, 5.0, 5.1])
    (ep,) = detect_episodes(ratings, instrument=SCALE)
    assert "sudden_loss" in ep.criteria and "strict_2sd" in ep.criteria


# --- self-report and pre-session ------------------------------------------------------


def test_tension_resolved_in_session_is_repaired_same_day():
    n = 14
    tension: list[bool | None] = [None] * n
    intensity: list[int | None] = [None] * n
    resolved: list[int | None] = [None] * n
    tension[12], intensity[12], resolved[12] = True, 3, 5
    ratings, dates = series([*BASE, 5.0, 5.1], tension=tension, intensity=intensity,
                            resolved=resolved)
    (ep,) = detect_episodes(ratings, instrument=SCALE)
    assert ep.criteria == ["self_report"]
    assert ep.start == ep.end == dates[12]
    assert ep.status == "repaired" and ep.days_to_repair == 0 and ep.sessions_to_repair == 0
    assert "strength 3 of 5" in ep.evidence[0].note


def test_unresolved_tension_runs_until_a_calm_check_in():
    n = 16
    tension: list[bool | None] = [None] * n
    resolved: list[int | None] = [None] * n
    tension[12], resolved[12] = True, 2
    tension[13], resolved[13] = True, 3
    tension[14] = False
    ratings, dates = series([*BASE, 5.0, 5.0, 5.0, 5.0], tension=tension, resolved=resolved)
    (ep,) = detect_episodes(ratings, instrument=SCALE)
    assert ep.start == dates[12] and ep.end == dates[14]
    assert len([e for e in ep.evidence if e.note.startswith("tension reported")]) == 2


def test_tension_counts_even_without_a_score():
    tension: list[bool | None] = [None] * 14
    resolved: list[int | None] = [None] * 14
    tension[12], resolved[12] = True, 5
    ratings, dates = series([*BASE, None, 5.0], tension=tension, resolved=resolved)
    (ep,) = detect_episodes(ratings, instrument=SCALE)
    assert ep.criteria == ["self_report"] and ep.start == ep.end == dates[12]
    assert ep.evidence[0].score is None


def test_unresolved_tension_at_the_end_is_open():
    tension: list[bool | None] = [None] * 13
    tension[12] = True
    ratings, _ = series([*BASE, 5.0], tension=tension)
    (ep,) = detect_episodes(ratings, instrument=SCALE)
    assert ep.status == "open"


def test_self_report_and_drop_merge_into_one():
    n = 15
    tension: list[bool | None] = [None] * n
    tension[12] = True
    ratings, dates = series([*BASE, 2.5, 5.0, 5.0], tension=tension)
    (ep,) = detect_episodes(ratings, instrument=SCALE)
    assert {"strict_2sd", "self_report"} <= set(ep.criteria)
    assert ep.end == dates[13]  # the later of the two ends


def test_expected_between_session_fall_is_no_episode():
    # pre-scores always ~1 point below the post-scores: the usual fall between sessions.
    post = [*BASE, 5.0, 5.1, 5.0]
    pre = [p - 1.0 for p in post]
    ratings, _ = series(post, pre_score=pre)
    assert detect_episodes(ratings, instrument=SCALE) == []


def test_deep_pre_session_dip_repaired_within_the_session():
    post = [*BASE, 5.0, 5.1, 5.0]
    pre = [p - 1.0 for p in post]
    pre[12] = 1.5  # came in far below the usual before-session level (4.0)
    ratings, dates = series(post, pre_score=pre)
    (ep,) = detect_episodes(ratings, instrument=SCALE)
    assert ep.criteria == ["pre_session"]
    assert ep.start == ep.end == dates[12] and ep.status == "repaired"


def test_shallow_pre_session_dip_only_supports():
    post = [*BASE, 5.0, 5.1, 5.0]
    pre = [p - 1.0 for p in post]
    pre[12] = 2.7  # 1.3 SD below: evidence, not an episode by itself
    ratings, _ = series(post, pre_score=pre)
    assert detect_episodes(ratings, instrument=SCALE) == []
    post[12] = 2.5
    ratings, _ = series(post, pre_score=pre)
    (ep,) = detect_episodes(ratings, instrument=SCALE)
    assert "pre_session" in ep.criteria and "strict_2sd" in ep.criteria


# --- merged episode details -----------------------------------------------------------


def test_kind_and_repair_moves_from_markers():
    ratings, dates = series([*BASE, 2.5, 4.0, 5.0, 5.1])
    d = dates[12]
    markers = [
        MarkerEvent(d - dt.timedelta(days=2), "withdrawal", "minimal_response", 0.9, "e1",
                    "I said nothing."),
        MarkerEvent(d, "withdrawal", "denial", 0.8, "e2", "It doesn't matter."),
        MarkerEvent(d + dt.timedelta(days=1), "therapist_repair", "invites_exploration", 0.9, "e3",
                    "She asked what happened between us."),
        MarkerEvent(d + dt.timedelta(days=2), "client_repair", "naming_the_rupture", 0.9, "e4",
                    "I told her I felt far away."),
        MarkerEvent(d + dt.timedelta(days=60), "client_repair", "reconnection", 0.9, "e5", "later"),
    ]
    (ep,) = detect_episodes(ratings, markers, instrument=SCALE)
    assert ep.kind == "withdrawal"
    assert [(m.who, m.subtype) for m in ep.repair_moves] == [
        ("therapist", "invites_exploration"), ("client", "naming_the_rupture")]


def test_kind_mixed_and_unknown():
    ratings, dates = series([*BASE, 2.5, 5.0, 5.1])
    d = dates[12]
    (ep,) = detect_episodes(ratings, instrument=SCALE)
    assert ep.kind == "unknown"
    mixed = [MarkerEvent(d, "withdrawal", None, 1.0, "a"),
             MarkerEvent(d, "confrontation", None, 0.9, "b")]
    (ep,) = detect_episodes(ratings, mixed, instrument=SCALE)
    assert ep.kind == "mixed"


def test_id_is_stable_across_runs_and_depends_on_start_and_criteria():
    ratings, dates = series([*BASE, 2.5, 5.0, 5.1])
    a = detect_episodes(ratings, instrument=SCALE)[0]
    b = detect_episodes(list(reversed(ratings)), instrument=SCALE)[0]  # input order irrelevant
    assert a.id == b.id == episode_id(dates[12], a.criteria)
    assert episode_id(dates[12], ["sensitive_1sd"]) != a.id


def test_datetime_ratings_are_accepted():
    ratings, _ = series([*BASE, 2.5, 5.0, 5.1])
    timed = [Rating(dt.datetime.combine(r.date, dt.time(18, 0)), r.score, session_id=r.session_id)
             for r in ratings]
    (ep,) = detect_episodes(timed, instrument=SCALE)
    assert isinstance(ep.start, dt.date) and not isinstance(ep.start, dt.datetime)


def test_summary_is_json_ready():
    import json

    ratings, dates = series([*BASE, 2.5, 5.0, 5.1])
    (ep,) = detect_episodes(ratings, instrument=SCALE)
    out = json.loads(json.dumps(ep.summary()))
    assert out == {
        "start": dates[12].isoformat(), "end": dates[13].isoformat(),
        "lowest": {"date": dates[12].isoformat(), "score": 2.5}, "status": "repaired",
        "depth": {"sd": 2.5, "points": 2.5}, "criteria": ep.criteria,
    }


# --- any input: well-formed output ----------------------------------------------------

_cell = st.tuples(
    st.one_of(st.none(), st.floats(1.0, 7.0)),
    st.one_of(st.none(), st.booleans()),
    st.one_of(st.none(), st.integers(1, 5)),
    st.one_of(st.none(), st.floats(1.0, 7.0)),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_cell, max_size=60), st.booleans())
def test_any_series_gives_well_formed_episodes(cells, ended):
    ratings, dates = series(
        [c[0] for c in cells], tension=[c[1] for c in cells], resolved=[c[2] for c in cells],
        pre_score=[c[3] for c in cells])
    eps = detect_episodes(ratings, instrument=SCALE,
                          therapy_ended=dates[-1] if ended and dates else None)
    assert len({e.id for e in eps}) == len(eps)
    assert [e.start for e in eps] == sorted(e.start for e in eps)
    for e in eps:
        assert e.status in {"repaired", "open", "unrepaired"}
        assert (e.end is not None) == (e.status == "repaired")
        if e.end is not None:
            assert e.end >= e.start and e.days_to_repair == (e.end - e.start).days
            assert e.sessions_to_repair is not None and e.sessions_to_repair >= 0
        if ended:
            assert e.status != "open"
        assert e.criteria and all(isinstance(c, str) for c in e.criteria)
