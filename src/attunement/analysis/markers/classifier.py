"""The marker classifier: multinomial logistic regression on embedding + rule features.

The embedding block is mean and max over the tokens of the last layer and of layer 4
(1,536 numbers from one forward pass, see ``analysis.embed``); beside it sit the rule
features and hashed word n-grams of the normalised sentence (contractions spelled out, the
therapist and other people as one token each, see ``text.normalise_for_ngrams``). A coarse
head scores the five labels and a fine head every subtype (and kinds of ``none``); the
label's score adds the two heads' log-probabilities, and the fine head gives the subtype.
The combined score is divided by a temperature fitted on a calibration fold, so the
confidence is calibrated. Everything is numpy (plus scipy.sparse) at run time; training uses scipy's
L-BFGS.
"""

from __future__ import annotations

import itertools
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from attunement.analysis.markers.rules import FEATURE_NAMES, features
from attunement.analysis.markers.taxonomy import LABELS, SUBTYPES
from attunement.analysis.markers.text import normalise_for_ngrams

RULE_SCALE = 0.5  # rule features are 0/1; this keeps their L2 cost comparable to the embedding's
# Hashed word unigrams + bigrams. The data's 36,671 distinct grams share these buckets (14,609
# used), so rare grams collide; 1 << 17 buckets measured group 3-fold CV macro-F1 0.856
# against 0.854 here, at 2.8 times the training time and 23 MB more memory: not kept.
NGRAM_DIM = 1 << 14
# The n-gram block weighs twice its unit norm: with one L2 strength for every block, this
# lets the word features carry more (group 3-fold CV on the training part: 0.806 vs 0.801).
NGRAM_SCALE = 2.0
# Bumped whenever the design matrix changes meaning; a weights file from another version
# would read the wrong columns, so loading it is refused.
FEATURE_VERSION = 4  # 3: normalised n-grams at weight 2, fine head; 4: 'd and Dr. read better
_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?|[?!\"]")


def ngram_matrix(texts: Sequence[str], normalise: bool = True) -> sp.csr_matrix:
    """Hashed, L2-normalised binary word uni/bigram features of the normalised texts (sparse).

    ``normalise=False`` reads the lower-cased text as it is (the ablation in evaluate).
    """
    rows: list[int] = []
    cols: list[int] = []
    for i, t in enumerate(texts):
        low = normalise_for_ngrams(t) if normalise else t.lower().replace("’", "'")
        words = _TOKEN.findall(low)
        grams = set(words) | {f"{a} {b}" for a, b in itertools.pairwise(words)}
        idx = sorted({zlib.crc32(g.encode()) % NGRAM_DIM for g in grams})
        rows.extend([i] * len(idx))
        cols.extend(idx)
    counts = (
        np.bincount(np.asarray(rows, dtype=np.int64), minlength=len(texts))
        if rows
        else np.zeros(len(texts))
    )
    rows_arr = np.asarray(rows, dtype=np.int64)
    vals: Any = 1.0 / np.sqrt(np.maximum(counts, 1))[rows_arr] if rows else []
    return sp.csr_matrix((vals, (rows, cols)), shape=(len(texts), NGRAM_DIM), dtype=np.float32)


def rule_matrix(texts: Sequence[str]) -> np.ndarray:
    """Rule features for many sentences, (n, len(FEATURE_NAMES)) float32."""
    if not texts:
        return np.zeros((0, len(FEATURE_NAMES)), dtype=np.float32)
    return np.asarray([features(t) for t in texts], dtype=np.float32)


def design(
    emb: np.ndarray,
    rules: np.ndarray | None,
    use_rules: bool = True,
    ngrams: sp.csr_matrix | None = None,
) -> sp.csr_matrix:
    """The model input: embedding, scaled rule features (if used), n-grams (if given)."""
    blocks: list[object] = [sp.csr_matrix(emb.astype(np.float32))]
    if use_rules and rules is not None:
        blocks.append(sp.csr_matrix(RULE_SCALE * rules.astype(np.float32)))
    if ngrams is not None:
        blocks.append(NGRAM_SCALE * ngrams)
    return sp.hstack(blocks, format="csr", dtype=np.float32)


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax."""
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def fit_logreg(
    X: sp.csr_matrix,
    y: np.ndarray,
    n_classes: int,
    l2: float,
    balanced: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Fit multinomial logistic regression with an L2 penalty; returns (W, b)."""
    from scipy.optimize import minimize

    n, d = X.shape
    counts = np.bincount(y, minlength=n_classes).astype(np.float64)
    weights = np.ones(n)
    if balanced:
        cw = n / (n_classes * np.maximum(counts, 1))
        weights = cw[y]
    weights = weights / weights.sum()
    Y = np.eye(n_classes)[y]
    # Mostly-filled columns (embedding, rules) go through dense BLAS, the rest (n-grams)
    # stay sparse: far faster than one sparse product over everything.
    dense_cols = np.flatnonzero(X.getnnz(axis=0) > 0.2 * max(n, 1))
    sparse_cols = np.setdiff1d(np.arange(d), dense_cols)
    Xd = X[:, dense_cols].toarray().astype(np.float64)
    Xs = sp.csr_matrix(X[:, sparse_cols], dtype=np.float64)
    order = np.concatenate([dense_cols, sparse_cols])
    k = len(dense_cols)

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        W = theta[: d * n_classes].reshape(d, n_classes)
        b = theta[d * n_classes :]
        P = softmax(Xd @ W[:k] + np.asarray(Xs @ W[k:]) + b)
        nll = -np.sum(weights * np.log(np.sum(P * Y, axis=1) + 1e-12))
        G = (P - Y) * weights[:, None]
        gW = np.vstack([Xd.T @ G, np.asarray(Xs.T @ G)]) + l2 * W
        return nll + 0.5 * l2 * np.sum(W * W), np.concatenate([gW.ravel(), G.sum(axis=0)])

    theta0 = np.zeros(d * n_classes + n_classes)
    res = minimize(loss, theta0, jac=True, method="L-BFGS-B", options={"maxiter": 500})
    W_sorted = res.x[: d * n_classes].reshape(d, n_classes)
    W = np.empty_like(W_sorted)
    W[order] = W_sorted  # back to the design's column order
    return W.astype(np.float32), res.x[d * n_classes :].astype(np.float32)


def fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """The temperature that minimises validation log-loss."""
    from scipy.optimize import minimize_scalar

    def nll(t: float) -> float:
        P = softmax(logits / t)
        return float(-np.mean(np.log(P[np.arange(len(y)), y] + 1e-12)))

    return float(minimize_scalar(nll, bounds=(0.05, 20.0), method="bounded").x)


def ece(probs: np.ndarray, y: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error of the top-label confidence."""
    conf = probs.max(axis=1)
    correct = probs.argmax(axis=1) == y
    edges = np.linspace(0, 1, bins + 1)
    total = 0.0
    for lo, hi in itertools.pairwise(edges):
        sel = (conf > lo) & (conf <= hi)
        if sel.any():
            total += sel.mean() * abs(conf[sel].mean() - correct[sel].mean())
    return float(total)


# The fine head's classes: every subtype of the four marker labels, and "none" cut by kind
# (how the none sentences of the data were written: a negated or a hypothetical marker,
# another person, therapy logistics; otherwise by the subject of the main clause). A coarse
# label is a union of very different phrasings; a linear head per phrasing family, summed
# back to its label, draws a far better boundary than one linear head per label.
NONE_TAG_KINDS: tuple[str, ...] = (
    "negation_hard",
    "hypothetical",
    "other_person_hard",
    "logistics_hard",
)
NONE_SUBJECT_KINDS: tuple[str, ...] = ("writer", "therapist")
NONE_KINDS: tuple[str, ...] = ("", *NONE_TAG_KINDS, *NONE_SUBJECT_KINDS)
FINE_CLASSES: tuple[tuple[str, str], ...] = tuple(
    (label, kind) for label in LABELS for kind in (SUBTYPES[label] or NONE_KINDS)
)
FINE_INDEX = {cls: i for i, cls in enumerate(FINE_CLASSES)}
# Each label's fine classes, as a (n_fine, n_labels) 0/1 matrix: fine probabilities @ it
# are label probabilities.
FINE_TO_LABEL = np.array(
    [[float(label == lab) for lab in LABELS] for label, _ in FINE_CLASSES], dtype=np.float32
)
# Each label's share of the fine classes (therapist_repair has 11 of 39, client_repair 5).
# The fine head is fitted with class-balanced weights, so before it reads a word it gives a
# label this share. Dividing it out, for a flat prior as in the coarse head, was measured
# and not kept: group 3-fold CV macro-F1 on the training part 0.852 against 0.854 (it
# moved withdrawal sentences to client_repair).
FINE_LABEL_SHARE = FINE_TO_LABEL.mean(axis=0)


def combined_logits(
    X: sp.csr_matrix,
    coarse: tuple[np.ndarray, np.ndarray],
    fine: tuple[np.ndarray, np.ndarray],
) -> np.ndarray:
    """Log label probabilities of the fine head (summed per label) plus the coarse head's.

    Adding the two log-probabilities is a product of experts: a label wins where both heads
    agree it is likely. (Group 3-fold CV macro-F1 on the training part: the coarse head
    alone 0.810, both heads 0.843; docs/markers.md has the steps between.)
    """
    fine_p = softmax(np.asarray(X @ fine[0]) + fine[1]) @ FINE_TO_LABEL
    coarse_z = np.asarray(X @ coarse[0]) + coarse[1]
    coarse_log = coarse_z - coarse_z.max(axis=1, keepdims=True)
    coarse_log -= np.log(np.exp(coarse_log).sum(axis=1, keepdims=True))
    return np.log(fine_p + 1e-9) + coarse_log


@dataclass
class MarkerModel:
    """Weights of the coarse and fine heads, plus the calibration temperature."""

    W: np.ndarray
    b: np.ndarray
    temperature: float
    use_rules: bool
    use_ngrams: bool = True
    fine_W: np.ndarray | None = None
    fine_b: np.ndarray | None = None
    meta: dict[str, str] = field(default_factory=dict)

    def inputs(self, emb: np.ndarray, texts: Sequence[str]) -> sp.csr_matrix:
        """The design matrix this model expects for embedded, cleaned sentences."""
        rules = rule_matrix(texts) if self.use_rules else None
        return design(emb, rules, self.use_rules, ngram_matrix(texts) if self.use_ngrams else None)

    def _fine(self) -> tuple[np.ndarray, np.ndarray]:
        if self.fine_W is None or self.fine_b is None:
            raise ValueError("This marker model has no fine head; retrain it.")
        return self.fine_W, self.fine_b

    def logits(self, X: sp.csr_matrix) -> np.ndarray:
        """Uncalibrated coarse logits (the two heads combined)."""
        return combined_logits(X, (self.W, self.b), self._fine())

    def proba(self, X: sp.csr_matrix) -> np.ndarray:
        """Calibrated coarse probabilities, (n, 5) in LABELS order."""
        return softmax(self.logits(X) / self.temperature)

    def subtype(self, X: sp.csr_matrix, labels: Sequence[str]) -> list[str | None]:
        """The most likely subtype for each row given its coarse label (from the fine head)."""
        out: list[str | None] = [None] * len(labels)
        rows = [i for i, lab in enumerate(labels) if SUBTYPES[lab]]
        if not rows:
            return out
        W, b = self._fine()
        scores = np.asarray(X[rows] @ W) + b
        for r, i in enumerate(rows):
            cols = [FINE_INDEX[(labels[i], sub)] for sub in SUBTYPES[labels[i]]]
            out[i] = SUBTYPES[labels[i]][int(np.argmax(scores[r, cols]))]
        return out

    def save(self, path: Path) -> None:
        """Write the weights to an .npz file."""
        fine_W, fine_b = self._fine()
        arrays: dict[str, np.ndarray] = {
            "W": self.W.astype(np.float16),
            "b": self.b,
            "fine_W": fine_W.astype(np.float16),
            "fine_b": fine_b,
            "fine_classes": np.array([f"{label}/{kind}" for label, kind in FINE_CLASSES]),
            "temperature": np.array(self.temperature, dtype=np.float32),
            "use_rules": np.array(self.use_rules),
            "use_ngrams": np.array(self.use_ngrams),
            "feature_version": np.array(FEATURE_VERSION),
            "meta_keys": np.array(list(self.meta.keys())),
            "meta_values": np.array(list(self.meta.values())),
        }
        np.savez_compressed(path, **arrays)  # type: ignore[arg-type]

    @classmethod
    def load(cls, path: Path) -> MarkerModel:
        """Read weights written by :meth:`save`."""
        with np.load(path, allow_pickle=False) as z:
            version = int(z["feature_version"]) if "feature_version" in z else 2
            if version != FEATURE_VERSION:
                raise ValueError(
                    f"{path} holds marker weights for features version {version}, but this "
                    f"code builds version {FEATURE_VERSION}; retrain with "
                    "`python -m attunement.analysis.markers.train`."
                )
            stored = tuple(tuple(c.split("/", 1)) for c in z["fine_classes"].tolist())
            if stored != FINE_CLASSES:
                raise ValueError(
                    f"{path} was trained for other marker classes than this code's taxonomy; "
                    "retrain with `python -m attunement.analysis.markers.train`."
                )
            meta = dict(zip(z["meta_keys"].tolist(), z["meta_values"].tolist(), strict=True))
            return cls(
                W=z["W"].astype(np.float32),
                b=z["b"],
                temperature=float(z["temperature"]),
                use_rules=bool(z["use_rules"]),
                use_ngrams=bool(z["use_ngrams"]),
                fine_W=z["fine_W"].astype(np.float32),
                fine_b=z["fine_b"],
                meta=meta,
            )
