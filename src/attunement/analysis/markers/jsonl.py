"""The research interface behind ``attune markers``: JSON lines in, one JSON line per sentence out.

Input, one object per line: ``{"id": <any JSON value>, "text": "<a sentence or a whole text>"}``.

Output, one object per sentence of each input, in input order::

    {"id": ..., "sentence_index": 0, "start": 0, "end": 42, "text": "...",
     "label": "withdrawal", "subtype": "minimal_response", "confidence": 0.91,
     "evidence": [[12, 22]], "model_version": "1.xxxxxxxx"}

``start``, ``end`` and every ``evidence`` pair are character offsets (Python string indices,
i.e. Unicode code points) into the input ``text``, so ``text[start:end]`` is the sentence
and ``text[a:b]`` the evidence. An input whose text holds no sentence writes nothing. A bad
line writes ``{"id": <id or null>, "line": <1-based line number>, "error": "..."}`` and the
run goes on.
"""

from __future__ import annotations

import json
from typing import IO, Any

from attunement.analysis.markers import MODEL_VERSION, SentenceMarker, analyze_many

BATCH_LINES = 256


def run_jsonl(in_stream: IO[str], out_stream: IO[str], batch_lines: int = BATCH_LINES) -> int:
    """Process a JSON-lines stream; returns the number of sentences written."""
    written = 0
    # Errors wait in the batch too, so the output keeps the input's order.
    batch: list[tuple[Any, str] | dict[str, Any]] = []
    for lineno, line in enumerate(in_stream, 1):
        if not line.strip():
            continue
        batch.append(_parse(line, lineno))
        if len(batch) >= batch_lines:
            written += _flush(batch, out_stream)
            batch = []
    if batch:
        written += _flush(batch, out_stream)
    out_stream.flush()
    return written


def _parse(line: str, lineno: int) -> tuple[Any, str] | dict[str, Any]:
    """(id, text) from one input line, or the error object to write."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return {"id": None, "line": lineno, "error": f"not valid JSON: {exc.msg}"}
    except ValueError:
        return {"id": None, "line": lineno, "error": "not valid JSON"}
    if not isinstance(obj, dict):
        return {"id": None, "line": lineno, "error": "expected a JSON object"}
    ident = obj.get("id")
    text = obj.get("text")
    if not isinstance(text, str):
        return {"id": ident, "line": lineno, "error": "missing or non-string 'text'"}
    return ident, text


def _flush(batch: list[tuple[Any, str] | dict[str, Any]], out_stream: IO[str]) -> int:
    """Analyse one batch of inputs and write their sentences (and errors) in order."""
    results = iter(analyze_many([item[1] for item in batch if isinstance(item, tuple)]))
    count = 0
    for item in batch:
        if isinstance(item, dict):
            out_stream.write(json.dumps(item, ensure_ascii=False) + "\n")
            continue
        ident = item[0]
        for m in next(results):
            out_stream.write(json.dumps(_row(ident, m), ensure_ascii=False) + "\n")
            count += 1
    return count


def _row(ident: Any, m: SentenceMarker) -> dict[str, Any]:
    """The output object for one sentence."""
    return {
        "id": ident,
        "sentence_index": m.index,
        "start": m.start,
        "end": m.end,
        "text": m.text,
        "label": m.label,
        "subtype": m.subtype,
        "confidence": round(m.confidence, 4),
        "evidence": [[a, b] for a, b in m.evidence],
        "model_version": MODEL_VERSION,
    }


def main() -> None:
    """Run on stdin/stdout (for use without the attune CLI)."""
    import sys

    run_jsonl(sys.stdin, sys.stdout)


if __name__ == "__main__":
    main()
