"""The labelled sentences: loading, the group-held-out split, and the near-duplicate guard.

Data lives in ``data/markers/*.jsonl`` (one object per line: id, text, label, subtype,
evidence, group, tags). The test split is chosen by a hash of the ``group`` (a family of
near-duplicate phrasings), so a family is never on both sides; then any training sentence
whose embedding is closer than ``NEAR_DUP_COSINE`` to a test sentence is dropped too.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from attunement.analysis.markers.taxonomy import LABEL_INDEX, is_valid

TEST_PERCENT = 20
VALID_PERCENT = 15
NEAR_DUP_COSINE = 0.92
DIM = 384  # the first block of the stored features is the usual (mean) sentence vector


@dataclass(frozen=True)
class Example:
    """One labelled sentence."""

    id: str
    text: str
    label: str
    subtype: str | None
    evidence: str | None
    group: str
    tags: tuple[str, ...]
    source: str


# Who wrote which file (see data/markers/README_*.md): sets A and B hold some labels each,
# sets C to F all five. Reported separately so a gain on one writer's test sentences is
# not mistaken for a gain on another's.
_WRITER_PREFIXES = (("extra_", "C"), ("d_", "D"), ("e_", "E"), ("f_", "F"))
_WRITER_FILES = {
    "withdrawal.jsonl": "A",
    "confrontation.jsonl": "A",
    "hard_none_from_a.jsonl": "A",
    "client_repair.jsonl": "B",
    "therapist_repair.jsonl": "B",
    "none.jsonl": "B",
}


def writer_set(ex: Example) -> str:
    """The set ("A"-"F") an example's file belongs to, or "?" for a file of unknown origin."""
    for prefix, name in _WRITER_PREFIXES:
        if ex.source.startswith(prefix):
            return name
    return _WRITER_FILES.get(ex.source, "?")


def default_data_dir() -> Path:
    """data/markers at the repository root (or $ATTUNEMENT_MARKER_DATA)."""
    env = os.environ.get("ATTUNEMENT_MARKER_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[4] / "data" / "markers"


def load_examples(data_dir: Path | None = None) -> tuple[list[Example], list[str]]:
    """All valid examples from the JSONL files (deduplicated by text), and the problems found."""
    root = data_dir or default_data_dir()
    examples: list[Example] = []
    problems: list[str] = []
    seen: set[str] = set()
    for path in sorted(root.glob("*.jsonl")):
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            ex = _parse(line, path.name, lineno, problems)
            if ex is None:
                continue
            key = " ".join(ex.text.lower().split())
            if key in seen:
                problems.append(f"{path.name}:{lineno}: duplicate text")
                continue
            seen.add(key)
            examples.append(ex)
    return examples, problems


def _parse(line: str, source: str, lineno: int, problems: list[str]) -> Example | None:
    """One JSONL line as an Example, or None with a problem noted."""
    if not line.strip():
        return None
    try:
        obj = json.loads(line)
        ex = Example(
            id=str(obj["id"]),
            text=str(obj["text"]),
            label=str(obj["label"]),
            subtype=obj.get("subtype") or None,
            evidence=obj.get("evidence") or None,
            group=str(obj.get("group") or obj["id"]),
            tags=tuple(obj.get("tags") or ()),
            source=source,
        )
    except (ValueError, KeyError, TypeError) as exc:
        problems.append(f"{source}:{lineno}: {exc}")
        return None
    if not is_valid(ex.label, ex.subtype) or not ex.text.strip():
        problems.append(f"{source}:{lineno}: invalid label/subtype {ex.label}/{ex.subtype}")
        return None
    return ex


def checksum(examples: Iterable[Example]) -> str:
    """SHA-256 over the examples' id, text, label and subtype (order-independent)."""
    rows = sorted(f"{e.id}\t{e.text}\t{e.label}\t{e.subtype}" for e in examples)
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()


def bucket(group: str, salt: str = "") -> int:
    """A deterministic 0-99 bucket for a group id."""
    return int(hashlib.sha256((salt + group).encode()).hexdigest()[:8], 16) % 100


def is_test(ex: Example) -> bool:
    """Whether an example's group falls in the held-out test split."""
    return bucket(ex.group) < TEST_PERCENT


def is_valid_fold(ex: Example) -> bool:
    """Whether a training example's group falls in the calibration fold."""
    return bucket(ex.group, "valid") < VALID_PERCENT


def near_duplicate_mask(train_emb: np.ndarray, test_emb: np.ndarray) -> np.ndarray:
    """True for training rows whose cosine to any test row exceeds NEAR_DUP_COSINE."""
    if len(train_emb) == 0 or len(test_emb) == 0:
        return np.zeros(len(train_emb), dtype=bool)
    best = np.full(len(train_emb), -1.0, dtype=np.float32)
    for lo in range(0, len(test_emb), 1024):
        sims = train_emb @ test_emb[lo : lo + 1024].T
        best = np.maximum(best, sims.max(axis=1))
    return best > NEAR_DUP_COSINE


def labels_array(examples: list[Example]) -> np.ndarray:
    """Coarse label indices."""
    return np.array([LABEL_INDEX[e.label] for e in examples], dtype=np.int64)


def cached_embeddings(texts: list[str]) -> np.ndarray:
    """Classifier embedding features of the training texts, cached on disk (training only)."""
    from attunement.analysis.embed import EMBEDDER_ID, INNER_OUTPUT, embed_pooled
    from attunement.analysis.markers.text import clean_for_model

    cleaned = [clean_for_model(t) for t in texts]
    salt = f"{EMBEDDER_ID} mean|max {INNER_OUTPUT}"
    key = hashlib.sha256(("\n".join(cleaned) + salt).encode()).hexdigest()
    cache_dir = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "attunement"
    path = cache_dir / f"marker-emb-{key[:24]}.npy"
    if path.is_file():
        return np.load(path)
    emb = embed_pooled(cleaned)[1]
    cache_dir.mkdir(parents=True, exist_ok=True)
    np.save(path, emb)
    return emb
