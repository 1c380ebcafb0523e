"""Stream documents out of research inputs, one at a time, with bad rows reported by line.

Formats (``fmt``; ``auto`` decides by the path):

- ``jsonl`` (``.jsonl``, ``.ndjson``, ``.json``): one object per line with ``id`` (string or
  integer) and ``text``; optional ``author``, ``date`` (ISO 8601), ``session`` and a numeric
  ``score`` (an alliance rating, used for episodes).
- ``csv`` (``.csv``, ``.tsv``): a header row; the text is in ``text_column``, the id in
  ``id_column``; ``author``, ``date``, ``session`` and ``score`` columns are read if present.
- ``text`` (a folder): every ``.txt`` and ``.md`` below it, in sorted order. The id is the
  path relative to the folder, the author the first sub-folder (if any), the date a
  ``YYYY-MM-DD`` prefix of the file name (if any).
- ``wordpress`` (``.xml``): the posts of a WordPress export; the author is the file's stem.

Nothing here holds more than one document at a time (a WordPress export is parsed whole,
but it is capped in size by the importer). A bad row yields :class:`BadRow` and reading
goes on.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

MAX_TEXT_CHARS = 200_000  # ~30,000 words: longer than any journal entry we have seen
MAX_LINE_BYTES = 4 * MAX_TEXT_CHARS + 65_536
FORMATS = ("auto", "jsonl", "csv", "text", "wordpress")
_EXT = {
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl",
    ".csv": "csv", ".tsv": "csv", ".xml": "wordpress",
}
_DATE_PREFIX = re.compile(r"^(\d{4}-\d{2}-\d{2})")


@dataclass(frozen=True)
class Doc:
    """One document of the corpus, with where it was read from."""

    id: str
    text: str
    author: str = ""
    date: str | None = None  # ISO 8601, normalised
    session: str | None = None
    score: float | None = None
    source: str = ""
    line: int | None = None


@dataclass(frozen=True)
class BadRow:
    """An input row that was skipped, and why."""

    source: str
    line: int | None
    error: str
    id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The JSON object written to errors.jsonl."""
        return {"source": self.source, "line": self.line, "id": self.id, "error": self.error}


class RowError(ValueError):
    """A field that cannot be read; the message says which and why."""


def detect_format(path: Path, fmt: str = "auto") -> str:
    """The reader for a path: the given format, or one chosen from the extension."""
    if fmt != "auto":
        return fmt
    if path.is_dir():
        return "text"
    found = _EXT.get(path.suffix.lower())
    if found is None:
        raise RowError(
            f"{path}: cannot tell the format from the name; give --format "
            "(jsonl, csv, text or wordpress)."
        )
    return found


def iter_inputs(
    paths: Sequence[Path], fmt: str = "auto", text_column: str = "text", id_column: str = "id"
) -> Iterator[Doc | BadRow]:
    """Every document (or bad row) of every input, in a fixed order."""
    for path in paths:
        kind = detect_format(path, fmt)
        if kind == "jsonl":
            yield from read_jsonl(path)
        elif kind == "csv":
            yield from read_csv(path, text_column, id_column)
        elif kind == "text":
            yield from read_folder(path)
        else:
            yield from read_wordpress(path)


# --- field checks -------------------------------------------------------------------------


def _string(value: Any, name: str, required: bool = False) -> str | None:
    """A string field: present, a string, and valid Unicode (pyarrow refuses lone surrogates)."""
    if value is None or value == "":
        if required:
            raise RowError(f"missing '{name}'")
        return None
    if not isinstance(value, str):
        raise RowError(f"'{name}' must be a string")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise RowError(f"'{name}' is not valid UTF-8 text") from exc
    return value


def check_id(value: Any) -> str:
    """A document id: a string or an integer."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return _string(value, "id", required=True) or ""


def check_text(value: Any) -> str:
    """The document text: a string no longer than MAX_TEXT_CHARS."""
    if not isinstance(value, str):
        raise RowError("missing or non-string 'text'")
    if len(value) > MAX_TEXT_CHARS:
        raise RowError(f"'text' is longer than {MAX_TEXT_CHARS} characters")
    return _string(value, "text") or ""


def check_date(value: Any) -> str | None:
    """An ISO 8601 date or date-time, normalised; None when absent."""
    raw = _string(value, "date")
    if raw is None:
        return None
    raw = raw.strip()
    try:
        if len(raw) == 10:
            return dt.date.fromisoformat(raw).isoformat()
        return dt.datetime.fromisoformat(raw).isoformat()
    except ValueError as exc:
        raise RowError(f"'date' is not an ISO 8601 date: {raw[:40]!r}") from exc


def check_score(value: Any) -> float | None:
    """A finite number (or numeric text from a CSV); None when absent."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise RowError("'score' must be a number")
    try:
        score = float(value)
    except ValueError as exc:
        raise RowError(f"'score' is not a number: {str(value)[:40]!r}") from exc
    if not math.isfinite(score):
        raise RowError("'score' must be a finite number")
    return score


def make_doc(obj: dict[str, Any], source: str, line: int | None, text_key: str = "text",
             id_key: str = "id") -> Doc:
    """A Doc from one row's fields; raises RowError naming the bad field."""
    return Doc(
        id=check_id(obj.get(id_key)),
        text=check_text(obj.get(text_key)),
        author=_string(obj.get("author"), "author") or "",
        date=check_date(obj.get("date")),
        session=_string(_as_text(obj.get("session")), "session"),
        score=check_score(obj.get("score")),
        source=source,
        line=line,
    )


def _as_text(value: Any) -> Any:
    """Session ids may be numbers in JSON; keep them as text."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


# --- readers ------------------------------------------------------------------------------


def _lines(f: BinaryIO) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes) per line; None for a line over MAX_LINE_BYTES (skipped whole)."""
    lineno = 0
    while True:
        chunk = f.readline(MAX_LINE_BYTES)
        if not chunk:
            return
        lineno += 1
        if len(chunk) >= MAX_LINE_BYTES and not chunk.endswith(b"\n"):
            while chunk and not chunk.endswith(b"\n"):  # drain the rest of the long line
                chunk = f.readline(MAX_LINE_BYTES)
            yield lineno, None
        else:
            yield lineno, chunk


def read_jsonl(path: Path) -> Iterator[Doc | BadRow]:
    """Documents from a JSON-lines file."""
    source = str(path)
    with path.open("rb") as f:
        for lineno, raw in _lines(f):
            if raw is None:
                yield BadRow(source, lineno, f"line is longer than {MAX_LINE_BYTES} bytes")
                continue
            if not raw.strip():
                continue
            yield _jsonl_row(raw, source, lineno)


def _jsonl_row(raw: bytes, source: str, lineno: int) -> Doc | BadRow:
    """One JSON line as a Doc, or the reason it was skipped."""
    try:
        obj = json.loads(raw.decode("utf-8-sig" if lineno == 1 else "utf-8"))
    except UnicodeDecodeError:
        return BadRow(source, lineno, "line is not valid UTF-8")
    except ValueError as exc:
        return BadRow(source, lineno, f"not valid JSON: {str(exc)[:80]}")
    if not isinstance(obj, dict):
        return BadRow(source, lineno, "expected a JSON object")
    try:
        return make_doc(obj, source, lineno)
    except RowError as exc:
        ident = obj.get("id")
        return BadRow(source, lineno, str(exc), ident if isinstance(ident, str) else None)


def read_csv(
    path: Path, text_column: str = "text", id_column: str = "id"
) -> Iterator[Doc | BadRow]:
    """Documents from a CSV (or TSV) file with a header row."""
    source = str(path)
    csv.field_size_limit(MAX_LINE_BYTES)
    # surrogateescape keeps bad bytes visible to the field checks instead of stopping the file.
    with path.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as f:
        reader = csv.DictReader(f, delimiter="\t" if path.suffix.lower() == ".tsv" else ",")
        header = reader.fieldnames or []
        for col in (text_column, id_column):
            if col not in header:
                yield BadRow(source, 1, f"no column named {col!r} (columns: {', '.join(header)})")
                return
        start = reader.line_num + 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield BadRow(source, start, f"not valid CSV: {exc}")
                start = reader.line_num + 1
                continue
            yield _csv_row(row, source, start, text_column, id_column)
            start = reader.line_num + 1


def _csv_row(row: dict[str, Any], source: str, line: int, text_col: str, id_col: str
             ) -> Doc | BadRow:
    """One CSV row as a Doc, or the reason it was skipped."""
    if None in row:
        return BadRow(source, line, "more fields than the header has")
    try:
        return make_doc(row, source, line, text_key=text_col, id_key=id_col)
    except RowError as exc:
        return BadRow(source, line, str(exc))


def read_folder(root: Path) -> Iterator[Doc | BadRow]:
    """Documents from every .txt and .md file below a folder, in sorted path order."""
    files = sorted(
        p for p in root.rglob("*") if p.suffix.lower() in (".txt", ".md") and p.is_file()
    )
    for path in files:
        rel = path.relative_to(root).as_posix()
        source = str(path)
        if path.stat().st_size > 4 * MAX_TEXT_CHARS:
            yield BadRow(source, None, f"file is larger than {4 * MAX_TEXT_CHARS} bytes", rel)
            continue
        try:
            text = path.read_bytes().decode("utf-8-sig")
            match = _DATE_PREFIX.match(path.name)
            parts = rel.split("/")
            obj = {"id": rel, "text": text, "author": parts[0] if len(parts) > 1 else None,
                   "date": match.group(1) if match else None}
            yield make_doc(obj, source, None)
        except UnicodeDecodeError:
            yield BadRow(source, None, "file is not valid UTF-8", rel)
        except RowError as exc:
            yield BadRow(source, None, str(exc), rel)


def read_wordpress(path: Path) -> Iterator[Doc | BadRow]:
    """The posts of a WordPress export (WXR) as documents; problems as bad rows."""
    from attunement.io.wordpress import parse_wordpress

    source = str(path)
    result = parse_wordpress(path)
    for problem in result.problems:
        match = re.search(r"line (\d+)", problem.where)
        yield BadRow(source, int(match.group(1)) if match else None, str(problem))
    for entry in result.data.entries:
        text = f"{entry.title}\n\n{entry.body}" if entry.title else entry.body
        obj = {"id": entry.key, "text": text, "author": path.stem,
               "date": entry.written_at.isoformat(), "session": entry.session_key}
        try:
            yield make_doc(obj, source, None)
        except RowError as exc:
            yield BadRow(source, None, str(exc), entry.key)
