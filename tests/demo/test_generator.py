"""Tests for the demo journal: deterministic, complete, consistent, and telling its story."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter

import pytest

from attunement.demo import build_demo_journal, demo_year
from attunement.io.records import JournalData

ITEMS = ("bond_grasped", "bond_on_my_side", "task_fit", "goal_direction")


@pytest.fixture(scope="module")
def journal() -> JournalData:
    return build_demo_journal()


def _all_datetimes(d: JournalData) -> list[dt.datetime]:
    stamps = [s.starts_at for s in d.sessions] + [c.at for c in d.contacts]
    stamps += [c.answered_at for c in d.contacts if c.answered_at]
    stamps += [e.written_at for e in d.entries]
    stamps += [c.posted_at for e in d.entries for c in e.comments]
    stamps += [u.created_at for u in d.unsaid]
    stamps += [u.brought_up_at for u in d.unsaid if u.brought_up_at]
    stamps += [c.completed_at for c in d.checkins]
    return stamps


def _post_scores(d: JournalData) -> list[tuple[float, bool]]:
    """Mean alliance score and tension flag of each post-session check-in, in order."""
    posts = sorted((c for c in d.checkins if c.timing == "post"), key=lambda c: c.completed_at)
    return [(sum(c.answers[i] for i in ITEMS) / len(ITEMS), c.answers["tension"]) for c in posts]


def _dips(scores: list[float]) -> list[tuple[int, int]]:
    """Runs of scores 2 robust SDs below the median, merging runs less than 3 apart."""
    median = statistics.median(scores)
    mad = statistics.median(abs(s - median) for s in scores)
    threshold = median - 2 * max(1.4826 * mad, 0.25)
    runs: list[list[int]] = []
    for i, s in enumerate(scores):
        if s >= threshold:
            continue
        if runs and i - runs[-1][1] <= 3:
            runs[-1][1] = i
        else:
            runs.append([i, i])
    return [(a, b) for a, b in runs]


def test_same_seed_same_journal() -> None:
    assert build_demo_journal(seed=3) == build_demo_journal(seed=3)


def test_seed_changes_only_the_noise() -> None:
    a, b = build_demo_journal(seed=1), build_demo_journal(seed=2)
    assert [c.answers for c in a.checkins] != [c.answers for c in b.checkins]
    assert [e.body for e in a.entries] == [e.body for e in b.entries]
    assert [s.starts_at for s in a.sessions] == [s.starts_at for s in b.sessions]


def test_counts_in_expected_ranges(journal: JournalData) -> None:
    counts = journal.counts()
    assert counts["therapists"] == 1
    assert counts["entries"] == 100
    assert 130 <= counts["sessions"] <= 150
    assert 15 <= counts["contacts"] <= 25
    assert 8 <= counts["frame"] <= 14
    assert 10 <= counts["unsaid"] <= 15
    assert 25 <= counts["comments"] <= 40
    assert counts["absences"] >= 5


def test_keys_unique(journal: JournalData) -> None:
    keys = [t.key for t in journal.therapists] + [s.key for s in journal.sessions]
    keys += [c.key for c in journal.contacts] + [f.key for f in journal.frame]
    keys += [a.key for a in journal.absences] + [e.key for e in journal.entries]
    keys += [c.key for e in journal.entries for c in e.comments]
    keys += [u.key for u in journal.unsaid] + [c.key for c in journal.checkins]
    assert len(keys) == len(set(keys))
    assert all(k.startswith("demo-") for k in keys)


def test_all_references_exist(journal: JournalData) -> None:
    sessions = {s.key for s in journal.sessions}
    therapists = {t.key for t in journal.therapists}
    linked = [e.session_key for e in journal.entries] + [u.session_key for u in journal.unsaid]
    linked += [c.session_key for c in journal.checkins]
    assert {k for k in linked if k} <= sessions
    owners = [s.therapist_key for s in journal.sessions]
    owners += [c.therapist_key for c in journal.contacts]
    owners += [a.therapist_key for a in journal.absences]
    assert set(owners) == therapists
    assert sum(1 for e in journal.entries if e.session_key) >= 40


def test_dates_within_the_year_and_aware(journal: JournalData) -> None:
    first, last = demo_year()
    for stamp in _all_datetimes(journal):
        assert stamp.tzinfo is not None and stamp.utcoffset() is not None
        assert first <= stamp.date() <= last
    for frame in journal.frame:
        assert first <= frame.start <= last
        assert frame.end is None or frame.start <= frame.end <= last
    for absence in journal.absences:
        assert first <= absence.start <= absence.end <= last


def test_other_start_moves_by_whole_weeks() -> None:
    moved = build_demo_journal(start=dt.date(2026, 1, 7))  # a Wednesday
    first, last = demo_year(dt.date(2026, 1, 7))
    assert first == dt.date(2026, 1, 12) and first.weekday() == 0
    assert moved.sessions[0].starts_at.date() == first
    assert all(first <= s.date() <= last for s in _all_datetimes(moved))
    base = build_demo_journal()
    assert [s.starts_at.weekday() for s in moved.sessions] == [
        s.starts_at.weekday() for s in base.sessions
    ]


def test_three_sessions_a_week_except_breaks(journal: JournalData) -> None:
    weeks = Counter(s.starts_at.isocalendar()[:2] for s in journal.sessions)
    last_week = demo_year()[1].isocalendar()[:2]
    assert weeks.pop(last_week) == 1  # the year's 365th day is a Monday
    assert set(weeks.values()) == {3}
    assert 46 <= len(weeks) <= 48  # 52 weeks minus the two breaks
    breaks = [(a.start, a.end) for a in journal.absences if (a.end - a.start).days >= 13]
    assert len(breaks) == 2
    for lo, hi in breaks:
        assert not any(lo <= s.starts_at.date() <= hi for s in journal.sessions)


def test_session_variety(journal: JournalData) -> None:
    status = Counter(s.status for s in journal.sessions)
    assert status["held"] > 0.85 * len(journal.sessions)
    assert status["cancelled_by_me"] >= 3 and status["cancelled_by_therapist"] >= 3
    assert status["missed"] >= 2
    modality = Counter(s.modality for s in journal.sessions)
    assert modality["in_person"] > 0.75 * len(journal.sessions)
    assert modality["video"] >= 1 and modality["phone"] >= 1
    hours = {s.starts_at.strftime("%H:%M") for s in journal.sessions}
    assert len(hours) == 2  # the change of session times


def test_short_absences_cancel_sessions(journal: JournalData) -> None:
    short = [a for a in journal.absences if (a.end - a.start).days < 13]
    assert len(short) >= 3
    for s in journal.sessions:
        if any(a.start <= s.starts_at.date() <= a.end for a in short):
            assert s.status == "cancelled_by_therapist"


def test_frame_has_owners_changes_and_an_end(journal: JournalData) -> None:
    assert {f.owner for f in journal.frame} == {"mine", "therapist", "agreed"}
    assert any(f.end for f in journal.frame if f.owner == "mine")
    no_calls = next(f for f in journal.frame if "No phone calls" in f.text)
    broken = [
        c for c in journal.contacts
        if c.kind == "call" and c.initiated_by == "me" and c.at.date() >= no_calls.start
    ]
    assert broken, "the no-calls rule is broken at least once"


def test_contacts_are_complete(journal: JournalData) -> None:
    kinds = {c.kind for c in journal.contacts}
    assert kinds == {"call", "voicemail", "text", "email", "letter"}
    assert {c.initiated_by for c in journal.contacts} == {"me", "therapist"}
    for c in journal.contacts:
        assert c.feeling_word and c.feeling_rating in range(1, 6) and c.note
        assert c.answered_at is None or (c.answered and c.answered_at >= c.at)


def test_checkin_answers_follow_the_instrument(journal: JournalData) -> None:
    held = {s.key for s in journal.sessions if s.status == "held"}
    posts = [c for c in journal.checkins if c.instrument == "attunement-alliance-v1"]
    pres = [c for c in journal.checkins if c.instrument == "attunement-pre-v1"]
    assert 0.75 * len(held) <= len(posts) <= len(held)
    assert 20 <= len(pres) < len(posts)
    for c in posts:
        assert c.timing == "post" and c.session_key in held
        assert all(c.answers[i] in range(1, 6) for i in ITEMS)
        extra = {"tension_strength", "tension_resolved"}
        assert extra <= c.answers.keys() if c.answers["tension"] else not extra & c.answers.keys()
    for c in pres:
        assert c.timing == "pre" and set(c.answers) == {"connected"}
        assert c.answers["connected"] in range(1, 6)


@pytest.mark.parametrize("seed", [7, 1, 2, 3, 42])
def test_scores_ebb_and_flow_with_dips(seed: int) -> None:
    scored = _post_scores(build_demo_journal(seed=seed))
    scores = [s for s, _ in scored]
    assert 3.8 <= statistics.median(scores) <= 4.5
    dips = _dips(scores)
    assert 4 <= len(dips) <= 7
    for lo, hi in dips:
        assert any(t for _, t in scored[lo : hi + 1]), "tension is reported on a dip"
    # All but the last recover; the last is the open rupture at the end of the year.
    for _, hi in dips[:-1]:
        assert max(scores[hi + 1 : hi + 4]) >= statistics.median(scores) - 0.5
    assert dips[-1][1] == len(scores) - 1


def test_slow_decline_before_summer(journal: JournalData) -> None:
    scores = [s for s, _ in _post_scores(journal)]
    summer = next(a for a in journal.absences if "Summer" in a.note)
    posts = sorted(
        (c for c in journal.checkins if c.timing == "post"), key=lambda c: c.completed_at
    )
    june = [s for s, c in zip(scores, posts, strict=True) if c.completed_at.month == 6]
    assert statistics.mean(june[:3]) - statistics.mean(june[-3:]) >= 0.8
    assert summer.start.month == 7


def test_entries_are_real_prose(journal: JournalData) -> None:
    for e in journal.entries:
        words = len(e.body.split())
        assert 80 <= words <= 400, (e.title, words)
        assert e.source == "demo" and e.title
    assert len({e.body for e in journal.entries}) == 100
    assert 5 <= sum(e.starred for e in journal.entries) <= 20
    tags = Counter(t for e in journal.entries for t in e.tags)
    for tag in ("session", "rupture", "repair", "between sessions", "dream", "work"):
        assert tags[tag] >= 2, tag
    times = [e.written_at for e in journal.entries]
    assert times == sorted(times)


def test_entries_spread_across_the_year(journal: JournalData) -> None:
    months = Counter((e.written_at.year, e.written_at.month) for e in journal.entries)
    assert len(months) == 12
    assert min(months.values()) >= 5


def test_comments_threaded(journal: JournalData) -> None:
    with_comments = [e for e in journal.entries if e.comments]
    assert 8 <= len(with_comments) <= 12
    deepest = 0
    for e in with_comments:
        by_key = {c.key: c for c in e.comments}
        for c in e.comments:
            assert c.posted_at > e.written_at
            depth, node = 0, c
            while node.parent_key is not None:
                parent = by_key[node.parent_key]  # a parent is in the same entry
                assert parent.posted_at < node.posted_at
                depth, node = depth + 1, parent
            deepest = max(deepest, depth)
    assert deepest >= 3


def test_unsaid_open_and_brought_up(journal: JournalData) -> None:
    brought = [u for u in journal.unsaid if u.brought_up_at]
    still_open = [u for u in journal.unsaid if not u.brought_up_at]
    assert len(brought) >= 6 and len(still_open) >= 2
    assert all(u.brought_up_at and u.brought_up_at > u.created_at for u in brought)
    assert sum(1 for u in journal.unsaid if u.session_key) >= 8
