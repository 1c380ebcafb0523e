"""The `corpus` click group: analyze and evaluate, clear one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from attunement.corpus.cli import corpus_group
from attunement.errors import AttuneError

from .conftest import write_corpus


def test_analyze_then_evaluate(tmp_path: Path) -> None:
    src = write_corpus(tmp_path / "in.jsonl", 5)
    out = tmp_path / "out"
    runner = CliRunner()
    res = runner.invoke(corpus_group, ["analyze", str(src), "--out", str(out), "--workers",
                                       "1", "--quiet", "--csv"])
    assert res.exit_code == 0, res.output
    assert "Read 5 documents" in res.output and (out / "sentences.csv").exists()
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"id": "doc-0000", "sentence_index": 0, "label": "none"}) + "\n")
    res = runner.invoke(corpus_group, ["evaluate", str(gold), "--run", str(out), "--json",
                                       "--bootstrap", "10"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["n"] == 1


def test_refused_resume_is_an_attune_error(tmp_path: Path) -> None:
    src = write_corpus(tmp_path / "in.jsonl", 2)
    runner = CliRunner()
    args = ["analyze", str(src), "--out", str(tmp_path / "o"), "--workers", "1", "--quiet"]
    assert runner.invoke(corpus_group, args).exit_code == 0
    res = runner.invoke(corpus_group, [*args, "--shard-size", "3"])
    assert isinstance(res.exception, AttuneError)
    assert "different options" in res.exception.message


def test_evaluate_without_matches_says_why(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"id": "a", "sentence_index": 0, "label": "none"}\n')
    res = CliRunner().invoke(corpus_group, ["evaluate", str(gold)])
    assert isinstance(res.exception, AttuneError)
    assert "line 1" in res.exception.message and "give --run" in res.exception.message
