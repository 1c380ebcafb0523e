"""The output tables of a corpus run (Parquet, CSV on request) and their assembly from shards.

``DIR/sentences.parquet`` — one row per sentence: ``doc_id``, ``sentence_index``,
``start``/``end`` (code-point offsets into the document text), ``text``, ``label``,
``subtype``, ``confidence``, ``evidence`` (``[[a, b], ...]`` offsets into the document text),
``evidence_text``, ``flags``, and the document's ``author`` and ``date``.

``DIR/documents.parquet`` — one row per document: ``doc_id``, ``source``, ``line``,
``author``, ``date``, ``session``, ``score``, ``n_words``, ``n_sentences``, ``n_unread``
(sentences the model could not read), and ``count_<label>``/``rate_<label>`` per label
(rate = count / n_sentences; null when the document has no sentence).

``DIR/episodes.parquet`` — see :mod:`attunement.corpus.episodes`.

CSV files carry the same columns; list columns are written as JSON text.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from attunement.corpus.shards import shard_paths

LABELS = ("withdrawal", "confrontation", "client_repair", "therapist_repair", "none")

SENTENCE_SCHEMA = pa.schema([
    ("doc_id", pa.string()),
    ("sentence_index", pa.int32()),
    ("start", pa.int32()),
    ("end", pa.int32()),
    ("text", pa.string()),
    ("label", pa.string()),
    ("subtype", pa.string()),
    ("confidence", pa.float64()),
    ("evidence", pa.list_(pa.list_(pa.int32()))),
    ("evidence_text", pa.list_(pa.string())),
    ("flags", pa.list_(pa.string())),
    ("author", pa.string()),
    ("date", pa.string()),
])

DOCUMENT_SCHEMA = pa.schema(
    [
        ("doc_id", pa.string()),
        ("source", pa.string()),
        ("line", pa.int64()),
        ("author", pa.string()),
        ("date", pa.string()),
        ("session", pa.string()),
        ("score", pa.float64()),
        ("n_words", pa.int32()),
        ("n_sentences", pa.int32()),
        ("n_unread", pa.int32()),
    ]
    + [(f"count_{lab}", pa.int32()) for lab in LABELS]
    + [(f"rate_{lab}", pa.float64()) for lab in LABELS]
)

TABLES = ("sentences", "documents", "episodes")


def to_table(rows: list[dict[str, Any]], schema: pa.Schema) -> pa.Table:
    """A table with the fixed schema (so empty shards concatenate with full ones)."""
    return pa.Table.from_pylist(rows, schema=schema)


def table_bytes(table: pa.Table) -> bytes:
    """A table as the bytes of a Parquet file (zstd, deterministic)."""
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    return bytes(sink.getvalue().to_pybytes())


def _tmp(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def concat_shards(out_dir: Path, n_shards: int, which: int, target: Path,
                  schema: pa.Schema) -> int:
    """Stream shard files (0 = sentences, 1 = documents) into one Parquet file; rows written."""
    tmp = _tmp(target)
    rows = 0
    with pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
        for index in range(n_shards):
            part = pq.ParquetFile(shard_paths(out_dir, index)[which])
            for batch in part.iter_batches(batch_size=8192):
                writer.write_batch(batch)
                rows += batch.num_rows
    os.replace(tmp, target)
    return rows


def iter_table(path: Path, columns: list[str] | None = None) -> Iterator[pa.RecordBatch]:
    """Record batches of a Parquet file, a few thousand rows at a time."""
    yield from pq.ParquetFile(path).iter_batches(batch_size=8192, columns=columns)


def _csv_batch(batch: pa.RecordBatch) -> pa.RecordBatch:
    """List columns as JSON text, since CSV has no lists."""
    arrays = []
    for field, col in zip(batch.schema, batch.columns, strict=True):
        if pa.types.is_list(field.type):
            col = pa.array([None if v is None else json.dumps(v, ensure_ascii=False)
                            for v in col.to_pylist()], pa.string())
        arrays.append(col)
    names = [f.name for f in batch.schema]
    return pa.RecordBatch.from_arrays(arrays, names=names)


def write_csv(parquet_path: Path, csv_path: Path) -> None:
    """A CSV copy of a Parquet output, written batch by batch."""
    tmp = _tmp(csv_path)
    writer: pacsv.CSVWriter | None = None
    schema = pq.read_schema(parquet_path)
    try:
        for batch in iter_table(parquet_path):
            out = _csv_batch(batch)
            if writer is None:
                writer = pacsv.CSVWriter(tmp, out.schema)
            writer.write_batch(out)
        if writer is None:  # no rows: still write the header
            empty = _csv_batch(pa.RecordBatch.from_pylist([], schema=schema))
            writer = pacsv.CSVWriter(tmp, empty.schema)
    finally:
        if writer is not None:
            writer.close()
    os.replace(tmp, csv_path)
