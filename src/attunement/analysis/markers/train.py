"""Train the marker classifier and write the weights file.

    python -m attunement.analysis.markers.train [--data DIR] [--out PATH]

Protocol: hold out ~20% of groups as the test split; drop near-duplicates of test sentences
from training; pick the L2 strength by group 3-fold cross-validation on the training part;
fit the temperature on a calibration fold of training groups. The shipped weights are then
refitted on all the data with the chosen L2, by the same procedure (heads fitted without
the calibration fold, the temperature on it, then the heads refitted on everything). The
held-out figures in docs/markers.md come from ``evaluate``, which keeps the test split out.

Two heads share the design matrix: a coarse head over the five labels and a fine head over
every subtype (and kinds of ``none``, see ``classifier.NONE_KINDS``); the fine head's
probabilities summed per label and the coarse head's are multiplied (``combined_logits``).
The fine head also gives the subtype.
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
    FINE_CLASSES,
    FINE_INDEX,
    NONE_TAG_KINDS,
    MarkerModel,
    combined_logits,
    design,
    fit_logreg,
    fit_temperature,
    ngram_matrix,
    rule_matrix,
)
from attunement.analysis.markers.lexicon import main_subject
from attunement.analysis.markers.taxonomy import LABELS, SUBTYPES

MODEL_PATH = Path(__file__).parent / "model" / "markers.npz"
L2_GRID = (1e-5, 3e-5, 1e-4)  # 3e-4 never won the group CV
MODEL_SERIES = "4"  # 3: normalised n-grams at double weight, fine head; 4: feature version 4
_THERAPIST_SUBJECTS = ("she", "he", "they", "my", "the", "dr")


def fine_class(ex: ds.Example, cleaned: str) -> int:
    """The fine-head class of an example: its subtype, or for ``none`` the kind of sentence.

    The kind of a ``none`` sentence is its first hard-case tag among NONE_TAG_KINDS (negated
    or hypothetical marker, other person, logistics), else who the main clause is about
    (the writer, the therapist), else plain ("").
    """
    if ex.label != "none":
        return FINE_INDEX[(ex.label, ex.subtype or SUBTYPES[ex.label][0])]
    for kind in NONE_TAG_KINDS:
        if kind in ex.tags:
            return FINE_INDEX[("none", kind)]
    subject = main_subject(cleaned.lower())
    if subject == "i":
        return FINE_INDEX[("none", "writer")]
    if subject and subject.split(" ")[0] in _THERAPIST_SUBJECTS:
        return FINE_INDEX[("none", "therapist")]
    return FINE_INDEX[("none", "")]


@dataclass
class Prepared:
    """Examples with their embeddings, rule features, coarse and fine label indices."""

    examples: list[ds.Example]
    emb: np.ndarray
    rules: np.ndarray
    y: np.ndarray
    ngrams: sp.csr_matrix
    y_fine: np.ndarray

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
            self.y_fine[idx],
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
        np.array([fine_class(e, t) for e, t in zip(examples, texts, strict=True)], dtype=np.int64),
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


Heads = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def fit_heads(X: sp.csr_matrix, y: np.ndarray, y_fine: np.ndarray, l2: float) -> Heads:
    """The coarse and the fine head, each with class-balanced weights and the same L2."""
    coarse = fit_logreg(X, y, len(LABELS), l2)
    fine = fit_logreg(X, y_fine, len(FINE_CLASSES), l2)
    return coarse, fine


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
            coarse, fine = fit_heads(X[tr], train.y[tr], train.y_fine[tr], l2)
            preds[te] = np.argmax(combined_logits(X[te], coarse, fine), axis=1)
        scores[l2] = macro_f1(train.y, preds)
    return max(scores, key=lambda k: scores[k]), scores


def fit_model(
    train: Prepared, l2: float, use_rules: bool = True, use_ngrams: bool = True
) -> MarkerModel:
    """Fit heads on train minus a calibration fold, temperature on that fold, then refit all."""
    valid = np.array([ds.is_valid_fold(e) for e in train.examples])
    X = train.X(use_rules, use_ngrams)
    temperature = 1.0
    if valid.any():
        coarse, fine = fit_heads(X[~valid], train.y[~valid], train.y_fine[~valid], l2)
        temperature = fit_temperature(combined_logits(X[valid], coarse, fine), train.y[valid])
    (W, b), (fine_W, fine_b) = fit_heads(X, train.y, train.y_fine, l2)
    return MarkerModel(
        W, b, temperature, use_rules, use_ngrams=use_ngrams, fine_W=fine_W, fine_b=fine_b
    )


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
