"""Read a jrnl JSON export (``jrnl --format json``) into journal entries.

Shape (jrnl's ``docs/formats.md``)::

    {"tags": {"@therapy": 3},
     "entries": [{"title": "...", "body": "...", "date": "2023-03-14", "time": "18:22",
                  "tags": ["@therapy"], "starred": false}]}

jrnl stores wall-clock times without a zone, so they are read in ``tz`` (by default
this computer's local zone). Tags lose their leading ``@`` (or ``#``). Other keys
jrnl may add (``uuid`` and the like for Day One journals) are ignored.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, BinaryIO

from attunement.io.common import clean_tag, load_json, local_datetime, unique_tags
from attunement.io.limits import MAX_JRNL_BYTES, InputError, Source, read_limited
from attunement.io.records import EntryRec, JournalData, ParseResult, Problem

ENCRYPTED_MAGIC = b"JRNLv"
MSG_ENCRYPTED = (
    "This is an encrypted jrnl journal. Export it first with "
    "`jrnl --format json > journal.json`, then import that file."
)
MSG_SHAPE = "This is JSON, but not a jrnl export: it has no list of \"entries\"."


def _when(item: dict[str, Any], tz: dt.tzinfo | None) -> dt.datetime:
    date = dt.date.fromisoformat(str(item.get("date", "")))
    clock = str(item.get("time") or "00:00")
    parsed = dt.datetime.strptime(clock, "%H:%M").time()
    return local_datetime(dt.datetime.combine(date, parsed), tz)


def _entry(item: Any, index: int, tz: dt.tzinfo | None, result: ParseResult) -> None:
    where = f"entries[{index}]"
    if not isinstance(item, dict):
        result.problems.append(Problem(where, "This entry is not an object."))
        return
    try:
        written_at = _when(item, tz)
    except ValueError:
        shown = f"{item.get('date')!s} {item.get('time')!s}"
        result.problems.append(Problem(
            f"{where}.date", f"The date and time {shown!r} are not in the form 2023-03-14 18:22."
        ))
        return
    tags = item.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        result.problems.append(Problem(f"{where}.tags", "Tags should be a list of words."))
        return
    result.data.entries.append(EntryRec(
        key=f"jrnl-{index + 1}",
        title=str(item.get("title") or "").strip(),
        body=str(item.get("body") or "").strip(),
        written_at=written_at,
        tags=unique_tags([clean_tag(t) for t in tags]),
        starred=item.get("starred") is True,
        source="jrnl",
    ))


def parse_jrnl(
    data: Source | BinaryIO, *, filename: str = "", tz: dt.tzinfo | None = None
) -> ParseResult:
    """Parse a jrnl JSON export; never raises on bad input."""
    try:
        raw = read_limited(data, limit=MAX_JRNL_BYTES, label="jrnl export")
        if raw.lstrip().startswith(ENCRYPTED_MAGIC):
            raise InputError(Problem("", MSG_ENCRYPTED))
        doc = load_json(raw, "jrnl export")
        if not isinstance(doc, dict) or not isinstance(doc.get("entries"), list):
            raise InputError(Problem("", MSG_SHAPE))
    except InputError as exc:
        return ParseResult(JournalData(), problems=[exc.problem])
    result = ParseResult(JournalData())
    for index, item in enumerate(doc["entries"]):
        _entry(item, index, tz, result)
    return result
