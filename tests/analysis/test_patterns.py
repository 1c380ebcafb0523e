"""Tests for patterns: the permutation test against brute force, sentences, trend, moves, people."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from attunement.analysis.episodes_model import Episode, RepairMove
from attunement.analysis.patterns import (
    EVENT_KINDS,
    PatternEvent,
    PersonMention,
    events_from_journal,
    frequency_changes,
    people_near_ruptures,
    precedence_sentence,
    repair_moves_by_outcome,
    repair_time_trend,
    shift_counts,
    what_comes_before,
)
from attunement.io.records import AbsenceRec, ContactRec, FrameRec, JournalData, SessionRec

D0 = dt.date(2024, 1, 1)


def day(n: int) -> dt.date:
    return D0 + dt.timedelta(days=n)


def brute_force(event_days, rupture_days, length, k):
    """Every circular shift, counted the slow obvious way."""
    counts = []
    for u in range(length):
        shifted = {(r + u) % length for r in rupture_days}
        counts.append(sum(
            any(e + d in shifted for d in range(1, k + 1) if e + d < length)
            for e in event_days))
    return counts


@pytest.mark.parametrize("seed", range(12))
def test_shift_counts_match_brute_force(seed):
    rng = np.random.default_rng(seed)
    length = int(rng.integers(10, 60))
    k = int(rng.integers(1, 9))
    ev = rng.integers(0, length, size=int(rng.integers(1, 8)))
    ru = rng.integers(0, length, size=int(rng.integers(1, 8)))
    got = shift_counts(ev, ru, length, k, np.arange(length))
    assert got.tolist() == brute_force(ev.tolist(), ru.tolist(), length, k)


def test_exact_p_value_and_expectation_match_brute_force():
    ruptures = [day(d) for d in (5, 17, 30, 44, 58)]
    events = [PatternEvent(day(d), "contact_me") for d in (2, 14, 27, 50, 60)]
    (res,) = what_comes_before(events, ruptures, k_days=7, window=(day(0), day(69)),
                               kinds=["contact_me"])
    counts = brute_force([2, 14, 27, 50, 60], [5, 17, 30, 44, 58], 70, 7)
    assert res.exact and res.shifts == 70
    assert res.followed == counts[0] == 3  # 50 → 58 is 8 days: outside the week
    assert res.expected == pytest.approx(np.mean(counts))
    assert res.p_value == pytest.approx(np.mean([c >= counts[0] for c in counts]))


def test_random_shifts_agree_with_exact_and_are_seeded():
    rng = np.random.default_rng(5)
    ruptures = sorted({day(int(d)) for d in rng.integers(0, 1500, 12)})
    events = [PatternEvent(r - dt.timedelta(days=2), "cancel_me") for r in ruptures[:8]]
    events += [PatternEvent(day(int(d)), "cancel_me") for d in rng.integers(0, 1500, 10)]
    window = (day(0), day(1499))
    exact = what_comes_before(events, ruptures, window=window, n_shifts=1500,
                              kinds=["cancel_me"])[0]
    approx = what_comes_before(events, ruptures, window=window, n_shifts=1000, seed=1,
                               kinds=["cancel_me"])[0]
    again = what_comes_before(events, ruptures, window=window, n_shifts=1000, seed=1,
                              kinds=["cancel_me"])[0]
    assert exact.exact and not approx.exact and approx.shifts == 1000
    assert approx == again
    assert approx.followed == exact.followed >= 8
    assert approx.expected == pytest.approx(exact.expected, rel=0.15)
    assert approx.p_value is not None and exact.p_value is not None
    assert approx.p_value < 0.01 and exact.p_value < 0.01


def test_too_few_ruptures_says_so():
    ruptures = [day(3), day(20)]
    events = [PatternEvent(day(1), "contact_me")]
    (res,) = what_comes_before(events, ruptures, kinds=["contact_me"])
    assert res.too_few and res.p_value is None
    assert res.sentence == ("There have been 2 ruptures so far: too few to say what tends to "
                            "come before them.")


def test_sentence_in_plain_words():
    ruptures = [day(d) for d in (3, 40, 80, 120, 160, 200)]
    events = [PatternEvent(day(d), "contact_me") for d in (1, 38, 78, 118, 150, 300)]
    res = {r.kind: r for r in what_comes_before(events, ruptures, window=(day(0), day(364)))}
    r = res["contact_me"]
    assert (r.events, r.followed) == (6, 4)
    assert r.sentence.startswith(
        "After you reached out between sessions, a rupture began within a week 4 times out of 6;"
        " by chance about 1 in ")
    for word in ("cause", "because", "led to", "trigger"):
        assert word not in r.sentence
    assert res["absence_start"].sentence == (
        "No times when a break by your therapist began are recorded yet.")
    assert r.p_holm is not None and r.p_value is not None and r.p_holm >= r.p_value


def test_every_kind_has_words():
    assert set(EVENT_KINDS) == {
        "contact_me", "contact_therapist", "absence_start", "absence_end", "frame_change",
        "cancel_me", "cancel_therapist", "closeness_session", "frequency_change"}


def _episode(start: int, days: int | None, status="repaired", moves=()) -> Episode:
    s = day(start)
    end = s + dt.timedelta(days=days) if days is not None else None
    return Episode(f"e{start}", s, end, status, "unknown", None, None, None, ["self_report"],
                   repair_moves=list(moves), days_to_repair=days)


def test_repair_time_trend_shorter():
    eps = [_episode(365 * y // 2, 40 - 6 * y) for y in range(6)]
    t = repair_time_trend(eps)
    assert t.n == 6 and not t.too_few
    assert t.slope_days_per_year == pytest.approx(-12.0, rel=1e-3)  # 365.25-day years
    assert t.high is not None and t.high < 0 and "sooner" in t.sentence


def test_repair_time_trend_too_few_and_unclear():
    assert repair_time_trend([_episode(0, 5)]).too_few
    eps = [_episode(100 * i, d) for i, d in enumerate([10, 30, 12, 28, 11, 29])]
    t = repair_time_trend(eps)
    assert t.low is not None and t.high is not None
    assert t.low < 0 < t.high and "no clear change" in t.sentence


def test_repair_moves_by_outcome_counts_each_episode_once():
    inv = RepairMove(day(1), "therapist", "invites_exploration", "x", "")
    name = RepairMove(day(2), "client", "naming_the_rupture", "y", "")
    eps = [
        _episode(0, 5, moves=[inv, inv, name]),
        _episode(50, 5, moves=[inv]),
        _episode(100, None, status="open", moves=[name]),
        _episode(150, None, status="unrepaired"),
    ]
    rows = {(m.who, m.subtype): m for m in repair_moves_by_outcome(eps)}
    assert rows[("therapist", "invites_exploration")].in_repaired == 2
    assert rows[("therapist", "invites_exploration")].in_open == 0
    assert rows[("client", "naming_the_rupture")].in_repaired == 1
    assert rows[("client", "naming_the_rupture")].in_open == 1
    assert all(m.n_repaired == 2 and m.n_open == 2 for m in rows.values())


def test_people_near_ruptures():
    eps = [_episode(50, 3), _episode(200, 3)]
    mentions = [PersonMention(day(d), "my mother", "she reminds me of") for d in (48, 52, 199, 300)]
    (p,) = people_near_ruptures(mentions, eps, days=7, window=(day(0), day(364)))
    assert (p.near, p.total) == (3, 4)
    assert p.expected_near == pytest.approx(4 * 36 / 365)  # two 18-day windows
    assert p.sentence.startswith("You wrote of my mother 4 times; 3 of them near a rupture")


def test_frequency_changes_once_per_change():
    three = [day(7 * w + d) for w in range(10) for d in (0, 2, 4)]
    one = [day(7 * w) for w in range(10, 20)]
    changes = frequency_changes(three + one)
    assert len(changes) == 1 and day(70) <= changes[0].date <= day(7 * 14)


def test_events_from_journal():
    tz = dt.UTC
    data = JournalData(
        sessions=[
            SessionRec("s1", dt.datetime(2024, 1, 3, 10, tzinfo=tz), "cancelled_by_therapist")],
        contacts=[ContactRec("c1", dt.datetime(2024, 1, 4, 20, tzinfo=tz), "call", "me")],
        frame=[
            FrameRec("f1", "rule", "mine", "no calls", dt.date(2024, 1, 2), dt.date(2024, 1, 9))],
        absences=[AbsenceRec("a1", dt.date(2024, 2, 1), dt.date(2024, 2, 14))],
    )
    kinds = [(e.date.isoformat(), e.kind) for e in events_from_journal(data, [dt.date(2024, 1, 5)])]
    assert kinds == [
        ("2024-01-02", "frame_change"), ("2024-01-03", "cancel_therapist"),
        ("2024-01-04", "contact_me"), ("2024-01-05", "closeness_session"),
        ("2024-01-09", "frame_change"), ("2024-02-01", "absence_start"),
        ("2024-02-14", "absence_end")]


def test_precedence_sentence_small_event_counts():
    ruptures = [day(d) for d in (3, 40, 80, 120, 160, 200)]
    events = [PatternEvent(day(1), "frame_change")]
    (r,) = what_comes_before(events, ruptures, kinds=["frame_change"])
    assert precedence_sentence(r).endswith("That is too few times to tell it apart from chance.")
    assert "1 time out of 1" in r.sentence
