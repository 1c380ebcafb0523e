"""The marker classifier: multinomial logistic regression on embedding + rule features.

The embedding block is mean and max over the tokens of the last layer and of layer 4
(1,536 numbers from one forward pass, see ``analysis.embed``); beside it sit the rule
features and hashed word n-grams. A coarse head picks one of the five labels; one head per
non-``none`` label picks the subtype. Coarse logits are divided by a temperature fitted on
a validation fold, so the confidence is calibrated. Everything is numpy (plus
scipy.sparse) at run time; training uses scipy's L-BFGS.
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

RULE_SCALE = 0.5  # rule features are 0/1; this keeps their L2 cost comparable to the embedding's
NGRAM_DIM = 1 << 14  # hashed word unigrams + bigrams; collisions are rare at this size
_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?|[?!\"]")


def ngram_matrix(texts: Sequence[str]) -> sp.csr_matrix:
    """Hashed, L2-normalised binary word uni/bigram features (sparse)."""
    rows: list[int] = []
    cols: list[int] = []
    for i, t in enumerate(texts):
        words = _TOKEN.findall(t.lower().replace("’", "'"))
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
        blocks.append(ngrams)
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


@dataclass
class MarkerModel:
    """Weights of the coarse and subtype heads, plus the calibration temperature."""

    W: np.ndarray
    b: np.ndarray
    temperature: float
    use_rules: bool
    use_ngrams: bool = True
    sub_heads: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    meta: dict[str, str] = field(default_factory=dict)

    def inputs(self, emb: np.ndarray, texts: Sequence[str]) -> sp.csr_matrix:
        """The design matrix this model expects for embedded, cleaned sentences."""
        rules = rule_matrix(texts) if self.use_rules else None
        return design(emb, rules, self.use_rules, ngram_matrix(texts) if self.use_ngrams else None)

    def logits(self, X: sp.csr_matrix) -> np.ndarray:
        """Uncalibrated coarse logits."""
        return np.asarray(X @ self.W) + self.b

    def proba(self, X: sp.csr_matrix) -> np.ndarray:
        """Calibrated coarse probabilities, (n, 5) in LABELS order."""
        return softmax(self.logits(X) / self.temperature)

    def subtype(self, X: sp.csr_matrix, labels: Sequence[str]) -> list[str | None]:
        """The most likely subtype for each row, given its coarse label."""
        out: list[str | None] = [SUBTYPES[lab][0] if SUBTYPES[lab] else None for lab in labels]
        for label, (W, b) in self.sub_heads.items():
            rows = [i for i, lab in enumerate(labels) if lab == label]
            if rows:
                best = (np.asarray(X[rows] @ W) + b).argmax(axis=1)
                for i, k in zip(rows, best, strict=True):
                    out[i] = SUBTYPES[label][int(k)]
        return out

    def save(self, path: Path) -> None:
        """Write the weights to an .npz file."""
        arrays: dict[str, np.ndarray] = {
            "W": self.W.astype(np.float16),
            "b": self.b,
            "temperature": np.array(self.temperature, dtype=np.float32),
            "use_rules": np.array(self.use_rules),
            "use_ngrams": np.array(self.use_ngrams),
            "meta_keys": np.array(list(self.meta.keys())),
            "meta_values": np.array(list(self.meta.values())),
        }
        for label, (W, b) in self.sub_heads.items():
            arrays[f"sub_{label}_W"] = W.astype(np.float16)
            arrays[f"sub_{label}_b"] = b
        np.savez_compressed(path, **arrays)  # type: ignore[arg-type]

    @classmethod
    def load(cls, path: Path) -> MarkerModel:
        """Read weights written by :meth:`save`."""
        with np.load(path, allow_pickle=False) as z:
            heads = {
                label: (z[f"sub_{label}_W"].astype(np.float32), z[f"sub_{label}_b"])
                for label in LABELS
                if f"sub_{label}_W" in z
            }
            meta = dict(zip(z["meta_keys"].tolist(), z["meta_values"].tolist(), strict=True))
            return cls(
                W=z["W"].astype(np.float32),
                b=z["b"],
                temperature=float(z["temperature"]),
                use_rules=bool(z["use_rules"]),
                use_ngrams="use_ngrams" in z and bool(z["use_ngrams"]),
                sub_heads=heads,
                meta=meta,
            )
