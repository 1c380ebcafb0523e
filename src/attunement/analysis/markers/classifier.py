"""The marker classifier: multinomial logistic regression on embedding + rule features.

A coarse head picks one of the five labels; one head per non-``none`` label picks the
subtype. Coarse probabilities are divided by a temperature fitted on a validation fold,
so the confidence is calibrated. Everything is numpy at run time; training uses
scipy's L-BFGS.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from attunement.analysis.markers.rules import FEATURE_NAMES, features
from attunement.analysis.markers.taxonomy import LABELS, SUBTYPES

RULE_SCALE = 0.5  # rule features are 0/1; this keeps their L2 cost comparable to the embedding's


def rule_matrix(texts: Sequence[str]) -> np.ndarray:
    """Rule features for many sentences, (n, len(FEATURE_NAMES)) float32."""
    if not texts:
        return np.zeros((0, len(FEATURE_NAMES)), dtype=np.float32)
    return np.asarray([features(t) for t in texts], dtype=np.float32)


def design(emb: np.ndarray, rules: np.ndarray | None, use_rules: bool = True) -> np.ndarray:
    """The model input: the embedding, then the scaled rule features (if used)."""
    if not use_rules or rules is None:
        return emb.astype(np.float32)
    return np.hstack([emb, RULE_SCALE * rules]).astype(np.float32)


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax."""
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def fit_logreg(
    X: np.ndarray,
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
    X64 = X.astype(np.float64)

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        W = theta[: d * n_classes].reshape(d, n_classes)
        b = theta[d * n_classes :]
        P = softmax(X64 @ W + b)
        nll = -np.sum(weights * np.log(np.sum(P * Y, axis=1) + 1e-12))
        G = (P - Y) * weights[:, None]
        gW = X64.T @ G + l2 * W
        return nll + 0.5 * l2 * np.sum(W * W), np.concatenate([gW.ravel(), G.sum(axis=0)])

    theta0 = np.zeros(d * n_classes + n_classes)
    res = minimize(loss, theta0, jac=True, method="L-BFGS-B", options={"maxiter": 500})
    W = res.x[: d * n_classes].reshape(d, n_classes).astype(np.float32)
    return W, res.x[d * n_classes :].astype(np.float32)


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
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
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
    sub_heads: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    meta: dict[str, str] = field(default_factory=dict)

    def logits(self, X: np.ndarray) -> np.ndarray:
        """Uncalibrated coarse logits."""
        return X @ self.W + self.b

    def proba(self, X: np.ndarray) -> np.ndarray:
        """Calibrated coarse probabilities, (n, 5) in LABELS order."""
        return softmax(self.logits(X) / self.temperature)

    def subtype(self, X: np.ndarray, labels: Sequence[str]) -> list[str | None]:
        """The most likely subtype for each row, given its coarse label."""
        out: list[str | None] = []
        for row, label in zip(X, labels, strict=True):
            head = self.sub_heads.get(label)
            if head is None:
                out.append(None)
                continue
            W, b = head
            out.append(SUBTYPES[label][int(np.argmax(row @ W + b))])
        return out

    def save(self, path: Path) -> None:
        """Write the weights to an .npz file."""
        arrays: dict[str, np.ndarray] = {
            "W": self.W, "b": self.b,
            "temperature": np.array(self.temperature, dtype=np.float32),
            "use_rules": np.array(self.use_rules),
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
                W=z["W"], b=z["b"], temperature=float(z["temperature"]),
                use_rules=bool(z["use_rules"]), sub_heads=heads, meta=meta,
            )
