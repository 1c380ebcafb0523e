"""Read a Day One JSON export (a .zip with Journal.json, or the bare .json).

Shape: ``{"metadata": {"version": "1.0"}, "entries": [{"uuid", "creationDate"
(ISO 8601 UTC), "timeZone", "text" (Markdown), "tags", "starred", ...}]}``. A zip
holds one JSON file per journal at its top level plus ``photos/`` and other media.

Only the top-level ``*.json`` members are decompressed, each read no further than
its limit, so a zip bomb cannot fill memory. Archives with too many members, an
impossible declared size, or unsafe member names (absolute, ``..``, drive letters)
are refused as a whole. Media links (``dayone-moment://…``) become ``[photo]``,
``[video]``, ``[audio]`` or ``[PDF]``; location, weather and media are dropped.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import zipfile
from typing import IO, Any, BinaryIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from attunement.io import limits
from attunement.io.common import load_json, unique_tags
from attunement.io.limits import InputError, Source, read_limited
from attunement.io.records import EntryRec, JournalData, ParseResult, Problem

ZIP_MAGIC = b"PK\x03\x04"
_MOMENT = re.compile(r"!\[[^\]]*\]\(dayone-moment:/{0,2}(?:(video|audio|pdfAttachment)/)?[^)]*\)")
_MOMENT_WORD = {None: "[photo]", "video": "[video]", "audio": "[audio]", "pdfAttachment": "[PDF]"}
_HEADING = re.compile(r"^\s*#{1,6}\s+(.+?)\s*#*\s*$")
MSG_NO_JSON = "This zip has no Journal.json (or other .json file) at its top level."
MSG_SHAPE = "This is JSON, but not a Day One export: it has no list of \"entries\"."


def _unsafe_name(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    drive = re.match(r"^[A-Za-z]:", name) is not None
    return name.startswith(("/", "\\")) or ".." in parts or drive


def _zip_members(raw_zip: zipfile.ZipFile, label: str) -> list[tuple[str, bytes]]:
    """The top-level JSON members, after checking the whole archive is safe to open."""
    infos = raw_zip.infolist()
    if len(infos) > limits.MAX_ZIP_MEMBERS:
        raise InputError(Problem("", f"This zip holds more than {limits.MAX_ZIP_MEMBERS:,} "
                                     "files, more than a Day One export would."))
    if sum(i.file_size for i in infos) > limits.MAX_ZIP_DECLARED_TOTAL_BYTES:
        raise InputError(Problem("", "This zip says it unpacks to more than "
                                     f"{limits.MAX_ZIP_DECLARED_TOTAL_BYTES // limits.MB // 1024} "
                                     "GB; it was not opened."))
    for info in infos:
        if _unsafe_name(info.filename):
            raise InputError(Problem(info.filename, "This zip contains a file name that points "
                                     "outside the archive; it was not opened."))
    wanted = [i for i in infos if "/" not in i.filename and i.filename.lower().endswith(".json")]
    if not wanted:
        raise InputError(Problem("", MSG_NO_JSON))
    members: list[tuple[str, bytes]] = []
    budget = limits.MAX_DAYONE_JSON_TOTAL_BYTES
    for info in wanted:
        with raw_zip.open(info) as fh:
            limit = min(limits.MAX_DAYONE_JSON_BYTES, budget)
            data = read_limited(fh, limit=limit, label=f"{label} ({info.filename})")
        budget -= len(data)
        members.append((info.filename, data))
    return members


def _read_zip(source: IO[bytes]) -> list[tuple[str, bytes]]:
    try:
        with zipfile.ZipFile(source) as zf:
            return _zip_members(zf, "Day One export")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as exc:
        raise InputError(Problem("", "This zip file is damaged or uses a kind of compression "
                                     "that cannot be read.")) from exc
    except RuntimeError as exc:  # zipfile's way of saying a member is encrypted
        raise InputError(Problem("", "This zip is password-protected; export it again "
                                     "from Day One without a password.")) from exc


def _from_stream(stream: IO[bytes], filename: str) -> list[tuple[str, bytes]]:
    """JSON documents from a seekable stream holding a zip or a bare JSON file."""
    size = limits.declared_size(stream)
    head = stream.read(4)
    stream.seek(-len(head), io.SEEK_CUR)
    if head == ZIP_MAGIC:
        if size is not None and size > limits.MAX_DAYONE_ARCHIVE_BYTES:
            raise InputError(limits.too_large("Day One export", limits.MAX_DAYONE_ARCHIVE_BYTES))
        return _read_zip(stream)
    raw = read_limited(stream, limit=limits.MAX_DAYONE_JSON_BYTES, label="Day One export")
    return [(filename, raw)]


def _documents(data: Source | BinaryIO, filename: str) -> list[tuple[str, bytes]]:
    """(name, JSON bytes) pairs from a path, bytes or a stream."""
    if isinstance(data, os.PathLike):
        with open(data, "rb") as fh:
            return _from_stream(fh, filename or os.fspath(data))
    if isinstance(data, bytes | bytearray | memoryview):
        return _from_stream(io.BytesIO(data), filename)
    if limits.declared_size(data) is None:  # cannot seek: read it, bounded
        raw = read_limited(data, limit=limits.MAX_DAYONE_JSON_BYTES, label="Day One export")
        return _from_stream(io.BytesIO(raw), filename)
    return _from_stream(data, filename)


def _when(item: dict[str, Any]) -> dt.datetime:
    """creationDate in the entry's own time zone when Day One recorded one."""
    raw = str(item.get("creationDate", ""))
    stamp = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    if stamp.tzinfo is None:
        raise ValueError(raw)
    if not item.get("timeZone"):
        return stamp
    try:
        return stamp.astimezone(ZoneInfo(str(item["timeZone"])))
    except (ZoneInfoNotFoundError, ValueError):
        return stamp


def split_title(text: str) -> tuple[str, str]:
    """A leading Markdown heading becomes the title; the rest is the body."""
    lines = text.strip().splitlines()
    match = _HEADING.match(lines[0]) if lines else None
    if match is None:
        return "", text.strip()
    return match.group(1).strip(), "\n".join(lines[1:]).strip()


def _entry(item: Any, where: str, seen: set[str]) -> EntryRec | Problem:
    if not isinstance(item, dict):
        return Problem(where, "This entry is not an object.")
    uuid = str(item.get("uuid") or "")
    if not uuid or uuid in seen:
        return Problem(f"{where}.uuid", "The entry id is missing or appears twice.")
    seen.add(uuid)
    try:
        written_at = _when(item)
    except ValueError:
        return Problem(f"{where}.creationDate",
                       f"{item.get('creationDate')!r} is not a date like 2023-03-14T18:22:05Z.")
    tags = item.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        return Problem(f"{where}.tags", "Tags should be a list of words.")
    text = _MOMENT.sub(lambda m: _MOMENT_WORD[m.group(1)], str(item.get("text") or ""))
    title, body = split_title(text)
    return EntryRec(
        key=f"dayone-{uuid}", title=title, body=body, written_at=written_at,
        tags=unique_tags([t.strip() for t in tags]), starred=item.get("starred") is True,
        source="dayone",
    )


def parse_dayone(data: Source | BinaryIO, *, filename: str = "") -> ParseResult:
    """Parse a Day One export (.zip or .json); never raises on bad input."""
    result = ParseResult(JournalData())
    seen: set[str] = set()
    try:
        documents = _documents(data, filename)
        for name, raw in documents:
            doc = load_json(raw, "Day One export")
            if not isinstance(doc, dict) or not isinstance(doc.get("entries"), list):
                raise InputError(Problem(name, MSG_SHAPE))
            prefix = f"{name}: " if len(documents) > 1 else ""
            for index, item in enumerate(doc["entries"]):
                made = _entry(item, f"{prefix}entries[{index}]", seen)
                if isinstance(made, Problem):
                    result.problems.append(made)
                else:
                    result.data.entries.append(made)
    except InputError as exc:
        return ParseResult(JournalData(), problems=[exc.problem])
    except OSError as exc:
        problem = Problem("", f"The file could not be read ({exc.strerror or exc}).")
        return ParseResult(JournalData(), problems=[problem])
    return result
