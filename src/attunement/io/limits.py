"""Size limits for imported files, and reading an input without exceeding them.

Every parser reads its input through :func:`read_limited`, which looks at the size
first (for bytes, paths and seekable files) and otherwise stops reading one byte past
the limit, so a huge file fails fast and is never held whole in memory.
Parsers never raise on bad input: they catch :class:`InputError` and turn its
:class:`Problem` into a :class:`ParseResult` problem.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import IO

from attunement.io.records import Problem

MB = 1024 * 1024

# WordPress sites with years of posts export to a few MB; 100 MB leaves plenty of room
# while keeping the parsed XML tree (several times the file size) within reach of a laptop.
MAX_WXR_BYTES = 100 * MB
MAX_JRNL_BYTES = 50 * MB
MAX_DAYLIO_BYTES = 20 * MB
MAX_ATTUNEMENT_JSON_BYTES = 200 * MB
# A Day One zip carries photos, so the archive itself may be large; only its JSON
# members are decompressed, and those are bounded one by one and in total.
MAX_DAYONE_ARCHIVE_BYTES = 4096 * MB
MAX_DAYONE_JSON_BYTES = 100 * MB
MAX_DAYONE_JSON_TOTAL_BYTES = 200 * MB
MAX_ZIP_MEMBERS = 50_000
MAX_ZIP_DECLARED_TOTAL_BYTES = 16 * 1024 * MB

CHUNK = 1024 * 1024

Source = bytes | bytearray | memoryview | IO[bytes] | os.PathLike[str]


class InputError(Exception):
    """A whole input is unusable; carries the :class:`Problem` to report."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def too_large(label: str, limit: int) -> Problem:
    """The problem reported for an input over its size limit."""
    return Problem(
        "",
        f"This {label} is larger than {limit // MB} MB, the most Attunement reads "
        "from this kind of file. Nothing was imported.",
    )


def declared_size(source: IO[bytes]) -> int | None:
    """Bytes left in a seekable stream, or None when it cannot seek."""
    try:
        if not source.seekable():
            return None
        here = source.tell()
        end = source.seek(0, io.SEEK_END)
        source.seek(here)
    except (OSError, ValueError):
        return None
    return end - here


def _read_stream(source: IO[bytes], limit: int, label: str) -> bytes:
    size = declared_size(source)
    if size is not None and size > limit:
        raise InputError(too_large(label, limit))
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = source.read(CHUNK)
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > limit:
            raise InputError(too_large(label, limit))
        chunks.append(chunk)


def read_limited(source: Source, *, limit: int, label: str) -> bytes:
    """Return all bytes of ``source``, or raise InputError if it exceeds ``limit``."""
    if isinstance(source, bytes | bytearray | memoryview):
        if len(source) > limit:
            raise InputError(too_large(label, limit))
        return bytes(source)
    try:
        if isinstance(source, os.PathLike):
            path = Path(source)
            if path.stat().st_size > limit:
                raise InputError(too_large(label, limit))
            with path.open("rb") as fh:
                return _read_stream(fh, limit, label)
        return _read_stream(source, limit, label)
    except OSError as exc:
        message = f"The file could not be read ({exc.strerror or exc})."
        raise InputError(Problem("", message)) from exc


def line_of(data: bytes, offset: int) -> int:
    """1-based line number of a byte offset, for problem locations."""
    return data.count(b"\n", 0, offset) + 1
