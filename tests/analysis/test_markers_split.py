"""Tests for attunement.analysis.markers.split."""

from hypothesis import given, settings
from hypothesis import strategies as st

from attunement.analysis.markers.split import MAX_CHARS, MAX_WORDS, split_sentences


def texts(t: str) -> list[str]:
    return [s.text for s in split_sentences(t)]


def test_dialogue_stays_with_its_speaker():
    t = 'She said, "I\'m not going anywhere." Then she waited.'
    assert texts(t) == ['She said, "I\'m not going anywhere."', "Then she waited."]


def test_question_in_quotes_followed_by_attribution():
    assert texts('"Why?" she asked. I said nothing.') == ['"Why?" she asked.', "I said nothing."]


def test_sentence_inside_quote_is_not_split():
    t = 'She said "I am here. I will be here." I cried.'
    assert texts(t) == ['She said "I am here. I will be here."', "I cried."]


def test_abbreviations_and_ellipsis():
    t = "I saw Dr. Smith and Mrs. Jones, e.g. on Monday. It was ok... i guess. Then what?"
    assert texts(t) == [
        "I saw Dr. Smith and Mrs. Jones, e.g. on Monday.",
        "It was ok... i guess.",
        "Then what?",
    ]


def test_markdown_prefixes_are_left_out():
    t = "# Session\n- i felt far away\n* she noticed\n1. one thing. Two things.\n> a quote\n---\n"
    assert texts(t) == [
        "Session",
        "i felt far away",
        "she noticed",
        "one thing.",
        "Two things.",
        "a quote",
    ]


def test_phone_typing_without_punctuation_is_capped():
    t = "i went to session and she said we were drifting and i said nothing " * 10
    parts = split_sentences(t)
    assert len(parts) > 1
    assert all(len(p.text.split()) <= MAX_WORDS for p in parts)
    assert " ".join(p.text for p in parts).split() == t.split()


def test_lowercase_sentences_after_full_stop_split():
    assert texts("i called her. she picked up") == ["i called her.", "she picked up"]


def test_long_run_without_spaces_is_cut():
    parts = split_sentences("x" * (MAX_CHARS * 3 + 5))
    assert [p.end - p.start for p in parts] == [MAX_CHARS] * 3 + [5]


def test_empty_and_blank():
    assert split_sentences("") == []
    assert split_sentences(" \n\t \r\n") == []


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_spans_are_exact_ordered_and_disjoint(t):
    parts = split_sentences(t)
    last_end = 0
    for i, p in enumerate(parts):
        assert p.index == i
        assert last_end <= p.start < p.end <= len(t)
        assert p.text == t[p.start : p.end]
        assert p.text == p.text.strip()
        last_end = p.end


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "I",
                "said",
                ".",
                "?",
                '"',
                "“",
                "”",
                " ",
                "\n",
                "- ",
                "# ",
                "Dr.",
                "...",
                "and",
                ",",
                "é",
                "🙂",
                "\x00",
            ]
        ),
        max_size=80,
    )
)
def test_structured_noise(tokens):
    t = "".join(tokens)
    parts = split_sentences(t)
    assert all(p.text == t[p.start : p.end] for p in parts)
    assert all(len(p.text.split()) <= MAX_WORDS for p in parts)
