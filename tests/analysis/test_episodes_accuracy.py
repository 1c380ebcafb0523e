"""Detection accuracy on generated series with known injected dips (the issue's 'done means').

Settings: the instrument's between-person SD is known (it is the unit of dip depth and the
detector's spread floor), session noise is 0.35 of it, 5 % of sessions are unrated. Depths are
drawn from 1–3 SD. Figures for other settings are in docs/research.md.
"""

from __future__ import annotations

import pytest

from attunement.analysis.episodes import detect_episodes
from attunement.analysis.series_gen import Score, generate_series, score_detection

N_SERIES = 120
N_SESSIONS = 150


def _run(ceiling: bool, step: float | None = None, seed0: int = 0):
    strict_deep, strict_all, found_deep = Score(0, 0, 0), Score(0, 0, 0), Score(0, 0, 0)
    for seed in range(seed0, seed0 + N_SERIES):
        g = generate_series(N_SESSIONS, seed=seed, noise=0.35, ceiling=ceiling, step=step)
        eps = detect_episodes(g.ratings, instrument=g.instrument)
        strict = [e for e in eps if "strict_2sd" in e.criteria]
        deep = [d for d in g.dips if d.depth_sd >= 2.0]
        strict_deep = _add(strict_deep, score_detection(strict, deep))
        strict_all = _add(strict_all, score_detection(strict, g.dips))
        found_deep = _add(found_deep, score_detection(eps, deep))
    return strict_deep, strict_all, found_deep


def _add(a: Score, b: Score) -> Score:
    return Score(a.true_pos + b.true_pos, a.false_pos + b.false_pos, a.missed + b.missed)


@pytest.mark.parametrize(("ceiling", "step"), [(False, None), (True, None), (True, 0.5)])
def test_strict_criterion_precision_and_recall_for_deep_dips(ceiling, step):
    strict_deep, strict_all, found_deep = _run(ceiling, step)
    assert strict_deep.true_pos + strict_deep.missed > 300  # enough dips to mean something
    assert strict_deep.recall >= 0.9
    # precision: strict episodes that match any injected dip (a 1.9-SD dip is still real)
    assert strict_all.precision >= 0.9
    # any criterion finds the deep dips
    assert found_deep.recall >= 0.95


@pytest.mark.parametrize("ceiling", [False, True])
def test_flat_noise_gives_at_most_one_false_episode_per_100_sessions(ceiling):
    false, sessions = 0, 0
    for seed in range(100):
        g = generate_series(200, seed=50_000 + seed, noise=0.35, ceiling=ceiling, dips=False)
        false += len(detect_episodes(g.ratings, instrument=g.instrument))
        sessions += 200
    assert 100 * false / sessions <= 1.0


def test_flat_noise_strict_criterion_with_coarse_rounding():
    # Half-point steps on a 1-7 scale make 1-SD ties common; the strict criterion holds.
    false, sessions = 0, 0
    for seed in range(100):
        g = generate_series(200, seed=60_000 + seed, noise=0.35, step=0.5, dips=False)
        eps = detect_episodes(g.ratings, instrument=g.instrument)
        false += sum("strict_2sd" in e.criteria for e in eps)
        sessions += 200
    assert 100 * false / sessions <= 1.0


def test_without_known_sd_the_one_sd_criterion_is_noisy():
    # Documented limitation: judged only against its own spread, pure noise crosses 1 SD
    # often. This pins the behaviour the docs describe (about 10 in 100 sessions).
    false, sessions = 0, 0
    for seed in range(40):
        g = generate_series(200, seed=70_000 + seed, noise=0.35, dips=False)
        false += len(detect_episodes(g.ratings))
        sessions += 200
    assert 5.0 <= 100 * false / sessions <= 15.0


def test_generator_is_seeded_and_dips_are_realised():
    a = generate_series(100, seed=3)
    b = generate_series(100, seed=3)
    assert [r.score for r in a.ratings if not r.missing] == [
        r.score for r in b.ratings if not r.missing]
    for d in a.dips:
        low = a.ratings[d.low].score
        assert low == pytest.approx(a.level - d.depth_sd * a.sd)
        assert 1.0 <= d.depth_sd <= 3.0
    assert len(a.dips) >= 3
    missing = sum(r.missing for r in generate_series(2000, seed=1, dips=False).ratings)
    assert 60 <= missing <= 140  # about 5 %
