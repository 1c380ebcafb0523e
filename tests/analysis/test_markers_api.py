"""Tests for the public API of attunement.analysis.markers."""

import json
from pathlib import Path

import pytest

from attunement.analysis.markers import LABELS, MODEL_VERSION, SentenceMarker, analyze, analyze_many
from attunement.analysis.markers.taxonomy import SUBTYPES

DATA = Path(__file__).parents[1] / "data" / "markers"


def own_sentences():
    return [json.loads(line) for line in (DATA / "own_sentences.jsonl").read_text().splitlines()]


def test_model_version_is_set():
    assert MODEL_VERSION not in ("", "untrained", "unknown")


def test_fields_offsets_and_probs():
    text = "# Monday\nIn session I went quiet and stared at the rug. She said she felt it too."
    out = analyze(text)
    assert [m.index for m in out] == list(range(len(out)))
    for m in out:
        assert isinstance(m, SentenceMarker)
        assert text[m.start : m.end] == m.text
        assert m.label in LABELS
        assert m.subtype is None or m.subtype in SUBTYPES[m.label]
        assert 0.0 <= m.confidence <= 1.0
        assert set(m.probs) == set(LABELS)
        assert abs(sum(m.probs.values()) - 1.0) < 1e-4
        assert m.confidence == pytest.approx(m.probs[m.label])
        for a, b in m.evidence:
            assert m.start <= a < b <= m.end


def test_non_none_markers_have_evidence_none_has_none():
    for m in analyze("I went quiet and said nothing for the rest of the hour. The bus was late."):
        assert bool(m.evidence) == (m.label != "none")


def test_own_sentences_mostly_right():
    rows = own_sentences()
    preds = analyze_many([r["text"] for r in rows])
    assert all(len(p) == 1 for p in preds)
    right = sum(p[0].label == r["label"] for p, r in zip(preds, rows))
    assert right / len(rows) >= 0.75, [(r["text"], p[0].label) for p, r in zip(preds, rows)]


def test_actor_and_negation_cases():
    labels = [
        m.label
        for m in analyze(
            "I told her I was angry about the fees. She said she felt the distance too. "
            "My boss shouted at me and I shouted back."
        )
    ]
    assert labels == ["confrontation", "therapist_repair", "none"]


def test_analyze_many_equals_analyze():
    texts = ["I shut down again.", "", "She apologised. I felt close to her."]
    many = analyze_many(texts)
    assert many == [analyze(t) for t in texts]
