"""Attunement's own JSON export: every record, versioned, and re-importable as is.

Layout (version 1)::

    {"format": "attunement-journal", "version": 1, "exported_at": "<ISO 8601>",
     "therapists": [...], "sessions": [...], "contacts": [...], "frame": [...],
     "absences": [...], "entries": [{..., "comments": [...]}], "unsaid": [...],
     "checkins": [...]}

Each list holds the fields of the matching dataclass in ``records.py`` under the same
names. Dates are ``YYYY-MM-DD``; datetimes are ISO 8601 with their UTC offset, and
with the IANA zone in brackets when they carry one (``2023-03-14T18:22:05+00:00
[Europe/London]``, the RFC 9557 form), so ``parse_json(export_json(d)).data == d``.
Sections and fields are read from the dataclasses' type hints, so a field added
there (with a default) is exported and imported without touching this module; an
older file that lacks it gets the default. Unknown keys are reported as warnings.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import types
from functools import cache
from typing import IO, Any, Literal, Union, get_args, get_origin, get_type_hints
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from attunement.io import jsonrefs
from attunement.io.atomic import atomic_write
from attunement.io.common import load_json
from attunement.io.limits import MAX_ATTUNEMENT_JSON_BYTES, InputError, Source, read_limited
from attunement.io.records import JournalData, ParseResult, Problem

FORMAT = "attunement-journal"
VERSION = 1
_ZONED = re.compile(r"^(?P<stamp>[^\[]+)\[(?P<zone>[A-Za-z0-9_+\-/]+)\]$")
_INVALID = object()  # a value that failed to decode; its problem is already recorded


@cache
def sections() -> dict[str, type]:
    """JournalData's list fields and the record type each holds."""
    hints = get_type_hints(JournalData)
    return {f.name: get_args(hints[f.name])[0] for f in dataclasses.fields(JournalData)}


def format_datetime(value: dt.datetime) -> str:
    """ISO 8601 with offset, plus ``[Zone/Name]`` for zoneinfo datetimes."""
    if value.utcoffset() is None:
        raise ValueError(f"naive datetime in export: {value!r}")
    stamp = value.isoformat()
    return f"{stamp}[{value.tzinfo.key}]" if isinstance(value.tzinfo, ZoneInfo) else stamp


def parse_datetime(text: str) -> dt.datetime:
    """Inverse of :func:`format_datetime`; raises ValueError."""
    match = _ZONED.match(text)
    stamp = dt.datetime.fromisoformat(match["stamp"] if match else text)
    if stamp.utcoffset() is None:
        raise ValueError("no UTC offset")
    if not match:
        return stamp
    try:
        zone = ZoneInfo(match["zone"])
    except (ZoneInfoNotFoundError, ValueError):
        return stamp  # unknown zone here: the offset alone still gives the instant
    local = stamp.replace(tzinfo=zone, fold=0)
    # The same wall time can occur twice (or not at all) around a clock change; the
    # written offset says which one was meant.
    return local if local.utcoffset() == stamp.utcoffset() else local.replace(fold=1)


def _to_json(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dt.datetime):
        return format_datetime(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_to_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _to_json(v) for k, v in value.items()}
    return value


def export_json(data: JournalData, *, exported_at: dt.datetime | None = None) -> bytes:
    """The whole journal as one versioned UTF-8 JSON document."""
    when = exported_at or dt.datetime.now(dt.UTC)
    doc: dict[str, Any] = {"format": FORMAT, "version": VERSION,
                           "exported_at": format_datetime(when)}
    doc.update(_to_json(data))
    return (json.dumps(doc, ensure_ascii=False, indent=1, allow_nan=False) + "\n").encode()


def write_json(data: JournalData, path: str) -> None:
    """Export to ``path`` atomically (a crash leaves no half-written file)."""
    atomic_write(path, export_json(data))


class _Decoder:
    """Checks decoded JSON against the record type hints, collecting problems."""

    def __init__(self, result: ParseResult) -> None:
        self.result = result

    def fail(self, where: str, message: str) -> object:
        self.result.problems.append(Problem(where, message))
        return _INVALID

    def value(self, raw: Any, tp: Any, where: str) -> Any:
        origin = get_origin(tp)
        if tp is Any:
            return raw
        if origin in (Union, types.UnionType):
            return None if raw is None and type(None) in get_args(tp) else self.value(
                raw, next(a for a in get_args(tp) if a is not type(None)), where)
        if origin is Literal:
            ok = raw in get_args(tp) and isinstance(raw, str)
            return raw if ok else self.fail(where, f"{raw!r} is not one of {list(get_args(tp))}.")
        if origin is list:
            if not isinstance(raw, list):
                return self.fail(where, "Expected a list.")
            return [self.value(v, get_args(tp)[0], f"{where}[{i}]") for i, v in enumerate(raw)]
        if origin is dict:
            ok = isinstance(raw, dict) and all(isinstance(k, str) for k in raw)
            return raw if ok else self.fail(where, "Expected an object.")
        if dataclasses.is_dataclass(tp):
            return self.record(raw, tp, where)
        return self.scalar(raw, tp, where)

    def scalar(self, raw: Any, tp: Any, where: str) -> Any:
        if tp in (str, bool) or (tp is int and not isinstance(raw, bool)):
            return raw if isinstance(raw, tp) else self.fail(where, f"Expected {tp.__name__}.")
        if tp is int:
            return self.fail(where, "Expected int.")
        if not isinstance(raw, str):
            return self.fail(where, "Expected a date written as text.")
        try:
            return parse_datetime(raw) if tp is dt.datetime else dt.date.fromisoformat(raw)
        except ValueError:
            kind = "date and time with UTC offset" if tp is dt.datetime else "date (YYYY-MM-DD)"
            return self.fail(where, f"{raw!r} is not a valid {kind}.")

    def record(self, raw: Any, cls: Any, where: str) -> Any:
        if not isinstance(raw, dict):
            return self.fail(where, "Expected an object.")
        hints = get_type_hints(cls)
        kwargs: dict[str, Any] = {}
        names = {f.name for f in dataclasses.fields(cls)}
        for extra in sorted(set(raw) - names):
            self.result.warnings.append(Problem(f"{where}.{extra}", "Unknown field; ignored."))
        for f in dataclasses.fields(cls):
            if f.name in raw:
                kwargs[f.name] = self.value(raw[f.name], hints[f.name], f"{where}.{f.name}")
            elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                return self.fail(f"{where}.{f.name}", "This required field is missing.")
        if any(_contains_invalid(v) for v in kwargs.values()):
            return _INVALID
        return cls(**kwargs)


def _contains_invalid(value: Any) -> bool:
    return value is _INVALID or (isinstance(value, list) and any(v is _INVALID for v in value))


def _check_header(doc: Any) -> None:
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise InputError(Problem("format", "This is not an Attunement journal export."))
    version = doc.get("version")
    if type(version) is not int or version < 1:
        raise InputError(Problem("version", f"The format version {version!r} is not valid."))
    if version > VERSION:
        raise InputError(Problem("version", f"This file was made by a newer Attunement (format "
                                            f"version {version}); update the app to import it."))


def parse_json(data: Source | IO[bytes], *, filename: str = "") -> ParseResult:
    """Parse an Attunement JSON export; never raises on bad input."""
    result = ParseResult(JournalData())
    try:
        raw = read_limited(data, limit=MAX_ATTUNEMENT_JSON_BYTES, label="Attunement export")
        doc = load_json(raw, "Attunement export")
        _check_header(doc)
    except InputError as exc:
        return ParseResult(JournalData(), problems=[exc.problem])
    decoder = _Decoder(result)
    for name, cls in sections().items():
        items = decoder.value(doc.get(name, []), list[cls], name)  # type: ignore[valid-type]
        if items is not _INVALID:
            getattr(result.data, name).extend(i for i in items if i is not _INVALID)
    known = {"format", "version", "exported_at", *sections()}
    for extra in sorted(set(doc) - known):
        result.warnings.append(Problem(extra, "Unknown section; ignored."))
    if result.ok:
        result.problems.extend(jsonrefs.check_references(result.data))
    return result
