"""Cut the document stream into numbered shards, and keep track of which are done.

A shard is ``shard_size`` consecutive documents of the input stream, so its number and
contents depend only on the inputs and the shard size. On disk (``DIR/shards/``)::

    00000.parquet        sentence rows of shard 0
    00000.docs.parquet   document rows of shard 0
    00000.done           JSON: shard digest, counts, errors; written last, atomically

A shard counts as done only when its ``.done`` marker exists and names the same digest
(SHA-256 of the shard's ids and texts), so a changed input is never mistaken for a
finished one.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from attunement.corpus.readers import BadRow, Doc

SHARD_DIGITS = 5


@dataclass(frozen=True)
class Shard:
    """A numbered run of documents, with a digest of what it holds."""

    index: int
    docs: tuple[Doc, ...]
    digest: str


def shard_digest(docs: Iterable[Doc]) -> str:
    """SHA-256 over every field of each document that can change the results."""
    h = hashlib.sha256()
    for d in docs:
        fields = (d.id, d.text, d.author, d.date or "", d.session or "", repr(d.score))
        for value in fields:
            raw = value.encode("utf-8")
            h.update(len(raw).to_bytes(8, "little"))  # length-prefixed: no ambiguity
            h.update(raw)
    return h.hexdigest()


def iter_shards(
    records: Iterable[Doc | BadRow], shard_size: int, on_error: Callable[[BadRow], None]
) -> Iterator[Shard]:
    """Group documents into shards; bad rows and repeated ids go to ``on_error``."""
    seen: set[bytes] = set()  # 16-byte digests: about 80 bytes per document
    batch: list[Doc] = []
    index = 0
    for rec in records:
        if isinstance(rec, BadRow):
            on_error(rec)
            continue
        key = hashlib.blake2b(rec.id.encode("utf-8"), digest_size=16).digest()
        if key in seen:
            on_error(BadRow(rec.source, rec.line, "this id was already used by an earlier "
                            "document; ids must be unique", rec.id))
            continue
        seen.add(key)
        batch.append(rec)
        if len(batch) >= shard_size:
            yield Shard(index, tuple(batch), shard_digest(batch))
            index += 1
            batch = []
    if batch:
        yield Shard(index, tuple(batch), shard_digest(batch))


def shard_dir(out_dir: Path) -> Path:
    """Where the shards of a run live."""
    return out_dir / "shards"


def shard_paths(out_dir: Path, index: int) -> tuple[Path, Path, Path]:
    """(sentences, documents, done marker) paths of one shard."""
    stem = shard_dir(out_dir) / f"{index:0{SHARD_DIGITS}d}"
    return (stem.with_suffix(".parquet"), stem.with_name(stem.name + ".docs.parquet"),
            stem.with_suffix(".done"))


def read_done(out_dir: Path, index: int) -> dict[str, Any] | None:
    """The done marker of a shard, or None if it is missing or unreadable."""
    path = shard_paths(out_dir, index)[2]
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def is_done(out_dir: Path, shard: Shard) -> bool:
    """Whether this exact shard was finished by an earlier run (files and marker present)."""
    marker = read_done(out_dir, shard.index)
    if marker is None or marker.get("digest") != shard.digest:
        return False
    sentences, docs, _ = shard_paths(out_dir, shard.index)
    return sentences.exists() and docs.exists()


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write a file so that it is either complete or absent (temp file, fsync, rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def write_done(out_dir: Path, shard: Shard, info: dict[str, Any]) -> None:
    """Mark a shard finished (after its Parquet files are in place)."""
    marker = {"index": shard.index, "digest": shard.digest, **info}
    atomic_write_bytes(shard_paths(out_dir, shard.index)[2],
                       json.dumps(marker, ensure_ascii=False).encode("utf-8"))
