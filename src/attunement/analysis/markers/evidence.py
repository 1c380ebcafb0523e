"""Evidence: the character spans of a sentence that carry its marker.

Where a cue phrase of the predicted label fired (and is not negated), its span is the
evidence. Otherwise the sentence is cut into clauses (at commas, semicolons, dashes, quote
marks and conjunctions) and the clause the model itself rates most likely to carry the
label is the evidence; a one-clause sentence is its own evidence.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence

import numpy as np

from attunement.analysis.markers.rules import cue_hits

Span = tuple[int, int]
_CLAUSE_CUT = re.compile(
    r"[,;:—–()\"“”]|\s-\s|\b(?:but|and|so|because|though|although|then|while|when|until)\b",
    re.IGNORECASE,
)
MIN_CLAUSE_CHARS = 8


def cue_spans(text: str, label: str) -> list[Span]:
    """Spans of non-negated cue phrases for label."""
    return [(h.start, h.end) for h in cue_hits(text) if h.label == label and not h.negated]


def clauses(text: str) -> list[Span]:
    """Clause spans of a sentence, trimmed; tiny fragments are merged into their neighbour."""
    cuts = [0, *(m.start() for m in _CLAUSE_CUT.finditer(text)), len(text)]
    spans: list[Span] = []
    for s, e in itertools.pairwise(cuts):
        s2, e2 = _trim(text, s, e)
        if e2 <= s2:
            continue
        if spans and (e2 - s2 < MIN_CLAUSE_CHARS or spans[-1][1] - spans[-1][0] < MIN_CLAUSE_CHARS):
            spans[-1] = (spans[-1][0], e2)
        else:
            spans.append((s2, e2))
    return spans or [(0, len(text))]


def _trim(text: str, s: int, e: int) -> Span:
    """Shrink a span past spaces and clause punctuation."""
    junk = ' \t,;:—–()"“”-.!?'
    while s < e and text[s] in junk:
        s += 1
    while e > s and text[e - 1] in junk:
        e -= 1
    return s, e


def choose_evidence(
    texts: Sequence[str],
    labels: Sequence[str],
    clause_scorer: Callable[[list[str], list[int], list[str]], np.ndarray],
) -> list[tuple[Span, ...]]:
    """Evidence spans per sentence; clause_scorer(clauses, owners, labels) gives probabilities."""
    result: list[tuple[Span, ...]] = [() for _ in texts]
    pending: list[tuple[int, list[Span]]] = []
    for i, (text, label) in enumerate(zip(texts, labels, strict=True)):
        if label == "none":
            continue
        cues = cue_spans(text, label)
        if cues:
            result[i] = tuple(cues)
            continue
        parts = clauses(text)
        if len(parts) == 1:
            result[i] = (parts[0],)
        else:
            pending.append((i, parts))
    if pending:
        clause_texts = [texts[i][s:e] for i, parts in pending for s, e in parts]
        owners = [i for i, parts in pending for _ in parts]
        scores = clause_scorer(clause_texts, owners, [labels[i] for i in owners])
        pos = 0
        for i, parts in pending:
            best = int(np.argmax(scores[pos : pos + len(parts)]))
            result[i] = (parts[best],)
            pos += len(parts)
    return result
