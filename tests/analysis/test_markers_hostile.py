"""Hostile input to attunement.analysis.markers.analyze: each has a defined result."""

from pathlib import Path

from attunement.analysis.markers import (
    FLAG_NO_WORDS,
    FLAG_NOT_ENGLISH,
    FLAG_TOO_LONG,
    MAX_SENTENCES_READ,
    MAX_WORDS_READ,
    analyze,
)
from attunement.analysis.markers.split import MAX_CHARS, MAX_WORDS, split_sentences

DATA = Path(__file__).parents[1] / "data" / "markers"


def test_empty_text():
    assert analyze((DATA / "empty.txt").read_text()) == []
    assert analyze("   \n\n\t") == []


def one_megabyte_line() -> str:
    return ("i keep thinking about what she said and i dont know why it hurts so much " * 14000)[
        : 1 << 20
    ]


def test_one_megabyte_on_one_line_splits_into_bounded_sentences():
    line = one_megabyte_line()
    out = split_sentences(line)
    assert len(out) > 1000
    assert all(len(s.text.split()) <= MAX_WORDS and len(s.text) <= MAX_CHARS for s in out)


def test_one_megabyte_on_one_line_reads_the_first_sentences_and_flags_the_rest():
    line = one_megabyte_line()
    out = analyze(line)
    assert len(out) == len(split_sentences(line)) > MAX_SENTENCES_READ
    assert all(line[m.start : m.end] == m.text for m in out)
    n_read = next(i for i, m in enumerate(out) if FLAG_TOO_LONG in m.flags)
    read, unread = out[:n_read], out[n_read:]
    assert 0 < n_read <= MAX_SENTENCES_READ
    words = [len(m.text.split()) for m in out]
    assert sum(words[:n_read]) <= MAX_WORDS_READ < sum(words[: n_read + 1])
    assert all(not m.flags for m in read)
    assert all(
        m.label == "none" and m.flags == (FLAG_TOO_LONG,) and m.evidence == () for m in unread
    )
    assert out[-1].end <= len(line)


def test_many_short_sentences_stop_at_the_sentence_cap():
    text = "ok. " * (MAX_SENTENCES_READ + 5)
    out = analyze(text)
    assert len(out) == MAX_SENTENCES_READ + 5
    assert [FLAG_TOO_LONG in m.flags for m in out].index(True) == MAX_SENTENCES_READ


def test_binary_garbage_does_not_crash():
    raw = (DATA / "binary_garbage.bin").read_bytes()
    for text in (raw.decode("utf-8", errors="replace"), raw.decode("latin-1")):
        out = analyze(text)
        assert all(text[m.start : m.end] == m.text for m in out)
        assert all(m.label == "none" or not m.flags for m in out)


def test_control_characters_are_ignored_by_the_model():
    text = (DATA / "control_chars.txt").read_text()
    out = analyze(text)
    assert next(m.text for m in out).startswith("i went quiet")
    assert all(text[m.start : m.end] == m.text for m in out)


def test_emoji_only_is_none_with_flag():
    out = analyze((DATA / "emoji_only.txt").read_text())
    assert len(out) == 2
    assert all(m.label == "none" and m.flags == (FLAG_NO_WORDS,) for m in out)
    assert all(m.confidence == 0.2 and m.evidence == () for m in out)


def test_fifty_languages():
    lines = (DATA / "fifty_languages.txt").read_text().splitlines()
    assert len(lines) == 50
    out = analyze("\n".join(lines))
    assert len(out) == 50
    non_latin = [m for m in out if not any(c.isascii() and c.isalpha() for c in m.text)]
    assert len(non_latin) >= 20
    assert all(m.label == "none" and FLAG_NOT_ENGLISH in m.flags for m in non_latin)


def test_non_string_in_batch():
    from attunement.analysis.markers import analyze_many

    assert analyze_many([None, 3]) == [[], []]  # type: ignore[list-item]
