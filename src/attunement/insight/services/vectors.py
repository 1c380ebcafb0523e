"""Sentence vectors of the entries, and search by meaning over them.

Vectors (all-MiniLM-L6-v2, 384 float32, L2-normalised) are kept per sentence in
:class:`~attunement.insight.models.SentenceVector`. On SQLite they are mirrored into the
sqlite-vec table ``insight_vec`` inside the encrypted file as sign bits, and a query is a
Hamming KNN scan there for ``OVERSAMPLE`` times the wanted number, re-ranked by exact cosine
over their float vectors (decrypting 1 MB instead of 30 MB for 20,000 sentences); on
PostgreSQL the blob column is read once per change into a numpy matrix and a
query is one matrix-vector product. A sentence whose text is unchanged keeps its vector
through re-analysis (looked up by the text's hash), so only new words are embedded.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.db.models import Count, Max

from attunement.insight.models import SentenceVector
from attunement.insight.services import cache
from attunement.words.models import SentenceReading

log = logging.getLogger(__name__)
DIM = 384
BATCH = 256
OVERSAMPLE = 20
MIN_CANDIDATES = 200
Embed = Callable[[Sequence[str]], np.ndarray]


def text_hash(text: str) -> str:
    """SHA-256 of a sentence, to reuse its vector."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def uses_vec() -> bool:
    """Whether this database keeps the sqlite-vec table."""
    return connection.vendor == "sqlite"


def _default_embed(texts: Sequence[str]) -> np.ndarray:
    from attunement.analysis.embed import embed
    from attunement.analysis.markers.text import clean_for_model

    # The same cleaned text the marker pass embedded, so its vectors are reused.
    return embed([clean_for_model(t) for t in texts])


def _model_id() -> str:
    from attunement.analysis.embed import EMBEDDER_ID

    return EMBEDDER_ID


def _readings_state() -> tuple[Any, ...]:
    agg = SentenceReading.objects.aggregate(n=Count("pk"), m=Max("pk"), t=Max("analysed_at"))
    return (agg["n"], agg["m"], agg["t"], SentenceVector.objects.count())


_SYNCED: dict[str, tuple[Any, ...]] = {}


def ensure_vectors(embed: Embed | None = None, entry_ids: Sequence[int] | None = None) -> int:
    """Embed sentences that have no vector yet, drop stale ones; returns how many embedded."""
    db = str(connection.settings_dict.get("NAME"))
    state = _readings_state()
    if entry_ids is None and _SYNCED.get(db) == state:
        return 0
    readings = SentenceReading.objects.all()
    vectors = SentenceVector.objects.all()
    if entry_ids is not None:
        readings, vectors = readings.filter(entry_id__in=entry_ids), vectors.filter(
            entry_id__in=entry_ids)
    want = {(e, i): (s, t, x) for e, i, s, t, x in
            readings.values_list("entry_id", "index", "start", "end", "text")}
    have = {(e, i): (pk, h) for pk, e, i, h in
            vectors.values_list("pk", "entry_id", "index", "text_hash")}
    stale = {pk for key, (pk, h) in have.items()
             if key not in want or text_hash(want[key][2]) != h}
    missing = [key for key, (_, _, x) in want.items()
               if key not in have or have[key][0] in stale]
    with transaction.atomic():
        _delete(sorted(stale))
        done = _add(missing, want, embed or _default_embed)
        _drop_orphans()
        _refill_if_short()
    if entry_ids is None:
        _SYNCED[db] = _readings_state()
    return done


def _delete(pks: list[int]) -> None:
    for lo in range(0, len(pks), 500):
        chunk = pks[lo : lo + 500]
        SentenceVector.objects.filter(pk__in=chunk).delete()
        if uses_vec():
            marks = ",".join(["%s"] * len(chunk))
            with connection.cursor() as cur:
                cur.execute(f"DELETE FROM insight_vec WHERE rowid IN ({marks})", chunk)


def _drop_orphans() -> None:
    """Vectors of deleted entries go with their rows; their sqlite-vec copies go here."""
    if uses_vec():
        with connection.cursor() as cur:
            cur.execute("DELETE FROM insight_vec WHERE rowid NOT IN "
                        "(SELECT id FROM insight_sentencevector)")


def _refill_if_short() -> None:
    """Copy every vector into sqlite-vec again when the two disagree (a restored table)."""
    if not uses_vec():
        return
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM insight_vec")
        if cur.fetchone()[0] == SentenceVector.objects.count():
            return
        cur.execute("DELETE FROM insight_vec")
        rows = SentenceVector.objects.values_list("pk", "vector").iterator(chunk_size=2000)
        cur.executemany("INSERT INTO insight_vec(rowid, embedding) "
                        "VALUES (%s, vec_quantize_binary(%s))", [(pk, bytes(v)) for pk, v in rows])


def _add(keys: list[tuple[int, int]], want: dict[Any, Any], embed: Embed) -> int:
    """Create vectors for these sentences, reusing any stored vector of the same text."""
    model = _model_id()
    for lo in range(0, len(keys), BATCH):
        chunk = keys[lo : lo + BATCH]
        hashes = [text_hash(want[k][2]) for k in chunk]
        known = dict(SentenceVector.objects.filter(text_hash__in=set(hashes), model=model)
                     .values_list("text_hash", "vector"))
        todo = sorted({h: want[k][2] for k, h in zip(chunk, hashes, strict=True)
                       if h not in known}.items())
        if todo:
            vecs = np.asarray(embed([t for _, t in todo]), dtype=np.float32)
            known |= {h: vecs[i].tobytes() for i, (h, _) in enumerate(todo)}
        rows = [SentenceVector(entry_id=k[0], index=k[1], start=want[k][0], end=want[k][1],
                               text=want[k][2], text_hash=h, vector=bytes(known[h]), model=model)
                for k, h in zip(chunk, hashes, strict=True)]
        made = SentenceVector.objects.bulk_create(rows)
        if uses_vec():
            if any(r.pk is None for r in made):  # pragma: no cover - SQLite returns ids
                made = list(SentenceVector.objects.filter(
                    entry_id__in={k[0] for k in chunk}).order_by("pk"))
            with connection.cursor() as cur:
                cur.executemany("INSERT INTO insight_vec(rowid, embedding) "
                                "VALUES (%s, vec_quantize_binary(%s))",
                                [(r.pk, bytes(r.vector)) for r in made])
    return len(keys)


def embed_entry_safely(entry: Any) -> None:
    """Hook for after an entry is analysed: embed its sentences; never breaks a save."""
    try:
        ensure_vectors(entry_ids=[entry.pk])
    except Exception:
        log.exception("Could not embed the sentences of entry %s; search will retry.", entry.pk)


def nearest(query_vec: np.ndarray, k: int = 10) -> list[tuple[int, float]]:
    """(SentenceVector id, cosine similarity) of the k nearest sentences, best first."""
    q = np.asarray(query_vec, dtype=np.float32).reshape(DIM)
    if uses_vec():
        return _nearest_vec(q, k)
    ids, matrix = _matrix()
    if not len(ids):
        return []
    sims = matrix @ q
    top = np.argsort(-sims)[:k]
    return [(int(ids[i]), float(sims[i])) for i in top]


def _nearest_vec(q: np.ndarray, k: int) -> list[tuple[int, float]]:
    """Hamming KNN in sqlite-vec for candidates, then exact cosine over their floats."""
    want = max(k * OVERSAMPLE, MIN_CANDIDATES)
    with connection.cursor() as cur:
        cur.execute("SELECT rowid FROM insight_vec WHERE embedding MATCH vec_quantize_binary(%s) "
                    "AND k = %s", [q.tobytes(), int(min(want, 4096))])
        candidates = [int(r[0]) for r in cur.fetchall()]
    rows = list(SentenceVector.objects.filter(pk__in=candidates).values_list("pk", "vector"))
    if not rows:
        return []
    mat = np.frombuffer(b"".join(bytes(v) for _, v in rows), dtype=np.float32)
    sims = mat.reshape(len(rows), DIM) @ q
    top = np.argsort(-sims, kind="stable")[:k]
    return [(int(rows[i][0]), float(sims[i])) for i in top]


def _matrix() -> tuple[np.ndarray, np.ndarray]:
    """All vectors as one matrix (PostgreSQL path), cached per change."""
    agg = SentenceVector.objects.aggregate(n=Count("pk"), m=Max("pk"))

    def load() -> tuple[np.ndarray, np.ndarray]:
        rows = list(SentenceVector.objects.order_by("pk").values_list("pk", "vector"))
        ids = np.array([r[0] for r in rows], dtype=np.int64)
        mat = np.frombuffer(b"".join(bytes(r[1]) for r in rows), dtype=np.float32)
        return ids, mat.reshape(len(rows), DIM) if rows else np.zeros((0, DIM), np.float32)

    return cache.cached("vectors", repr(sorted(agg.items())), load)
