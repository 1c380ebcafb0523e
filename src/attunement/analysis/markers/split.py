"""Sentence splitting for journal text, with offsets into the original string.

Journal text is messy: dialogue in quotes, abbreviations, ellipses, Markdown lists and
headings, and long lower-case phone typing with no punctuation at all. The rules:

- every line is its own unit (list items, headings and quotes are lines); a Markdown prefix
  (``#``, ``>``, ``-``, ``*``, ``+``, ``1.``, ``1)``, ``[ ]``) is left out of the span;
- within a line, a sentence ends at ``. ! ? …`` (plus closing quotes/brackets) followed by
  space, except after a known abbreviation or an initial, inside a paired double quote, or
  when an ellipsis, ``?`` / ``!`` or a closing quote is followed by a lower-case word
  ("Why?" she asked.);
- a sentence longer than ``MAX_WORDS`` words is cut at the last comma or conjunction before
  the cap (or at the cap itself), and one longer than ``MAX_CHARS`` characters without
  spaces is cut hard, so 1 MB on one line becomes many bounded sentences;
- pieces with no letter, digit or symbol (e.g. ``---``) are dropped.

``Sentence.text == text[start:end]`` always holds.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_WORDS = 60
MIN_CUT_WORDS = 12
MAX_CHARS = 600
_QUOTE_SPAN_LIMIT = 1000

_LINE = re.compile(r"[^\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]+")
_PREFIX = re.compile(
    r"[ \t]*(?:>[ \t]*)*(?:#{1,6}[ \t]+|[-*+•‣◦][ \t]+|\d{1,9}[.)][ \t]+)?(?:\[[ xX]\][ \t]+)?"
)
_TERMINATOR = re.compile(r"(?:\.{2,}|…|[.!?]+)[\"”’')\]»*_]*(?=\s|$)")
_WORD = re.compile(r"\S+")
_QUOTE_CHARS = re.compile(r"[\"“”«»]")
_CONJUNCTIONS = frozenset(
    [
        "and",
        "but",
        "so",
        "then",
        "because",
        "or",
        "cause",
        "cuz",
        "coz",
        "when",
        "while",
        "although",
        "though",
        "until",
        "after",
        "before",
        "which",
        "since",
        "yet",
    ]
)
ABBREVIATIONS = frozenset(
    [
        "dr",
        "mr",
        "mrs",
        "ms",
        "mx",
        "prof",
        "st",
        "jr",
        "sr",
        "vs",
        "etc",
        "e.g",
        "eg",
        "i.e",
        "ie",
        "cf",
        "approx",
        "appt",
        "min",
        "mins",
        "hr",
        "hrs",
        "no",
        "a.m",
        "p.m",
        "am",
        "pm",
        "mt",
        "ft",
        "lt",
        "sgt",
        "rev",
        "co",
        "inc",
        "ltd",
        "dept",
        "est",
        "fig",
        "vol",
        "pp",
        "ca",
    ]
)


@dataclass(frozen=True)
class Sentence:
    """One sentence: its position in the document and its exact original text."""

    index: int
    start: int
    end: int
    text: str


def split_sentences(text: str) -> list[Sentence]:
    """Split text into sentences whose spans index into the original string."""
    spans: list[tuple[int, int]] = []
    for line in _LINE.finditer(text):
        prefix = _PREFIX.match(text, line.start(), line.end())
        body_start = prefix.end() if prefix else line.start()
        for s, e in _split_line(text, body_start, line.end()):
            for cs, ce in _cap_length(text, s, e):
                span = _trim(text, cs, ce)
                if span and _has_content(text[span[0] : span[1]]):
                    spans.append(span)
    return [Sentence(i, s, e, text[s:e]) for i, (s, e) in enumerate(spans)]


def _quote_regions(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Paired double-quote regions (open, close) on a line; unpaired quotes are ignored."""
    regions: list[tuple[int, int]] = []
    open_at = -1
    for m in _QUOTE_CHARS.finditer(text, start, end):
        ch, pos = m.group(), m.start()
        if open_at < 0:
            if ch in '"“«':
                open_at = pos
        elif ch in '"”»':
            if pos - open_at <= _QUOTE_SPAN_LIMIT:
                regions.append((open_at, pos))
            open_at = -1
        elif pos - open_at > _QUOTE_SPAN_LIMIT:
            open_at = pos
    return regions


def _split_line(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans within one line."""
    regions = _quote_regions(text, start, end)
    out: list[tuple[int, int]] = []
    cur = start
    ri = 0
    for m in _TERMINATOR.finditer(text, start, end):
        while ri < len(regions) and regions[ri][1] < m.start():
            ri += 1
        inside = ri < len(regions) and regions[ri][0] < m.start() and regions[ri][1] >= m.end()
        if inside or not _is_boundary(text, m, end):
            continue
        out.append((cur, m.end()))
        cur = m.end()
    if cur < end:
        out.append((cur, end))
    return out


def _is_boundary(text: str, m: re.Match[str], line_end: int) -> bool:
    """Whether a terminator match really ends a sentence."""
    nxt = _next_visible(text, m.end(), line_end)
    if nxt is None:
        return True
    punct = m.group()
    core = punct.rstrip("\"”’')]»*_")
    next_lower = nxt.islower()
    if core != "." or punct != core:
        # Ellipses, ?/! and closing quotes carry on into a lower-case word ("Why?" she asked).
        return not next_lower
    word = _word_before(text, m.start())
    if word.lower() in ABBREVIATIONS:
        return False
    # A single capital letter is an initial ("J. Smith"), but "I." ends a sentence.
    return not (len(word) == 1 and word.isalpha() and word.isupper() and word != "I")


def _next_visible(text: str, pos: int, end: int) -> str | None:
    """The next non-space character before end, or None."""
    for i in range(pos, min(end, pos + 64)):
        if not text[i].isspace():
            return text[i]
    return None


def _word_before(text: str, pos: int) -> str:
    """The word that ends right before pos, without opening punctuation."""
    i = pos
    while i > 0 and not text[i - 1].isspace() and pos - i < 40:
        i -= 1
    return text[i:pos].lstrip("\"“'‘([*_")


def _cap_length(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut a span longer than MAX_WORDS words at comma/conjunction boundaries."""
    words = [(m.start(), m.end()) for m in _WORD.finditer(text, start, end)]
    out: list[tuple[int, int]] = []
    cur, first = start, 0
    while len(words) - first > MAX_WORDS:
        cut_word = _best_cut(text, words, first)
        cut = words[cut_word][0]
        out.append((cur, cut))
        cur, first = cut, cut_word
    out.append((cur, end))
    return [piece for s, e in out for piece in _cap_chars(s, e)]


def _best_cut(text: str, words: list[tuple[int, int]], first: int) -> int:
    """Index of the word that should start the next piece."""
    best = first + MAX_WORDS
    for k in range(first + MAX_WORDS, first + MIN_CUT_WORDS, -1):
        _prev_s, prev_e = words[k - 1]
        if text[prev_e - 1] in ",;:—–":
            return k
        if best == first + MAX_WORDS and text[words[k][0] : words[k][1]].lower() in _CONJUNCTIONS:
            best = k
    return best


def _cap_chars(start: int, end: int) -> list[tuple[int, int]]:
    """Hard-cut pieces longer than MAX_CHARS (text without spaces)."""
    return [(s, min(s + MAX_CHARS, end)) for s in range(start, end, MAX_CHARS)] or [(start, end)]


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Shrink a span to exclude surrounding whitespace; None if nothing is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def _has_content(piece: str) -> bool:
    """Whether a piece holds any letter, digit or symbol (emoji count)."""
    return any(unicodedata.category(c)[0] in "LNS" for c in piece)
