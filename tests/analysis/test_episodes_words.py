"""Tests for episodes found in the words: weeks above the person's own base rate."""

from __future__ import annotations

import datetime as dt

from attunement.analysis.episodes import DetectionParams, MarkerEvent, detect_episodes
from attunement.analysis.episodes_words import raised_weeks, week_of

MONDAY = dt.date(2024, 1, 1)


def day(week: int, weekday: int = 0) -> dt.date:
    return MONDAY + dt.timedelta(days=7 * week + weekday)


def steady(weeks: int) -> tuple[list[MarkerEvent], list[dt.date]]:
    """Two entries a week, one withdrawal sentence every other week."""
    markers, entries = [], []
    for w in range(weeks):
        entries += [day(w, 1), day(w, 4)]
        if w % 2 == 0:
            markers.append(MarkerEvent(day(w, 1), "withdrawal", "abstract", 0.8, f"e{w}", "vague"))
    return markers, entries


def burst(week: int, n: int, label: str = "withdrawal") -> list[MarkerEvent]:
    return [MarkerEvent(day(week, 2), label, "minimal_response", 0.9, f"b{week}-{i}", f"s{i}")
            for i in range(n)]


def test_steady_writing_raises_no_week():
    markers, entries = steady(20)
    assert detect_episodes([], markers, entry_dates=entries) == []


def test_burst_above_base_rate_is_a_candidate_with_sentences():
    markers, entries = steady(20)
    markers += burst(10, 5)
    entries.append(day(10, 2))
    (ep,) = detect_episodes([], markers, entry_dates=entries)
    assert ep.criteria == ["words"] and ep.kind == "withdrawal"
    assert ep.start == day(10, 1)  # the first rupture sentence of that week (Tuesday)
    assert {e.text for e in ep.evidence} >= {"s0", "s4"}
    assert all(e.source == "entry" for e in ep.evidence)
    # no reconnecting sentence: ends when two weeks of writing are back at the usual rate
    assert ep.status == "repaired" and ep.end == day(12)


def test_reconnection_sentence_ends_it_sooner():
    markers, entries = steady(20)
    markers += burst(10, 5, "confrontation")
    markers.append(
        MarkerEvent(day(11, 1), "client_repair", "reconnection", 0.9, "r", "close again"))
    (ep,) = detect_episodes([], markers, entry_dates=entries)
    assert ep.end == day(11, 1) and ep.kind == "confrontation"
    assert [m.subtype for m in ep.repair_moves] == ["reconnection"]


def test_burst_at_the_end_is_open():
    markers, entries = steady(12)
    markers += burst(11, 6)
    (ep,) = detect_episodes([], markers, entry_dates=entries)
    assert ep.status == "open"


def test_two_sentences_never_make_an_episode():
    markers, entries = steady(20)
    markers += burst(10, 2)
    assert detect_episodes([], markers, entry_dates=entries) == []


def test_low_confidence_sentences_do_not_count():
    markers, entries = steady(20)
    markers += [MarkerEvent(day(10, 2), "withdrawal", None, 0.3, f"x{i}") for i in range(8)]
    assert detect_episodes([], markers, entry_dates=entries) == []


def test_more_writing_that_week_raises_the_yardstick():
    markers, entries = steady(20)
    markers += burst(10, 4)
    busy = entries + [day(10, d % 7) for d in range(30)]  # 32 entries that week
    hot_busy = raised_weeks(markers, busy, DetectionParams())[1]
    hot_plain = raised_weeks(markers, entries, DetectionParams())[1]
    assert week_of(day(10)) in hot_plain and week_of(day(10)) not in hot_busy


def test_too_little_history_gives_nothing():
    assert detect_episodes([], burst(0, 9), entry_dates=[day(0)]) == []
