"""A small seeded corpus of journal-like documents for the corpus-mode tests."""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

import pyarrow.parquet as pq

SENTENCES = (
    "She was late again and I said nothing about it.",
    "I told her I was angry that she forgot what I said.",
    "I changed the subject as soon as she asked about my father.",
    "She apologised for missing the point last week.",
    "I went back and told her what I had really meant.",
    "We talked about the move and the new flat.",
    "I kept looking at the clock.",
    "She asked what it was like for me to be in the room with her.",
    "The bus was crowded on the way home.",
    "I wondered if she is tired of me.",
)


def write_corpus(path: Path, n_docs: int, seed: int = 1, authors: int = 2) -> Path:
    """JSON lines with ids, authors, dates and 2-4 sentences each (deterministic)."""
    rng = random.Random(seed)
    start = dt.date(2024, 1, 1)
    with path.open("w", encoding="utf-8") as f:
        for i in range(n_docs):
            text = " ".join(rng.choice(SENTENCES) for _ in range(rng.randint(2, 4)))
            row = {"id": f"doc-{i:04d}", "text": text, "author": f"person-{i % authors}",
                   "date": (start + dt.timedelta(days=3 * (i // authors))).isoformat()}
            f.write(json.dumps(row) + "\n")
    return path


def sorted_rows(path: Path) -> list[dict]:
    """A Parquet table's rows in a canonical order, for comparing runs."""
    rows = pq.read_table(path).to_pylist()
    return sorted(rows, key=lambda r: json.dumps(r, sort_keys=True))
