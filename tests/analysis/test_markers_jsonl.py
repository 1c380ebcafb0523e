"""Tests for attunement.analysis.markers.jsonl (the `attune markers` interface)."""

import io
import json

from attunement.analysis.markers.jsonl import run_jsonl

KEYS = {
    "id",
    "sentence_index",
    "start",
    "end",
    "text",
    "label",
    "subtype",
    "confidence",
    "evidence",
    "model_version",
}


def run(lines: list[str], batch_lines: int = 256) -> list[dict]:
    out = io.StringIO()
    run_jsonl(io.StringIO("\n".join(lines) + "\n"), out, batch_lines=batch_lines)
    return [json.loads(x) for x in out.getvalue().splitlines()]


def test_sentences_and_offsets():
    text = "I went quiet. She said she felt it too."
    rows = run([json.dumps({"id": "a", "text": text})])
    assert [r["sentence_index"] for r in rows] == [0, 1]
    for r in rows:
        assert set(r) == KEYS
        assert text[r["start"] : r["end"]] == r["text"]
        for a, b in r["evidence"]:
            assert r["start"] <= a < b <= r["end"]


def test_bad_lines_report_and_continue_in_order():
    rows = run(
        [
            '{"id": 1, "text": "I shut down."}',
            "not json",
            "[1, 2]",
            '{"id": "x"}',
            '{"id": 7, "text": 5}',
            "",
            '{"id": 2, "text": "ok then"}',
        ],
        batch_lines=2,
    )
    assert [r.get("error") is not None for r in rows] == [False, True, True, True, True, False]
    assert [r.get("line") for r in rows if "error" in r] == [2, 3, 4, 5]
    assert [r["id"] for r in rows] == [1, None, None, "x", 7, 2]


def test_empty_text_writes_nothing():
    assert run(['{"id": 1, "text": ""}']) == []


def test_batching_does_not_change_results():
    lines = [json.dumps({"id": i, "text": f"Sentence {i}. I went quiet."}) for i in range(9)]
    assert run(lines, batch_lines=2) == run(lines, batch_lines=256)
