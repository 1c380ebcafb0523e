"""Tests for attunement.analysis.markers.lexicon (second set of rule features)."""

from attunement.analysis.markers.lexicon import LEXICON_FEATURES, lexicon_features, main_subject


def named(text: str) -> set[str]:
    values = lexicon_features(text.lower())
    assert len(values) == len(LEXICON_FEATURES)
    return {n for n, v in zip(LEXICON_FEATURES, values) if v}


def test_main_subject_skips_a_leading_clause():
    assert main_subject("when she asked about the break, i said it didn't matter.") == "i"
    assert main_subject("after i cried, she said she was still here.") == "she"
    assert main_subject("my boss shouted at me.") == ""
    assert main_subject("then my therapist apologised.") == "my therapist"


def test_writer_saying_a_denial_or_a_complaint():
    assert "writer_says_denial" in named("I told her it honestly didn't matter to me.")
    assert "writer_says_denial" not in named("It didn't matter to her.")
    assert "writer_says_complaint" in named("I said the fees are unfair.")
    assert "writer_says_self_critical" in named("I said I'm hopeless at this.")


def test_therapist_acting_and_other_subject():
    assert {"main_subject_therapist", "therapist_subject_acts"} <= named(
        "She asked what it was like for me."
    )
    assert "main_subject_other" in named("The bus was late again.")
