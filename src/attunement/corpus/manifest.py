"""The manifest of a corpus run: what was read, with which model and options, and the counts.

``DIR/manifest.json``::

    {"format": "attunement-corpus/1", "model_version": "1.xxxxxxxx",
     "options": {"fmt": "auto", "shard_size": 500, ...},
     "inputs": [{"path": "...", "sha256": "...", "bytes": 123}, ...],
     "status": "running" | "finished", "counts": {...}, "started": "...", "finished": "..."}

A folder input lists one entry per ``.txt``/``.md`` file. Re-running into the same DIR is
allowed only when the model version, the options and every input checksum match; then the
finished shards are kept (resume). Anything else is refused, so one folder never mixes
two runs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from attunement.corpus import CorpusError
from attunement.corpus.shards import atomic_write_bytes

FORMAT = "attunement-corpus/1"
CHUNK = 1 << 20
IDENTITY = ("format", "model_version", "options", "inputs")


def sha256_file(path: Path) -> str:
    """SHA-256 of a file, read a megabyte at a time."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def input_files(paths: Sequence[Path]) -> list[Path]:
    """The files that make up the inputs (a folder stands for its .txt/.md files)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*")
                            if p.suffix.lower() in (".txt", ".md") and p.is_file())
        else:
            files.append(path)
    return files


def checksums(paths: Sequence[Path]) -> list[dict[str, Any]]:
    """Path, SHA-256 and size of every input file."""
    return [{"path": str(p), "sha256": sha256_file(p), "bytes": p.stat().st_size}
            for p in input_files(paths)]


def new_manifest(model_version: str, options: dict[str, Any],
                 inputs: list[dict[str, Any]]) -> dict[str, Any]:
    """The manifest written when a run starts."""
    return {
        "format": FORMAT,
        "model_version": model_version,
        "options": options,
        "inputs": inputs,
        "status": "running",
        "started": _now(),
    }


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def read_manifest(out_dir: Path) -> dict[str, Any] | None:
    """The manifest in DIR, or None when there is none."""
    path = out_dir / "manifest.json"
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CorpusError(f"{path} cannot be read; use a new --out folder.") from exc
    return data if isinstance(data, dict) else None


def check_resumable(old: dict[str, Any], new: dict[str, Any], out_dir: Path) -> None:
    """Refuse to resume into DIR when the earlier run differs in model, options or inputs."""
    for key in IDENTITY:
        if old.get(key) != new.get(key):
            what = {"inputs": "input files", "options": "options",
                    "model_version": "marker model version"}.get(key, "format")
            raise CorpusError(
                f"{out_dir} holds a run with different {what}. Use a new --out folder "
                "(or delete this one) so the two runs are not mixed."
            )


def write_manifest(out_dir: Path, manifest: dict[str, Any]) -> None:
    """Write DIR/manifest.json atomically."""
    text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    atomic_write_bytes(out_dir / "manifest.json", text.encode("utf-8"))


def finish(manifest: dict[str, Any], counts: dict[str, int]) -> dict[str, Any]:
    """The manifest of a finished run."""
    return {**manifest, "status": "finished", "counts": counts, "finished": _now()}
