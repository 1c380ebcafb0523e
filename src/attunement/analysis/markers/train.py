"""Train the marker classifier and write the weights file.

    python -m attunement.analysis.markers.train [--data DIR] [--out PATH]

Protocol: hold out ~20% of groups as the test split; drop near-duplicates of test sentences
from training; pick the L2 strength by group 3-fold cross-validation on the training part;
fit the temperature on a calibration fold of training groups. The shipped weights are then
refitted on all the data with the chosen L2 and temperature (the held-out figures in
docs/markers.md come from ``evaluate``, which keeps the test split out).
"""

from __future__ import annotations

import argparse
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from attunement.analysis.markers import dataset as ds
from attunement.analysis.markers.classifier import (
    MarkerModel,
    design,
    fit_logreg,
    fit_temperature,
    ngram_matrix,
    rule_matrix,
)
from attunement.analysis.markers.taxonomy import LABELS, SUBTYPES

MODEL_PATH = Path(__file__).parent / "model" / "markers.npz"
L2_GRID = (3e-5, 1e-4)  # 3e-4 never won the group CV
SUB_L2 = 3e-4
MODEL_SERIES = "2"


@dataclass
class Prepared:
    """Examples with their embeddings, rule features and coarse label indices."""

    examples: list[ds.Example]
    emb: np.ndarray
    rules: np.ndarray
    y: np.ndarray
    ngrams: sp.csr_matrix

    def X(self, use_rules: bool = True, use_ngrams: bool = True) -> sp.csr_matrix:
        """The design matrix."""
        return design(self.emb, self.rules, use_rules, self.ngrams if use_ngrams else None)

    def subset(self, mask: np.ndarray) -> Prepared:
        """Rows where mask is true."""
        idx = np.flatnonzero(mask)
        return Prepared(
            [self.examples[i] for i in idx],
            self.emb[idx],
            self.rules[idx],
            self.y[idx],
            self.ngrams[idx],
        )


def prepare(examples: list[ds.Example]) -> Prepared:
    """Embed and featurise examples."""
    from attunement.analysis.markers.text import clean_for_model

    texts = [clean_for_model(e.text) for e in examples]
    return Prepared(
        examples,
        ds.cached_embeddings([e.text for e in examples]),
        rule_matrix(texts),
        ds.labels_array(examples),
        ngram_matrix(texts),
    )


def macro_f1(y_true: np.ndarray, y_pred: np.ndarray, n: int = len(LABELS)) -> float:
    """Macro-averaged F1 over n classes (classes absent from both count as 0 only if present)."""
    f1s = []
    for k in range(n):
        tp = np.sum((y_pred == k) & (y_true == k))
        fp = np.sum((y_pred == k) & (y_true != k))
        fn = np.sum((y_pred != k) & (y_true == k))
        if tp + fp + fn == 0:
            continue
        f1s.append(2 * tp / (2 * tp + fp + fn))
    return float(np.mean(f1s)) if f1s else 0.0


def split_held_out(data: Prepared) -> tuple[Prepared, Prepared, int]:
    """(train, test, number of near-duplicates dropped from train)."""
    test_mask = np.array([ds.is_test(e) for e in data.examples])
    train, test = data.subset(~test_mask), data.subset(test_mask)
    dup = ds.near_duplicate_mask(train.emb[:, : ds.DIM], test.emb[:, : ds.DIM])
    return train.subset(~dup), test, int(dup.sum())


def choose_l2(
    train: Prepared, use_rules: bool = True, folds: int = 3, use_ngrams: bool = True
) -> tuple[float, dict[float, float]]:
    """The L2 strength with the best group-k-fold macro-F1, and all scores."""
    fold = np.array([ds.bucket(e.group, "cv") % folds for e in train.examples])
    X = train.X(use_rules, use_ngrams)
    scores: dict[float, float] = {}
    for l2 in L2_GRID:
        preds = np.zeros_like(train.y)
        for k in range(folds):
            tr, te = fold != k, fold == k
            W, b = fit_logreg(X[tr], train.y[tr], len(LABELS), l2)
            preds[te] = np.argmax(np.asarray(X[te] @ W) + b, axis=1)
        scores[l2] = macro_f1(train.y, preds)
    return max(scores, key=lambda k: scores[k]), scores


def fit_subtype_heads(
    data: Prepared, use_rules: bool, use_ngrams: bool = True
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """One logistic head per label over its subtypes."""
    X = data.X(use_rules, use_ngrams)
    heads = {}
    for label in LABELS:
        names = SUBTYPES[label]
        rows = [i for i, e in enumerate(data.examples) if e.label == label and e.subtype in names]
        if len(names) < 2 or len(rows) < 10:
            continue
        y = np.array([names.index(data.examples[i].subtype) for i in rows])
        heads[label] = fit_logreg(X[rows], y, len(names), SUB_L2, balanced=False)
    return heads


def fit_model(
    train: Prepared, l2: float, use_rules: bool = True, use_ngrams: bool = True
) -> MarkerModel:
    """Fit heads on train minus a calibration fold, temperature on that fold, then refit all."""
    valid = np.array([ds.is_valid_fold(e) for e in train.examples])
    X = train.X(use_rules, use_ngrams)
    W, b = fit_logreg(X[~valid], train.y[~valid], len(LABELS), l2)
    temperature = (
        fit_temperature(np.asarray(X[valid] @ W) + b, train.y[valid]) if valid.any() else 1.0
    )
    W, b = fit_logreg(X, train.y, len(LABELS), l2)
    heads = fit_subtype_heads(train, use_rules, use_ngrams)
    return MarkerModel(W, b, temperature, use_rules, use_ngrams=use_ngrams, sub_heads=heads)


def main(argv: list[str] | None = None) -> None:
    """Train on all data and write the weights file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    args = parser.parse_args(argv)
    examples, problems = ds.load_examples(args.data)
    for p in problems[:20]:
        print("skipped:", p)
    data = prepare(examples)
    train, _test, dropped = split_held_out(data)
    l2, scores = choose_l2(train)
    print(f"{len(examples)} examples; near-duplicates dropped from train: {dropped}")
    print("group-CV macro-F1 by L2:", {k: round(v, 3) for k, v in scores.items()})
    model = fit_model(data, l2)
    checksum = ds.checksum(examples)
    model.meta = {
        "model_version": f"{MODEL_SERIES}.{checksum[:8]}",
        "data_checksum": checksum,
        "n_examples": str(len(examples)),
        "l2": repr(l2),
        "trained": dt.date.today().isoformat(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    model.save(args.out)
    print(f"wrote {args.out} version {model.meta['model_version']} T={model.temperature:.3f}")


if __name__ == "__main__":
    main()
