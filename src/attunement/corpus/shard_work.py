"""The shard function: one shard of documents in, its sentence and document tables out.

The same function runs in a local worker process and on a Dask worker. It returns Parquet
bytes (not files), so the driver writes every shard itself, atomically, wherever ``--out``
is; Dask workers need the ``attunement`` package, not a shared folder.

Each process loads the model once (the marker package caches it) and limits its own
thread pools first, so N processes on N cores do not fight over them.
"""

from __future__ import annotations

import os
import resource
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from attunement.corpus.readers import BadRow, Doc
from attunement.corpus.shards import Shard

CHUNK_CHARS = 100_000  # characters per analyze_many call: bounds memory for long entries
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
_configured: dict[str, int | None] = {}


@dataclass
class ShardResult:
    """What a worker sends back for one shard."""

    index: int
    digest: str
    sentences: bytes
    documents: bytes
    n_docs: int
    n_sentences: int
    errors: list[dict[str, Any]] = field(default_factory=list)
    peak_rss_mb: float = 0.0
    pid: int = 0
    model_version: str = ""


def configure(threads: int | None) -> None:
    """Limit this process's math threads and load the embedder with that many (once)."""
    if "threads" in _configured:
        return
    _configured["threads"] = threads
    if threads:
        for var in THREAD_VARS:
            os.environ.setdefault(var, str(threads))  # only effective before numpy loads
        from attunement.analysis import embed as embed_mod

        # The embedder reads os.cpu_count() unless told otherwise; there is no public
        # setter, so the process-wide instance is created here with the thread count.
        if getattr(embed_mod, "_EMBEDDER", None) is None:
            embed_mod._EMBEDDER = embed_mod.Embedder(threads=threads)


def process_shard(shard: Shard, threads: int | None = None) -> ShardResult:
    """Analyse every document of a shard; a document that fails is reported, not fatal."""
    configure(threads)
    from attunement.analysis.markers import MODEL_VERSION
    from attunement.corpus.outputs import DOCUMENT_SCHEMA, SENTENCE_SCHEMA, table_bytes, to_table

    sent_rows: list[dict[str, Any]] = []
    doc_rows: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for chunk in _chunks(shard.docs):
        for doc, markers in zip(chunk, _analyze(chunk, errors), strict=True):
            if markers is None:
                continue
            rows = [sentence_row(doc, m) for m in markers]
            sent_rows.extend(rows)
            doc_rows.append(document_row(doc, rows))
    return ShardResult(
        index=shard.index,
        digest=shard.digest,
        sentences=table_bytes(to_table(sent_rows, SENTENCE_SCHEMA)),
        documents=table_bytes(to_table(doc_rows, DOCUMENT_SCHEMA)),
        n_docs=len(doc_rows),
        n_sentences=len(sent_rows),
        errors=errors,
        peak_rss_mb=peak_rss_mb(),
        pid=os.getpid(),
        model_version=MODEL_VERSION,
    )


def _chunks(docs: Sequence[Doc]) -> list[list[Doc]]:
    """Consecutive documents grouped up to CHUNK_CHARS characters."""
    out: list[list[Doc]] = [[]]
    size = 0
    for d in docs:
        if out[-1] and size + len(d.text) > CHUNK_CHARS:
            out.append([])
            size = 0
        out[-1].append(d)
        size += len(d.text)
    return [c for c in out if c]


def _analyze(chunk: list[Doc], errors: list[dict[str, Any]]) -> list[list[Any] | None]:
    """Markers per document; if the batch fails, each document alone (None = failed)."""
    from attunement.analysis.markers import analyze_many

    try:
        return list(analyze_many([d.text for d in chunk]))
    except Exception:  # one odd document must not sink the shard: read each alone
        return _analyze_each(chunk, errors)


def _analyze_each(chunk: list[Doc], errors: list[dict[str, Any]]) -> list[list[Any] | None]:
    """Markers per document, one at a time; a failure is recorded and gives None."""
    from attunement.analysis.markers import analyze_many

    out: list[list[Any] | None] = []
    failure: Exception | None = None
    for d in chunk:
        try:
            out.append(analyze_many([d.text])[0])
        except Exception as exc:
            errors.append(BadRow(d.source, d.line, f"analysis failed: {exc!r}"[:300],
                                 d.id).as_dict())
            out.append(None)
            failure = exc
    if chunk and all(o is None for o in out):
        # Every document failing is the model, not the data: stop, so the shard is redone.
        raise RuntimeError(f"the marker model failed on every document: {failure!r}")
    return out


def sentence_row(doc: Doc, m: Any) -> dict[str, Any]:
    """One output row for one SentenceMarker of a document."""
    return {
        "doc_id": doc.id,
        "sentence_index": m.index,
        "start": m.start,
        "end": m.end,
        "text": m.text,
        "label": m.label,
        "subtype": m.subtype,
        # Rounded so the tables compare equal across runs and thread counts.
        "confidence": round(float(m.confidence), 4),
        "evidence": [[a, b] for a, b in m.evidence],
        "evidence_text": [doc.text[a:b] for a, b in m.evidence],
        "flags": list(m.flags),
        "author": doc.author,
        "date": doc.date,
    }


def document_row(doc: Doc, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts and rates per label for one document."""
    from attunement.corpus.outputs import LABELS

    n = len(rows)
    counts = {lab: sum(1 for r in rows if r["label"] == lab) for lab in LABELS}
    row: dict[str, Any] = {
        "doc_id": doc.id, "source": doc.source, "line": doc.line, "author": doc.author,
        "date": doc.date, "session": doc.session, "score": doc.score,
        "n_words": len(doc.text.split()), "n_sentences": n,
        "n_unread": sum(1 for r in rows if r["flags"]),
    }
    for lab in LABELS:
        row[f"count_{lab}"] = counts[lab]
        row[f"rate_{lab}"] = counts[lab] / n if n else None
    return row


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1 << 20) if sys.platform == "darwin" else peak / 1024


__all__ = ["BadRow", "ShardResult", "configure", "process_shard"]
