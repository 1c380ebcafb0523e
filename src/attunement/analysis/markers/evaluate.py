"""Reproduce the held-out figures: per-label P/R/F1, macro-F1, confusion, ECE, baselines,
per writer set, and with a whole writer held out.

    python -m attunement.analysis.markers.evaluate [--data DIR] [--ablations]

The classifier is refitted on the training split (never seeing test groups) with the
protocol of ``train``; the output is a Markdown report for docs/markers.md.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import numpy as np

from attunement.analysis.markers import dataset as ds
from attunement.analysis.markers import train as tr
from attunement.analysis.markers.classifier import ece, ngram_matrix, softmax
from attunement.analysis.markers.taxonomy import LABELS


def prf(y_true: np.ndarray, y_pred: np.ndarray) -> list[tuple[str, float, float, float, int]]:
    """(label, precision, recall, F1, support) per coarse label."""
    rows = []
    for k, label in enumerate(LABELS):
        tp = int(np.sum((y_pred == k) & (y_true == k)))
        p = tp / max(1, int(np.sum(y_pred == k)))
        r = tp / max(1, int(np.sum(y_true == k)))
        f = 2 * p * r / (p + r) if p + r else 0.0
        rows.append((label, p, r, f, int(np.sum(y_true == k))))
    return rows


def confusion(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Counts, rows = true label, columns = predicted label."""
    m = np.zeros((len(LABELS), len(LABELS)), dtype=int)
    np.add.at(m, (y_true, y_pred), 1)
    return m


def markdown_report(y_true: np.ndarray, y_pred: np.ndarray) -> str:
    """Per-label table, macro-F1 and confusion matrix in Markdown."""
    lines = ["| label | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    for label, p, r, f, n in prf(y_true, y_pred):
        lines.append(f"| {label} | {p:.3f} | {r:.3f} | {f:.3f} | {n} |")
    lines.append(f"\n**macro-F1 = {tr.macro_f1(y_true, y_pred):.3f}**\n")
    short = [lab.replace("_repair", "_rep").replace("confrontation", "confront") for lab in LABELS]
    lines.append("| true \\ predicted | " + " | ".join(short) + " |")
    lines.append("|---" * (len(LABELS) + 1) + "|")
    for k, row in enumerate(confusion(y_true, y_pred)):
        lines.append(f"| {short[k]} | " + " | ".join(str(v) for v in row) + " |")
    return "\n".join(lines)


def subtype_accuracy(model: tr.MarkerModel, test: tr.Prepared) -> float:
    """Subtype accuracy on test sentences whose coarse label is known (gold label given)."""
    rows = [i for i, e in enumerate(test.examples) if e.subtype]
    if not rows:
        return float("nan")
    X = test.X(model.use_rules)[rows]
    pred = model.subtype(X, [test.examples[i].label for i in rows])
    return float(np.mean([p == test.examples[i].subtype for p, i in zip(pred, rows, strict=True)]))


def held_out(
    data: tr.Prepared,
    use_rules: bool = True,
    use_ngrams: bool = True,
    l2: float | None = None,
) -> tuple[tr.MarkerModel, tr.Prepared, int, float, dict[float, float]]:
    """Fit on the training split; return (model, test, near-dups dropped, L2, CV scores).

    The CV scores are the group 3-fold macro-F1 on the training part for each L2 tried
    (empty when the L2 is given).
    """
    train, test, dropped = tr.split_held_out(data)
    scores: dict[float, float] = {}
    if l2 is None:
        l2, scores = tr.choose_l2(train, use_rules, use_ngrams=use_ngrams)
    return tr.fit_model(train, l2, use_rules, use_ngrams), test, dropped, l2, scores


def half_split(
    data: tr.Prepared,
    use_rules: bool = True,
    use_ngrams: bool = True,
    l2: float = 1e-4,
) -> float:
    """Macro-F1 training on one half of the groups and testing on the other (both ways).

    As in the held-out split, training sentences within the near-duplicate cosine of a
    sentence of the other half are dropped.
    """
    half = np.array([ds.bucket(e.group, "half") < 50 for e in data.examples])
    scores = []
    for mask in (half, ~half):
        a, b = data.subset(mask), data.subset(~mask)
        a = a.subset(~ds.near_duplicate_mask(a.emb[:, : ds.DIM], b.emb[:, : ds.DIM]))
        model = tr.fit_model(a, l2, use_rules, use_ngrams)
        pred = model.proba(b.X(use_rules, use_ngrams)).argmax(axis=1)
        scores.append(tr.macro_f1(b.y, pred))
    return float(np.mean(scores))


def report(data_dir: str | None = None, ablations: bool = False) -> str:
    """The full Markdown evaluation report."""
    from pathlib import Path

    from attunement.analysis.markers import baselines

    examples, problems = ds.load_examples(Path(data_dir) if data_dir else None)
    data = tr.prepare(examples)
    model, test, dropped, l2, cv = held_out(data)
    probs = model.proba(test.X())
    raw = softmax(model.logits(test.X()))
    pred = probs.argmax(axis=1)
    cv_text = ", ".join(f"{k:g}: {v:.3f}" for k, v in cv.items())
    out = [
        f"Examples: {len(examples)} (skipped {len(problems)}); test: {len(test.y)} sentences "
        f"in {len({e.group for e in test.examples})} groups; near-duplicates of test "
        f"dropped from train: {dropped}; L2 chosen by group 3-fold CV on the training "
        f"part: {l2:g} (CV macro-F1 by L2: {cv_text}).\n",
        markdown_report(test.y, pred),
        "\n" + by_writer_table(test, pred),
        f"\nCalibration: temperature {model.temperature:.3f}; ECE on test "
        f"{ece(probs, test.y):.3f} (uncalibrated {ece(raw, test.y):.3f}).",
        "Subtype accuracy on test (given the true coarse label): "
        f"{subtype_accuracy(model, test):.3f}.",
        f"Half-and-half group split (train on one half of the groups, test on the other, "
        f"mean of both ways): macro-F1 {half_split(data, l2=l2):.3f}.\n",
        "Baselines on the same test split:\n",
        baselines.table(test.examples, test.emb[:, : ds.DIM], test.y),
        "\n" + cross_writer_table(data, l2),
    ]
    if ablations:
        out.append(ablation_table(data, l2))
    return "\n".join(out)


def by_writer_table(test: tr.Prepared, pred: np.ndarray) -> str:
    """Held-out accuracy and macro-F1 on each writer set's share of the test split.

    Sets A and B hold three labels each, so their macro-F1 averages the F1 of the labels the
    set contains (a wrong guess of a label the set lacks still costs precision there).
    """
    sets = np.array([ds.writer_set(e) for e in test.examples])
    rows = [
        "| test sentences from | sentences | labels | accuracy | macro-F1 over its labels |",
        "|---|---|---|---|---|",
    ]
    for name in sorted(set(sets.tolist())):
        sel = sets == name
        present = sorted(set(test.y[sel].tolist()))
        f1 = np.mean([prf(test.y[sel], pred[sel])[k][3] for k in present])
        acc = float(np.mean(test.y[sel] == pred[sel]))
        rows.append(f"| set {name} | {int(sel.sum())} | {len(present)} | {acc:.3f} | {f1:.3f} |")
    return "\n".join(rows)


def cross_writer_table(data: tr.Prepared, l2: float) -> str:
    """Train on every other writer's sentences, test on all of one writer's (sets C to F).

    These are the closest thing here to sentences none of us has seen: the test writer's
    phrasings never reach training. Training sentences within the near-duplicate cosine of
    a test sentence are dropped, as in the held-out split.
    """
    sets = np.array([ds.writer_set(e) for e in data.examples])
    rows = [
        "| test writer (all of the set) | sentences | trained on | macro-F1 |",
        "|---|---|---|---|",
    ]
    for name in ("C", "D", "E", "F"):
        test_mask = sets == name
        if not test_mask.any() or test_mask.all():
            continue
        train, test = data.subset(~test_mask), data.subset(test_mask)
        dup = ds.near_duplicate_mask(train.emb[:, : ds.DIM], test.emb[:, : ds.DIM])
        train = train.subset(~dup)
        model = tr.fit_model(train, l2)
        pred = model.proba(test.X()).argmax(axis=1)
        others = "+".join(sorted(set(sets[~test_mask].tolist())))
        rows.append(
            f"| set {name} | {len(test.y)} | sets {others} ({len(train.y)}) "
            f"| {tr.macro_f1(test.y, pred):.3f} |"
        )
    return "\n".join(rows)


def ablation_table(data: tr.Prepared, l2: float) -> str:
    """Held-out and half-split macro-F1 with parts switched off (same L2 as shipped)."""
    from attunement.analysis.markers.text import clean_for_model

    rows = ["\n| features | held-out macro-F1 | half-split macro-F1 |", "|---|---|---|"]
    last_mean = data.emb[:, : ds.DIM]
    cleaned = [clean_for_model(e.text) for e in data.examples]
    raw_ngrams = ngram_matrix(cleaned, normalise=False)
    for name, rules, ngrams, emb, grams in (
        ("layers 6+4 mean+max, rules, n-grams (shipped)", True, True, data.emb, data.ngrams),
        ("n-grams of the raw text (not normalised)", True, True, data.emb, raw_ngrams),
        ("n-grams at weight 1 instead of 2", True, True, data.emb, 0.5 * data.ngrams),
        ("no rule features", False, True, data.emb, data.ngrams),
        ("no n-grams", True, False, data.emb, data.ngrams),
        ("last-layer mean only, rules, n-grams", True, True, last_mean, data.ngrams),
        ("last-layer mean only", False, False, last_mean, data.ngrams),
    ):
        variant = tr.Prepared(data.examples, emb, data.rules, data.y, grams, data.y_fine)
        model, test, _, _, _ = held_out(variant, rules, ngrams, l2)
        f = tr.macro_f1(test.y, model.proba(test.X(rules, ngrams)).argmax(axis=1))
        half = half_split(variant, rules, ngrams, l2)
        rows.append(f"| {name} | {f:.3f} | {half:.3f} |")
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> None:
    """Print the Markdown report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None)
    parser.add_argument("--ablations", action="store_true")
    args = parser.parse_args(argv)
    print(report(args.data, args.ablations))


if __name__ == "__main__":
    main()
