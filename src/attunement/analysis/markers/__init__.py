"""Markers of rupture and repair in the words of a journal, one label per sentence.

    from attunement.analysis.markers import analyze
    for m in analyze(text):
        print(m.label, m.subtype, m.confidence, [text[s:e] for s, e in m.evidence])

Labels: withdrawal, confrontation, client_repair, therapist_repair, none (see taxonomy).
Offsets (``start``, ``end``, ``evidence``) are absolute character offsets into ``text``.
A sentence the model cannot read (not English, no words, only emoji) gets ``none`` with
uniform probabilities (confidence 0.2) and a flag saying why. Pure Python + numpy +
onnxruntime; no Django.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from attunement.analysis.markers.classifier import MarkerModel
from attunement.analysis.markers.corrections import (
    CORRECTION_COSINE,
    Correction,
    Match,
    correction_matrix,
    nearest_corrections,
)
from attunement.analysis.markers.evidence import choose_evidence
from attunement.analysis.markers.split import Sentence, split_sentences
from attunement.analysis.markers.taxonomy import LABEL_INDEX, LABELS, SUBTYPES
from attunement.analysis.markers.text import clean_for_model, readable_english

__all__ = [
    "CORRECTION_COSINE",
    "LABELS",
    "MODEL_VERSION",
    "SUBTYPES",
    "Correction",
    "SentenceMarker",
    "analyze",
    "analyze_many",
    "split_sentences",
]

MODEL_PATH = Path(__file__).parent / "model" / "markers.npz"
FLAG_NOT_ENGLISH = "not_english"
FLAG_NO_WORDS = "no_words"
FLAG_CORRECTED = "follows_correction"
FLAG_TOO_LONG = "not_read_too_long"
# Work per document is bounded: past this many sentences, or this many words (a long
# entry is a few thousand), the rest are returned unread (label none, flag
# not_read_too_long), so 1 MB pasted on one line still comes back in seconds.
MAX_SENTENCES_READ = 2000
MAX_WORDS_READ = 20_000


@dataclass(frozen=True)
class SentenceMarker:
    """The reading of one sentence: label, subtype, calibrated confidence and evidence spans."""

    index: int
    start: int
    end: int
    text: str
    label: str
    subtype: str | None
    confidence: float
    evidence: tuple[tuple[int, int], ...]
    probs: dict[str, float] = field(default_factory=dict)
    flags: tuple[str, ...] = ()


@functools.lru_cache(maxsize=1)
def load_model() -> MarkerModel:
    """The shipped classifier weights (loaded once)."""
    return MarkerModel.load(MODEL_PATH)


def _model_version() -> str:
    try:
        return load_model().meta.get("model_version", "unknown")
    except (OSError, KeyError, ValueError):
        return "untrained"


MODEL_VERSION = _model_version()


def analyze(text: str, corrections: Sequence[Correction] | None = None) -> list[SentenceMarker]:
    """Read every sentence of one text for markers."""
    return analyze_many([text], corrections)[0]


def analyze_many(
    texts: Sequence[str], corrections: Sequence[Correction] | None = None
) -> list[list[SentenceMarker]]:
    """Read many texts at once (one embedding batch across all of them)."""
    docs = [split_sentences(t if isinstance(t, str) else "") for t in texts]
    budgets = [_sentences_to_read(doc) for doc in docs]
    flat = [s for doc, read in zip(docs, budgets, strict=True) for s in doc[:read]]
    readings = _read_sentences(flat, corrections or ())
    out: list[list[SentenceMarker]] = []
    pos = 0
    for doc, read in zip(docs, budgets, strict=True):
        rest = [_unread(s, (FLAG_TOO_LONG,)) for s in doc[read:]]
        out.append(readings[pos : pos + read] + rest)
        pos += read
    return out


def _sentences_to_read(doc: list[Sentence]) -> int:
    """How many leading sentences of one document fit the sentence and word budgets."""
    words = 0
    for k, s in enumerate(doc[:MAX_SENTENCES_READ]):
        words += len(s.text.split())
        if words > MAX_WORDS_READ:
            return k
    return min(len(doc), MAX_SENTENCES_READ)


def _read_sentences(
    sents: list[Sentence], corrections: Sequence[Correction]
) -> list[SentenceMarker]:
    """Classify sentences (from any number of documents) in one pass."""
    if not sents:
        return []
    from attunement.analysis.embed import embed, embed_pooled

    model = load_model()
    cleaned = [clean_for_model(s.text) for s in sents]
    flags = [_flags(c) for c in cleaned]
    readable = [i for i, f in enumerate(flags) if not f]
    texts_r = [cleaned[i] for i in readable]
    # One forward pass: the classifier reads the wide features, corrections the mean vector.
    mean, emb = embed_pooled(texts_r)
    X = model.inputs(emb, texts_r)
    probs = model.proba(X)
    labels = [LABELS[k] for k in probs.argmax(axis=1)]
    subtypes = model.subtype(X, labels)
    matches: list[Match | None] = [None] * len(readable)
    if corrections:
        matches = nearest_corrections(mean, corrections, correction_matrix(corrections, embed))
    for k, m in enumerate(matches):
        if m is not None:
            labels[k], subtypes[k] = m.correction.label, m.correction.subtype
            probs[k] = _corrected_probs(probs[k], m)
    sent_texts = [sents[i].text for i in readable]
    evidence = choose_evidence(sent_texts, labels, functools.partial(_score_clauses, model, emb))
    result = [_unread(s, f) for s, f in zip(sents, flags, strict=True)]
    for k, i in enumerate(readable):
        s = sents[i]
        result[i] = SentenceMarker(
            index=s.index,
            start=s.start,
            end=s.end,
            text=s.text,
            label=labels[k],
            subtype=subtypes[k] if labels[k] != "none" else None,
            confidence=float(probs[k].max()),
            evidence=tuple((s.start + a, s.start + b) for a, b in evidence[k]),
            probs={lab: float(p) for lab, p in zip(LABELS, probs[k], strict=True)},
            flags=(FLAG_CORRECTED,) if matches[k] is not None else (),
        )
    return result


def _flags(cleaned: str) -> tuple[str, ...]:
    """Why a sentence cannot be read by the model, if it cannot."""
    if not any(c.isalpha() for c in cleaned):
        return (FLAG_NO_WORDS,)
    return () if readable_english(cleaned) else (FLAG_NOT_ENGLISH,)


def _unread(s: Sentence, flags: tuple[str, ...]) -> SentenceMarker:
    """The defined reading of a sentence the model cannot read."""
    uniform = 1.0 / len(LABELS)
    return SentenceMarker(
        index=s.index,
        start=s.start,
        end=s.end,
        text=s.text,
        label="none",
        subtype=None,
        confidence=uniform,
        evidence=(),
        probs=dict.fromkeys(LABELS, uniform),
        flags=flags,
    )


def _corrected_probs(p: np.ndarray, m: Match) -> np.ndarray:
    """Put the correction's confidence on its label; share the rest as the model did."""
    k = LABEL_INDEX[m.correction.label]
    rest = np.delete(p, k)
    rest = rest / rest.sum() * (1.0 - m.confidence) if rest.sum() > 0 else rest
    return np.insert(rest, k, m.confidence)


def _score_clauses(
    model: MarkerModel,
    sent_emb: np.ndarray,
    clause_texts: list[str],
    owners: list[int],
    labels: list[str],
) -> np.ndarray:
    """Each clause's probability for its sentence's label from its own words and rules.

    The sentence embedding stands in for the clause's own (it is the same for every clause
    of a sentence, so the choice rests on the clause's cue words, n-grams and actor rules);
    embedding every clause again would halve the throughput.
    """
    cleaned = [clean_for_model(t) for t in clause_texts]
    p = model.proba(model.inputs(sent_emb[owners], cleaned))
    return p[np.arange(len(labels)), [LABEL_INDEX[lab] for lab in labels]]
