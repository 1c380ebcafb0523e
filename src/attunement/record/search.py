"""Full-text search over entries.

SQLite: an FTS5 table inside the encrypted database (so the index is encrypted
too), kept in step by :func:`index_entry` in the same transaction as the write.
PostgreSQL: ``to_tsvector`` over title, body and tags, computed at query time
(journal-sized data; a GIN index can come when a hosted journal needs it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q

from attunement.record.models import Entry

FTS_TABLE = "record_entry_fts"
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Hit:
    entry: Entry
    snippet: str  # plain text with the matched words wrapped in [[ ]]


def _fts_query(text: str) -> str:
    """Turn what a person typed into a safe FTS5 query: every word, as a prefix."""
    words = _WORD.findall(text)[:20]
    return " ".join(f'"{w}"*' for w in words)


def index_entry(entry: Entry) -> None:
    """(Re)index one entry; call inside the transaction that saved it."""
    if connection.vendor != "sqlite":
        return
    tags = " ".join(entry.tags.values_list("name", flat=True))
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [entry.pk])
        cur.execute(
            f"INSERT INTO {FTS_TABLE} (rowid, title, body, tags) VALUES (%s, %s, %s, %s)",
            [entry.pk, entry.title, entry.body, tags],
        )


def unindex_entry(entry_id: int) -> None:
    """Remove an entry from the index."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [entry_id])


def search(text: str, limit: int = 50) -> list[Hit]:
    """Entries matching every word typed (prefix match), best first."""
    query = _fts_query(text)
    if not query:
        return []
    if connection.vendor == "sqlite":
        return _search_sqlite(query, limit)
    return _search_postgres(text, limit)


def _search_sqlite(query: str, limit: int) -> list[Hit]:
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT rowid, snippet({FTS_TABLE}, 1, '[[', ']]', ' … ', 16) "
            f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s ORDER BY bm25({FTS_TABLE}) LIMIT %s",
            [query, limit],
        )
        rows = cur.fetchall()
    entries = Entry.objects.in_bulk([r[0] for r in rows])
    return [Hit(entries[r[0]], r[1]) for r in rows if r[0] in entries]


def _search_postgres(text: str, limit: int) -> list[Hit]:
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

    words = _WORD.findall(text)[:20]
    query = SearchQuery(" & ".join(f"{w}:*" for w in words), search_type="raw")
    vector = SearchVector("title", weight="A") + SearchVector("body", weight="B")
    qs = (
        Entry.objects.annotate(rank=SearchRank(vector, query))
        .filter(Q(rank__gt=0))
        .order_by("-rank")[:limit]
    )
    return [Hit(e, _plain_snippet(e.body, words)) for e in qs]


def _plain_snippet(body: str, words: list[str], width: int = 90) -> str:
    lower = body.lower()
    pos = min((p for w in words if (p := lower.find(w.lower())) >= 0), default=0)
    start = max(0, pos - width // 2)
    piece = body[start : start + width]
    for w in words:
        piece = re.sub(f"(?i)({re.escape(w)}\\w*)", r"[[\1]]", piece)
    return ("… " if start else "") + piece + (" …" if start + width < len(body) else "")


def rebuild() -> int:
    """Reindex every entry (after an import or a restore); returns how many."""
    if connection.vendor != "sqlite":
        return 0
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {FTS_TABLE}")
    count = 0
    for entry in Entry.objects.prefetch_related("tags"):
        index_entry(entry)
        count += 1
    return count
