"""End to end in one process: tables, errors file, episodes, manifest, resume rules."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from attunement.analysis.episodes import Rating, detect_episodes
from attunement.analysis.markers import MODEL_VERSION, analyze_many
from attunement.corpus import CorpusError
from attunement.corpus.manifest import sha256_file
from attunement.corpus.run import CorpusOptions, analyze_corpus
from attunement.corpus.shards import shard_paths

from .conftest import sorted_rows, write_corpus

DATA = Path(__file__).parents[1] / "data" / "corpus"
INLINE = CorpusOptions(shard_size=5, workers=1)


def test_sentence_rows_are_the_marker_readings(tmp_path: Path) -> None:
    src = write_corpus(tmp_path / "in.jsonl", 12)
    summary = analyze_corpus([src], tmp_path / "out", INLINE)
    docs = [json.loads(line) for line in src.read_text().splitlines()]
    expected = analyze_many([d["text"] for d in docs])
    rows = pq.read_table(tmp_path / "out" / "sentences.parquet").to_pylist()
    assert summary.documents == 12 and summary.shards == 3 and summary.shards_run == 3
    assert len(rows) == sum(len(m) for m in expected) == summary.sentences
    flat = [(d, m) for d, ms in zip(docs, expected, strict=True) for m in ms]
    for row, (doc, m) in zip(rows, flat, strict=True):
        assert (row["doc_id"], row["sentence_index"], row["label"]) == (doc["id"], m.index, m.label)
        assert doc["text"][row["start"] : row["end"]] == row["text"] == m.text
        assert row["confidence"] == pytest.approx(m.confidence, abs=1e-3)
        assert row["evidence_text"] == [doc["text"][a:b] for a, b in row["evidence"]]
        assert (row["author"], row["date"]) == (doc["author"], doc["date"])


def test_document_rows_count_the_sentence_labels(tmp_path: Path) -> None:
    src = write_corpus(tmp_path / "in.jsonl", 8)
    analyze_corpus([src], tmp_path / "out", INLINE)
    sents = pq.read_table(tmp_path / "out" / "sentences.parquet").to_pylist()
    docs = pq.read_table(tmp_path / "out" / "documents.parquet").to_pylist()
    per_doc = Counter((s["doc_id"], s["label"]) for s in sents)
    for d in docs:
        for lab in ("withdrawal", "confrontation", "client_repair", "therapist_repair", "none"):
            assert d[f"count_{lab}"] == per_doc[(d["doc_id"], lab)]
            assert d[f"rate_{lab}"] == pytest.approx(per_doc[(d["doc_id"], lab)] / d["n_sentences"])


def test_bad_rows_go_to_errors_file_and_the_run_finishes(tmp_path: Path) -> None:
    summary = analyze_corpus([DATA / "mixed.jsonl"], tmp_path / "out", INLINE)
    errors = [json.loads(x) for x in (tmp_path / "out" / "errors.jsonl").read_text().splitlines()]
    assert [e["line"] for e in errors] == [3, 4, 5, 6, 7, 8, 9, 10, 12, 13]
    assert {e["source"] for e in errors} == {str(DATA / "mixed.jsonl")}
    assert summary.errors == 10 and summary.documents == 2
    docs = pq.read_table(tmp_path / "out" / "documents.parquet").column("doc_id").to_pylist()
    assert docs == ["d1", "7"]


def test_scores_become_check_ins_for_episodes(tmp_path: Path) -> None:
    scores = [6.0] * 10 + [2.0, 2.5] + [6.0] * 6
    start = dt.date(2024, 1, 1)
    src = tmp_path / "scores.jsonl"
    with src.open("w") as f:
        for i, s in enumerate(scores):
            day = (start + dt.timedelta(weeks=i)).isoformat()
            f.write(json.dumps({"id": f"s{i}", "text": "We talked about the week.",
                                "author": "ana", "date": day, "score": s}) + "\n")
    analyze_corpus([src], tmp_path / "out", INLINE)
    eps = pq.read_table(tmp_path / "out" / "episodes.parquet").to_pylist()
    ratings = [Rating(start + dt.timedelta(weeks=i), s) for i, s in enumerate(scores)]
    direct = detect_episodes(ratings)
    assert direct, "a drop of four points on a steady series is an episode"
    expected = [("ana", d.start.isoformat()) for d in direct]
    assert [(e["author"], e["start"]) for e in eps] == expected
    assert eps[0]["lowest_score"] == 2.0


def test_manifest_records_model_options_and_checksums(tmp_path: Path) -> None:
    src = write_corpus(tmp_path / "in.jsonl", 3)
    analyze_corpus([src], tmp_path / "out", INLINE)
    man = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert man["model_version"] == MODEL_VERSION and man["status"] == "finished"
    assert man["options"]["shard_size"] == 5
    assert man["inputs"] == [{"path": str(src), "sha256": sha256_file(src),
                              "bytes": src.stat().st_size}]
    assert man["counts"]["documents"] == 3


def test_rerun_with_other_options_or_inputs_is_refused(tmp_path: Path) -> None:
    src = write_corpus(tmp_path / "in.jsonl", 3)
    analyze_corpus([src], tmp_path / "out", INLINE)
    with pytest.raises(CorpusError, match="different options"):
        analyze_corpus([src], tmp_path / "out", CorpusOptions(shard_size=2, workers=1))
    write_corpus(src, 4)
    with pytest.raises(CorpusError, match="different input files"):
        analyze_corpus([src], tmp_path / "out", INLINE)


def test_rerun_of_a_finished_run_redoes_no_shard(tmp_path: Path) -> None:
    src = write_corpus(tmp_path / "in.jsonl", 7)
    analyze_corpus([src], tmp_path / "out", INLINE)
    before = [shard_paths(tmp_path / "out", i)[2].stat().st_mtime_ns for i in range(2)]
    again = analyze_corpus([src], tmp_path / "out", INLINE)
    after = [shard_paths(tmp_path / "out", i)[2].stat().st_mtime_ns for i in range(2)]
    assert (again.shards_run, again.shards_skipped) == (0, 2) and before == after


def test_csv_copies_hold_the_same_rows(tmp_path: Path) -> None:
    src = write_corpus(tmp_path / "in.jsonl", 4)
    analyze_corpus([src], tmp_path / "out", CorpusOptions(shard_size=5, workers=1, csv=True))
    for name in ("sentences", "documents", "episodes"):
        parquet = pq.read_table(tmp_path / "out" / f"{name}.parquet")
        csv = pacsv.read_csv(tmp_path / "out" / f"{name}.csv")
        assert csv.column_names == parquet.column_names and csv.num_rows == parquet.num_rows
    sent = pacsv.read_csv(tmp_path / "out" / "sentences.csv").to_pylist()
    assert all(isinstance(json.loads(r["evidence"]), list) for r in sent)


def test_two_local_processes_give_the_same_tables(tmp_path: Path) -> None:
    src = write_corpus(tmp_path / "in.jsonl", 10)
    analyze_corpus([src], tmp_path / "one", CorpusOptions(shard_size=3, workers=1))
    two = analyze_corpus([src], tmp_path / "two", CorpusOptions(shard_size=3, workers=2))
    assert two.shards_run == 4
    for name in ("sentences", "documents", "episodes"):
        assert sorted_rows(tmp_path / "one" / f"{name}.parquet") == sorted_rows(
            tmp_path / "two" / f"{name}.parquet")


def test_empty_input_writes_empty_tables(tmp_path: Path) -> None:
    src = tmp_path / "empty.jsonl"
    src.write_text("")
    summary = analyze_corpus([src], tmp_path / "out", INLINE)
    assert (summary.documents, summary.sentences, summary.shards) == (0, 0, 0)
    assert pq.read_table(tmp_path / "out" / "sentences.parquet").num_rows == 0


def test_missing_input_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="does not exist"):
        analyze_corpus([tmp_path / "nope.jsonl"], tmp_path / "out", INLINE)


def test_a_document_the_model_fails_on_is_an_error_row(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import attunement.analysis.markers as markers

    real = markers.analyze_many

    def fussy(texts: list[str], corrections: object = None) -> list:
        if any("POISON" in t for t in texts):
            raise ValueError("cannot read this one")
        return real(texts)

    monkeypatch.setattr(markers, "analyze_many", fussy)
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "ok", "text": "We talked."}) + "\n"
                   + json.dumps({"id": "bad", "text": "POISON"}) + "\n")
    summary = analyze_corpus([src], tmp_path / "out", INLINE)
    errors = [json.loads(x) for x in (tmp_path / "out" / "errors.jsonl").read_text().splitlines()]
    assert [(e["id"], e["line"]) for e in errors] == [("bad", 2)]
    assert "cannot read this one" in errors[0]["error"] and summary.documents == 1


def test_a_model_that_fails_everywhere_stops_the_run(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import attunement.analysis.markers as markers

    def broken(texts: list[str], corrections: object = None) -> list:
        raise ValueError("weights do not fit")

    monkeypatch.setattr(markers, "analyze_many", broken)
    src = write_corpus(tmp_path / "in.jsonl", 3)
    with pytest.raises(CorpusError, match="weights do not fit"):
        analyze_corpus([src], tmp_path / "out", INLINE)
    assert not list((tmp_path / "out" / "shards").glob("*.done"))  # redone on the next run
