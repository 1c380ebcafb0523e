"""Tests for attunement.analysis.markers.rules and evidence."""

from attunement.analysis.markers.evidence import clauses
from attunement.analysis.markers.rules import FEATURE_NAMES, cue_hits, features


def named(text: str) -> set[str]:
    return {n for n, v in zip(FEATURE_NAMES, features(text)) if v}


def test_feature_vector_length():
    assert len(features("anything")) == len(FEATURE_NAMES)


def test_negated_cue():
    hits = cue_hits("I didn't shut down this time.")
    assert [(h.label, h.negated) for h in hits] == [("withdrawal", True)]
    assert "neg_cue_withdrawal" in named("I didn't shut down this time.")
    assert "cue_withdrawal" not in named("I didn't shut down this time.")


def test_negation_does_not_cross_a_clause():
    assert [h.negated for h in cue_hits("I wasn't sure, but I shut down.")] == [False]


def test_actor_features():
    assert {"th_subject", "th_speech"} <= named("She said she felt it too.")
    assert "fp_speech" in named("I told her I was angry.")
    assert "quote_by_therapist" in named('She said, "I am not going anywhere."')


def test_other_people_without_therapy():
    assert "other_without_therapy" in named("My boss shouted at me.")
    assert "other_without_therapy" not in named("My boss came up in session.")


def test_clauses_cover_and_trim():
    text = 'I said "fine", but inside I was screaming and she kept going.'
    spans = clauses(text)
    assert len(spans) >= 2
    assert all(text[s:e] == text[s:e].strip(' ,"') for s, e in spans)
