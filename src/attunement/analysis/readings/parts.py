"""Parts language: "a part of me", "the little one", "one of us", named parts, system "we".

Reading it never suggests that anyone has parts (see RESEARCH.md section 7): the
result only lets the entry page show who may be speaking, in the writer's own words.
"We" counts only where the sentence makes the plural self clear (system words like
"fronting" or "headmates"), never for "we talked" with the therapist.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from attunement.analysis.readings.text import gated, keyword_gate

PartsKind = Literal["phrase", "named", "we"]

_ADJ = (r"little|young|younger|older|angry|scared|frightened|protective|protector|hurt|wounded"
        r"|child|teenage|critical|inner|sad|lonely|small|hidden|quiet|furious|ashamed|frozen")
_PHRASE = re.compile(
    r"\b(?:a |one |another |some |the |that |this |every )?parts? of (?:me|myself|us)\b"
    r"|\b(?:the|one|another|a|an|this|that|my|our|every|some) (?:(?:" + _ADJ + r") )?parts?"
    r" (?:that|who|which|inside|in me|in here|of me)\b"
    r"|\b(?:a|an|the|this|that|my|our|one|another) (?:" + _ADJ + r") parts?\b"
    r"|\b(?:my|our|the) parts\b(?! of (?!me\b|us\b|myself\b))"
    r"|\bthe little ones?\b|\b(?:the|my|our) littles\b"
    r"|\b(?:one|some|two|most|none|all|the rest|each|either|neither|a few|any) of us"
    r"(?: inside| in here)?\b(?! (?:in the (?:group|room|family|class|office)))"
    r"|\b(?:the|our|my) system\b(?=\s+(?:is|was|were|are|feels|felt|has|had|went|needs)\b)"
    r"|\b(?:headmates?|alters?|insiders|co-?fronting|fronting|fronted)\b"
    r"|\bsomeone (?:else )?(?:inside|in here)\b",
    re.IGNORECASE)
# "We" only where the same sentence speaks of the system itself.
_SYSTEM_WORD = re.compile(r"\b(?:system|front(?:ing|ed)?|co-?front(?:ing)?|headmates?|alters?"
                          r"|insiders|switch(?:ed|ing)|littles?|inside)\b", re.IGNORECASE)
_WE = re.compile(r"\b(?:we|us|our|ourselves)\b(?!\s+(?:talked|spoke|discussed|agreed|met|worked"
                 r"|started|ended|finished|had a session|looked at|went over|both|two))",
                 re.IGNORECASE)
_WITH_THERAPIST = re.compile(r"\b(?:she and I|he and I|they and I|(?:with|and) (?:her|him)"
                             r" we|in session|the session|she|he)\b", re.IGNORECASE)


_GATE = keyword_gate(("part", "little", " of us", "system", "headmate", "alter", "insider",
                      "front", "inside", "in here"))
_WE_GATE = keyword_gate(("system", "front", "headmate", "alter", "insider", "switch", "little",
                         "inside"))


@dataclass(frozen=True)
class PartsMention:
    """Words that speak of parts or of a plural self, with their span."""

    kind: PartsKind
    text: str
    start: int
    end: int
    name: str | None = None  # for a named part: the name as the user listed it


@lru_cache(maxsize=32)
def _named(names: tuple[str, ...]) -> re.Pattern[str] | None:
    # Names are matched as written (case matters): "Ash" the part, not "ash" the tree.
    parts = [re.escape(n.strip()) for n in sorted(names, key=len, reverse=True) if n.strip()]
    if not parts:
        return None
    return re.compile(r"(?<![\w-])(?:" + "|".join(parts) + r")(?![\w-])")


def find_parts(text: str, sents: list[tuple[int, int]],
               known_parts: tuple[str, ...] = ()) -> list[PartsMention]:
    """Parts language in a normalised text."""
    found: list[PartsMention] = []
    for start, end in gated(text, sents, _GATE):
        found.extend(PartsMention("phrase", m.group(), m.start(), m.end())
                     for m in _PHRASE.finditer(text, start, end))
    named = _named(known_parts)
    if named is not None:
        found.extend(PartsMention("named", m.group(), m.start(), m.end(), m.group())
                     for m in named.finditer(text))
    for start, end in gated(text, sents, _WE_GATE):
        sentence = text[start:end]
        if (not _SYSTEM_WORD.search(sentence)
                or _WITH_THERAPIST.search(sentence)):
            continue
        found.extend(PartsMention("we", m.group(), start + m.start(), start + m.end())
                     for m in _WE.finditer(sentence))
    return _dedupe(found)


def _dedupe(found: list[PartsMention]) -> list[PartsMention]:
    """Keep the first-listed of overlapping mentions, in text order."""
    kept: list[PartsMention] = []
    for f in sorted(found, key=lambda f: (f.start, -(f.end - f.start))):
        if kept and f.start < kept[-1].end:
            continue
        kept.append(f)
    return kept
