"""Read a Daylio CSV export into journal entries, one per row.

Current exports have the header ``full_date,date,weekday,time,mood,activities,
note_title,note``; older ones have seven columns ``year,date,weekday,time,mood,
activities,note`` where ``date`` is a day and month name ("18 May" or "May 18").
Times are "22:05" or "10:05 pm". Activities are separated by `` | ``. Each row
becomes an entry titled by its note title (or "<Mood> day"), with the note as body
(``<br>`` turned into newlines) and the activities plus ``mood:<mood>`` as tags.
Times carry no zone, so they are read in ``tz`` (default: this computer's zone).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import BinaryIO

from attunement.io.common import decode_text, local_datetime, unique_tags
from attunement.io.limits import MAX_DAYLIO_BYTES, InputError, Source, read_limited
from attunement.io.records import EntryRec, JournalData, ParseResult, Problem

HEADER_NEW = ["full_date", "date", "weekday", "time", "mood", "activities", "note_title", "note"]
HEADER_OLD = ["year", "date", "weekday", "time", "mood", "activities", "note"]
MSG_HEADER = (
    "This CSV is not a Daylio export: its first line should be "
    "full_date,date,weekday,time,mood,activities,note_title,note "
    "(or year,date,weekday,time,mood,activities,note in older exports)."
)
_BR = re.compile(r"[ \t]*<br\s*/?>[ \t]*", re.IGNORECASE)
_OLD_DATE_FORMATS = ("%Y %d %B", "%Y %B %d", "%Y %d %b", "%Y %b %d")
_TIME_FORMATS = ("%H:%M", "%I:%M %p", "%H:%M:%S", "%I:%M%p")


def _parse_time(raw: str) -> dt.time:
    for fmt in _TIME_FORMATS:
        try:
            return dt.datetime.strptime(raw.strip(), fmt).time()
        except ValueError:
            continue
    raise ValueError(raw)


def _parse_date(row: dict[str, str]) -> dt.date:
    if "full_date" in row:
        return dt.date.fromisoformat(row["full_date"].strip())
    joined = f"{row['year'].strip()} {' '.join(row['date'].split())}"
    for fmt in _OLD_DATE_FORMATS:
        try:
            return dt.datetime.strptime(joined, fmt).date()
        except ValueError:
            continue
    raise ValueError(joined)


def _entry(row: dict[str, str], line: int, tz: dt.tzinfo | None) -> EntryRec | Problem:
    try:
        day = _parse_date(row)
    except ValueError:
        shown = row.get("full_date") or f"{row.get('year')} {row.get('date')}"
        return Problem(f"line {line}", f"The date {shown!r} could not be read.")
    try:
        clock = _parse_time(row["time"])
    except ValueError:
        return Problem(f"line {line}", f"The time {row['time']!r} could not be read.")
    mood = " ".join(row["mood"].split())
    activities = [a.strip() for a in row["activities"].split("|")]
    title = " ".join(row.get("note_title", "").split())
    if not title:
        title = f"{mood[:1].upper()}{mood[1:]} day" if mood else "Daylio entry"
    return EntryRec(
        key=f"daylio-{line}",
        title=title,
        body=_BR.sub("\n", row["note"]).strip(),
        written_at=local_datetime(dt.datetime.combine(day, clock), tz),
        tags=unique_tags([*activities, f"mood:{mood}" if mood else ""]),
        source="daylio",
    )


def _rows(text: str) -> list[tuple[int, dict[str, str] | Problem]]:
    """Rows as dicts by header name, or a Problem for a row that cannot be split."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in next(reader, [])]
    if header not in (HEADER_NEW, HEADER_OLD):
        raise InputError(Problem("line 1", MSG_HEADER))
    rows: list[tuple[int, dict[str, str] | Problem]] = []
    while True:
        line = reader.line_num + 1  # a quoted note may span lines; report where it starts
        try:
            values = next(reader)
        except StopIteration:
            return rows
        except csv.Error as exc:
            rows.append((line, Problem(f"line {line}", f"This line cannot be read ({exc}).")))
            return rows
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            message = f"Expected {len(header)} columns but found {len(values)}."
            rows.append((line, Problem(f"line {line}", message)))
            continue
        rows.append((line, dict(zip(header, values, strict=True))))


def parse_daylio(
    data: Source | BinaryIO, *, filename: str = "", tz: dt.tzinfo | None = None
) -> ParseResult:
    """Parse a Daylio CSV export; never raises on bad input."""
    result = ParseResult(JournalData())
    try:
        text = decode_text(read_limited(data, limit=MAX_DAYLIO_BYTES, label="Daylio export"),
                           "Daylio export")
        rows = _rows(text)
    except InputError as exc:
        return ParseResult(JournalData(), problems=[exc.problem])
    for line, row in rows:
        made = row if isinstance(row, Problem) else _entry(row, line, tz)
        if isinstance(made, Problem):
            result.problems.append(made)
        else:
            result.data.entries.append(made)
    return result
