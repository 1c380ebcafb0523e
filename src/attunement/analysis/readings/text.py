"""Shared text helpers for the readings: sentences, clauses, negation, therapist words.

Everything works on character offsets into the original text, so every reading can
point at its evidence. Patterns are compiled once at import (or once per set of
therapist names, cached), which keeps a 300-word entry well under a millisecond or two.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Curly apostrophes are swapped for straight ones before matching; the swap keeps
# every offset, so spans still point into the original text.
_APOS = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})

# A sentence ends at . ! ? (with closing quotes) before a space, at a blank line, or at
# a line break before a Markdown list item or heading. A single line break alone does
# not end one: journals are often hard-wrapped. Titles like "Dr." do not end one.
_SENT_END = re.compile(r"[.!?]+[\"')\]]*(?=\s)|\n[ \t]*\n\s*|\n(?=[ \t]*(?:[-*+#>]|\d+[.)])\s)")
_TITLES = ("Dr.", "Mr.", "Mrs.", "Ms.", "St.")
_CLAUSE_BREAK = re.compile(r"[,;:()\u2014\u2013]|\s-\s|\b(?:but|though|although|because|so|and|or"
                           r"|while|whereas|yet)\b", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z']+")
NEGATORS = frozenset({"not", "never", "no", "nor", "without", "hardly", "cannot", "nothing",
                      "nobody", "neither", "longer"})
# Phrases with a negative word that do not negate what follows them.
_NEUTRAL = re.compile(
    r"\b(?:(?:don't|do not|didn't|did not) know(?: why| how| what| if| whether)?"
    r"|(?:can't|cannot|couldn't|could not) (?:stop|help)|not sure why|no matter)\b",
    re.IGNORECASE)

THERAPIST_WORDS = (r"my (?:therapist|t|analyst|counsell?or|psychotherapist|psychologist|shrink"
                   r"|psychoanalyst)")
OTHER_KIN = (r"mum|mom|mother|mummy|mommy|dad|father|daddy|sister|brother|grandma|grandmother"
             r"|grandpa|grandfather|gran|granny|nan|nana|grandad|aunt|auntie|uncle|cousin|son"
             r"|daughter|wife|husband|partner|boyfriend|girlfriend|ex|boss|manager|friend"
             r"|colleague|teacher|doctor|gp|psychiatrist|flatmate|roommate|neighbou?r"
             r"|stepmother|stepfather|stepmum|stepmom|stepdad|kids?|child|baby")


def normalise(text: str) -> str:
    """The text with curly apostrophes made straight (same length, same offsets)."""
    return text.translate(_APOS)


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans (start, end), trimmed of surrounding space."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENT_END.finditer(text):
        if text.endswith(_TITLES, 0, m.end()):
            continue
        end = m.start() if m.group().startswith("\n") else m.end()
        _add_trimmed(text, start, end, spans)
        start = m.end()
    _add_trimmed(text, start, len(text), spans)
    return spans


def _add_trimmed(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    chunk = text[start:end]
    stripped = chunk.strip()
    if stripped:
        lead = len(chunk) - len(chunk.lstrip())
        spans.append((start + lead, start + lead + len(stripped)))


def clause_prefix(text: str, sent_start: int, pos: int) -> str:
    """The words between the last clause break (within the sentence) and ``pos``."""
    before = text[sent_start:pos]
    cut = 0
    for m in _CLAUSE_BREAK.finditer(before):
        cut = m.end()
    return before[cut:]


def negated(prefix: str, window: int = 4) -> bool:
    """Whether one of the last few words before a phrase negates it."""
    prefix = _NEUTRAL.sub(" ", prefix)
    words = [w.lower() for w in _WORD.findall(prefix)][-window:]
    return any(w in NEGATORS or w.endswith("n't") for w in words)


def therapist_alternation(names: tuple[str, ...]) -> str:
    """A regex alternation for words that name the therapist: titles, 'T', given names."""
    escaped = [re.escape(n) for n in sorted(names, key=len, reverse=True) if n.strip()]
    parts = [THERAPIST_WORDS, r"(?-i:T)\b", *escaped]
    return "(?:" + "|".join(parts) + ")"


@lru_cache(maxsize=32)
def therapist_mention(names: tuple[str, ...]) -> re.Pattern[str]:
    """Matches an explicit mention of the therapist (not a bare pronoun)."""
    return re.compile(r"\b" + therapist_alternation(names) + r"\b", re.IGNORECASE)


_OTHER_PERSON = re.compile(r"\b(?:my|our|his|her|their)\s+(?:" + OTHER_KIN + r")s?\b",
                           re.IGNORECASE)


def mentions_other_person(sentence: str) -> bool:
    """Whether a sentence names someone by family or social role (not the therapist)."""
    return _OTHER_PERSON.search(sentence) is not None


def keyword_gate(keywords: tuple[str, ...]) -> re.Pattern[str]:
    """A cheap literal search run before the costly patterns (lower-case keywords)."""
    # Searched in a lower-cased copy: a case-sensitive literal alternation is ~6x
    # faster in Python's re than the same pattern with IGNORECASE.
    return re.compile("|".join(re.escape(k.lower()) for k in keywords))


def gated(text: str, sents: list[tuple[int, int]], gate: re.Pattern[str]
          ) -> list[tuple[int, int]]:
    """The sentences holding a gate keyword, found in one pass over the text."""
    lower = text.lower()
    if len(lower) != len(text):
        return sents  # a rare letter whose lower case is longer: no shortcut, read all
    hits = [m.start() for m in gate.finditer(lower)]
    if not hits:
        return []
    out: list[tuple[int, int]] = []
    i = 0
    for sent in sents:
        while i < len(hits) and hits[i] < sent[0]:
            i += 1
        if i < len(hits) and hits[i] < sent[1]:
            out.append(sent)
    return out
