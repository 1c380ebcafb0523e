"""Text cleaning before the model sees a sentence (offsets are never taken from this)."""

from __future__ import annotations

import re
import unicodedata

_LINK = re.compile(r"!?\[([^\]]{0,300})\]\([^)]{0,500}\)")
_EMPHASIS = re.compile(r"(\*{1,3}|_{1,3}|~~|`+)")
_SPACES = re.compile(r"\s+")
_ASCII_LETTER = re.compile(r"[A-Za-z]")
ENGLISH_WORDS = frozenset(
    [
        "i",
        "me",
        "my",
        "you",
        "she",
        "he",
        "her",
        "him",
        "it",
        "we",
        "they",
        "the",
        "a",
        "an",
        "and",
        "but",
        "or",
        "so",
        "to",
        "of",
        "in",
        "on",
        "at",
        "for",
        "with",
        "was",
        "is",
        "am",
        "are",
        "be",
        "been",
        "not",
        "no",
        "don't",
        "didn't",
        "can't",
        "it's",
        "im",
        "dont",
        "didnt",
        "just",
        "that",
        "this",
        "what",
        "when",
        "how",
        "why",
        "like",
        "feel",
        "felt",
        "said",
        "told",
        "about",
        "today",
        "again",
    ]
)


def clean_for_model(text: str) -> str:
    """Replace control characters, drop Markdown emphasis/links, fold spaces, curly quotes."""
    chars = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cs", "Co", "Cn") or ch == "\ufffd":
            chars.append(" ")
        elif ch in "’‘":
            chars.append("'")
        elif ch in "“”":
            chars.append('"')
        else:
            chars.append(ch)
    out = _LINK.sub(r"\1", "".join(chars))
    out = _EMPHASIS.sub("", out)
    return _SPACES.sub(" ", out).strip()


def readable_english(text: str) -> bool:
    """Whether the model can read the sentence: mostly Latin letters, some English words."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    latin = sum(1 for c in letters if c.isascii())
    if latin / len(letters) < 0.6:
        return False
    words = re.findall(r"[a-z']+", text.lower())
    if len(words) < 4:
        return True
    return any(w in ENGLISH_WORDS for w in words)
