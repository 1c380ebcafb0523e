"""Per-author rupture–repair episodes from the assembled sentence and document tables.

For each author with dated documents, the marker sentences (withdrawal, confrontation,
client and therapist repair) become :class:`MarkerEvent`s dated by their document, every
dated document is an entry date (the exposure for the words criterion), and a numeric
``score`` on a dated document becomes a :class:`Rating` (a check-in). These go to
:func:`attunement.analysis.episodes.detect_episodes` with its default parameters.

``DIR/episodes.parquet`` — one row per episode: ``author``, ``episode_id``, ``start``,
``end``, ``status``, ``kind``, ``criteria``, ``depth_sd``, ``depth_points``,
``lowest_date``, ``lowest_score``, ``evidence_ids`` (``doc_id#sentence_index`` for
sentences, the session or date for scores) and ``n_repair_moves``.

Memory grows with the number of dated documents and marker sentences (tens of bytes
each), not with the text.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from attunement.corpus.outputs import iter_table

MARKER_LABELS = ("withdrawal", "confrontation", "client_repair", "therapist_repair")

EPISODE_SCHEMA = pa.schema([
    ("author", pa.string()),
    ("episode_id", pa.string()),
    ("start", pa.string()),
    ("end", pa.string()),
    ("status", pa.string()),
    ("kind", pa.string()),
    ("criteria", pa.list_(pa.string())),
    ("depth_sd", pa.float64()),
    ("depth_points", pa.float64()),
    ("lowest_date", pa.string()),
    ("lowest_score", pa.float64()),
    ("evidence_ids", pa.list_(pa.string())),
    ("n_repair_moves", pa.int32()),
])


@dataclass
class AuthorSeries:
    """What one author contributes to episode detection."""

    entry_dates: list[dt.date | dt.datetime] = field(default_factory=list)
    ratings: list[Any] = field(default_factory=list)
    markers: list[Any] = field(default_factory=list)


def parse_iso(value: str) -> dt.date | dt.datetime:
    """A normalised ISO date or date-time back into a date or naive datetime."""
    if len(value) == 10:
        return dt.date.fromisoformat(value)
    # Episodes work on calendar days; the writer's local clock time is the day they meant.
    return dt.datetime.fromisoformat(value).replace(tzinfo=None)


def collect(documents: Path, sentences: Path) -> dict[str, AuthorSeries]:
    """Per-author entry dates, ratings and marker events from the two tables."""
    from attunement.analysis.episodes import MarkerEvent, Rating

    series: dict[str, AuthorSeries] = defaultdict(AuthorSeries)
    for batch in iter_table(documents, ["author", "date", "score", "session"]):
        for author, date, score, session in zip(*(c.to_pylist() for c in batch.columns),
                                                strict=True):
            if date is None:
                continue
            when = parse_iso(date)
            series[author].entry_dates.append(when)
            if score is not None and math.isfinite(score):
                series[author].ratings.append(Rating(when, score, session_id=session))
    cols = ["author", "date", "label", "subtype", "confidence", "doc_id", "sentence_index"]
    for batch in iter_table(sentences, cols):
        for author, date, label, sub, conf, doc, idx in zip(
            *(c.to_pylist() for c in batch.columns), strict=True
        ):
            if date is None or label not in MARKER_LABELS:
                continue
            series[author].markers.append(
                MarkerEvent(parse_iso(date), label, sub, conf, source_id=f"{doc}#{idx}")
            )
    return series


def author_rows(author: str, s: AuthorSeries) -> list[dict[str, Any]]:
    """The episode rows of one author."""
    from attunement.analysis.episodes import detect_episodes

    found = detect_episodes(
        sorted(s.ratings, key=lambda r: _key(r.date)), s.markers, entry_dates=s.entry_dates
    )
    rows = []
    for ep in found:
        rows.append({
            "author": author,
            "episode_id": ep.id,
            "start": ep.start.isoformat(),
            "end": ep.end.isoformat() if ep.end else None,
            "status": ep.status,
            "kind": ep.kind,
            "criteria": list(ep.criteria),
            "depth_sd": ep.depth_sd,
            "depth_points": ep.depth_points,
            "lowest_date": ep.lowest.date.isoformat() if ep.lowest else None,
            "lowest_score": ep.lowest.score if ep.lowest else None,
            "evidence_ids": [e.id for e in ep.evidence],
            "n_repair_moves": len(ep.repair_moves),
        })
    return rows


def _key(value: dt.date | dt.datetime) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())


def write_episodes(documents: Path, sentences: Path, target: Path) -> int:
    """Detect every author's episodes and write DIR/episodes.parquet; returns the row count."""
    import os

    series = collect(documents, sentences)
    rows: list[dict[str, Any]] = []
    for author in sorted(series):
        rows.extend(author_rows(author, series[author]))
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    pq.write_table(pa.Table.from_pylist(rows, schema=EPISODE_SCHEMA), tmp, compression="zstd")
    os.replace(tmp, target)
    return len(rows)
