"""Agreement figures: exact on worked examples, bootstrap reproducible, bad gold rows listed."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from attunement.corpus.evaluate import LABELS, evaluate, markdown, metrics, read_gold
from attunement.corpus.run import CorpusOptions, analyze_corpus

from .conftest import write_corpus

DATA = Path(__file__).parents[1] / "data" / "corpus"


def test_worked_example_precision_recall_kappa() -> None:
    gold = ["withdrawal", "withdrawal", "none", "none", "confrontation", "none"]
    pred = ["withdrawal", "none", "none", "none", "confrontation", "withdrawal"]
    m = metrics(gold, pred, [str(i) for i in range(6)], n_boot=50)
    p = m["point"]
    w = LABELS.index("withdrawal")
    # withdrawal: 1 true positive, 1 false positive, 1 false negative
    assert p["precision"][w] == pytest.approx(0.5) and p["recall"][w] == pytest.approx(0.5)
    # observed agreement 4/6; chance = (2*2 + 1*1 + 3*3) / 36 = 14/36
    po, pe = 4 / 6, 14 / 36
    assert p["kappa"] == pytest.approx((po - pe) / (1 - pe))
    # macro over the three labels that occur: F1 0.5, 1.0 and 2/3
    assert p["macro_f1"] == pytest.approx((0.5 + 1.0 + 2 / 3) / 3)
    assert np.array(m["confusion"]).sum() == 6


def test_bootstrap_is_seeded_and_brackets_the_estimate() -> None:
    rng = np.random.default_rng(3)
    gold = list(rng.choice(LABELS, 200))
    pred = [g if rng.random() < 0.7 else rng.choice(LABELS) for g in gold]
    groups = [str(i // 4) for i in range(200)]
    a, b = metrics(gold, pred, groups, 300, seed=5), metrics(gold, pred, groups, 300, seed=5)
    assert a["ci"] == b["ci"]
    lo, hi = a["ci"]["macro_f1"]
    assert lo <= a["point"]["macro_f1"] <= hi and hi - lo > 0
    lo, hi = a["ci"]["kappa"]
    assert lo <= a["point"]["kappa"] <= hi


def test_gold_errors_carry_line_numbers(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text("\n".join([
        json.dumps({"id": "a", "sentence_index": 0, "label": "withdrawal"}),
        "nope",
        json.dumps({"id": "a", "label": "withdrawal"}),
        json.dumps({"id": "a", "sentence_index": 0, "label": "sadness"}),
        json.dumps({"id": "a", "sentence_index": -1, "label": "none"}),
        json.dumps({"id": "a", "text": "x", "label": "withdrawal", "subtype": "apology"}),
    ]) + "\n")
    rows, errors = read_gold(gold)
    assert [r.line for r in rows] == [1]
    assert [(e["line"], e["error"].split(";")[0]) for e in errors] == [
        (2, "not valid JSON"), (3, "give 'sentence_index' or 'text'"),
        (4, "unknown label 'sadness'"), (5, "'sentence_index' must be a whole number from 0"),
        (6, "subtype 'apology' does not belong to withdrawal"),
    ]


def test_matching_a_run_by_index_and_by_text(tmp_path: Path) -> None:
    src = write_corpus(tmp_path / "in.jsonl", 6)
    analyze_corpus([src], tmp_path / "out", CorpusOptions(shard_size=10, workers=1))
    import pyarrow.parquet as pq

    sents = pq.read_table(tmp_path / "out" / "sentences.parquet").to_pylist()
    gold = tmp_path / "gold.jsonl"
    with gold.open("w") as f:
        for i, s in enumerate(sents):
            # Half by index, half by text (with extra spaces); the human agrees with the model.
            row = {"id": s["doc_id"], "label": s["label"]}
            row.update({"sentence_index": s["sentence_index"]} if i % 2 else
                       {"text": "  " + s["text"].replace(" ", "  ")})
            f.write(json.dumps(row) + "\n")
        f.write(json.dumps({"id": "missing", "sentence_index": 0, "label": "none"}) + "\n")
    result = evaluate(gold, tmp_path / "out", n_boot=20)
    assert result["n"] == len(sents)
    assert result["point"]["accuracy"] == 1.0 and result["point"]["kappa"] == pytest.approx(1.0)
    assert result["errors"] == [{"line": len(sents) + 1,
                                 "error": "no sentence of the run matches this row"}]
    assert "macro-F1 1.000" in markdown(result)


def test_without_a_run_each_text_is_read(tmp_path: Path) -> None:
    from attunement.analysis.markers import analyze

    texts = ["She apologised for missing the point last week.", "The bus was crowded."]
    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(json.dumps({"id": str(i), "text": t, "label": "none"}) + "\n"
                            for i, t in enumerate(texts)))
    result = evaluate(gold, None, n_boot=10)
    expected = [next((m.label for m in analyze(t) if m.label != "none"), "none") for t in texts]
    none = LABELS.index("none")
    assert [row[none] for row in result["confusion"]] == [
        sum(1 for e in expected if e == "none") if lab == "none" else 0 for lab in LABELS]
