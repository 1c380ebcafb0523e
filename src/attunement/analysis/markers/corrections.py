"""Per-journal corrections: a sentence close in meaning to one the user relabelled follows it.

Pure functions: the caller (the service that stores corrections) passes them in. The
nearest corrected sentence wins if its cosine similarity is at least ``CORRECTION_COSINE``;
the confidence grows from 0.5 at the threshold to 1.0 for the very same wording.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from attunement.analysis.markers.taxonomy import is_valid

CORRECTION_COSINE = 0.85


@dataclass(frozen=True)
class Correction:
    """The user's label for a sentence: its text (or embedding) and the label it should have."""

    text: str
    label: str
    subtype: str | None = None
    embedding: tuple[float, ...] | None = None


@dataclass(frozen=True)
class Match:
    """A corrected neighbour that a sentence follows."""

    correction: Correction
    similarity: float

    @property
    def confidence(self) -> float:
        """0.5 at the threshold, rising linearly to 1.0 at identical meaning."""
        span = 1.0 - CORRECTION_COSINE
        return float(min(1.0, 0.5 + 0.5 * max(0.0, self.similarity - CORRECTION_COSINE) / span))


def correction_matrix(
    corrections: Sequence[Correction], embed_fn: Callable[[list[str]], np.ndarray]
) -> np.ndarray:
    """Embeddings of the corrections (using stored ones where given)."""
    missing = [c.text for c in corrections if c.embedding is None]
    fresh = iter(embed_fn(missing)) if missing else iter(())
    rows = [
        np.asarray(c.embedding, dtype=np.float32) if c.embedding is not None else next(fresh)
        for c in corrections
    ]
    return np.vstack(rows).astype(np.float32) if rows else np.zeros((0, 384), np.float32)


def nearest_corrections(
    emb: np.ndarray,
    corrections: Sequence[Correction],
    corr_emb: np.ndarray,
    threshold: float = CORRECTION_COSINE,
) -> list[Match | None]:
    """For each sentence embedding, the nearest correction at or above threshold, else None."""
    valid = [i for i, c in enumerate(corrections) if is_valid(c.label, c.subtype)]
    if not valid or len(emb) == 0:
        return [None] * len(emb)
    sims = emb @ corr_emb[valid].T
    best = sims.argmax(axis=1)
    out: list[Match | None] = []
    for row, j in enumerate(best):
        s = float(sims[row, j])
        out.append(Match(corrections[valid[j]], s) if s >= threshold else None)
    return out
