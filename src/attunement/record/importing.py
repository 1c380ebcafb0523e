"""Import a file: parse it completely, then save everything in one transaction.

A file with any problem adds nothing; the problems are listed with where they were.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from attunement.errors import ImportFailed
from attunement.io.records import ParseResult
from attunement.record import transfer

# format -> (label, module, parser function)
IMPORT_FORMATS: dict[str, tuple[str, str, str]] = {
    "wordpress": ("WordPress export (WXR .xml)", "attunement.io.wordpress", "parse_wordpress"),
    "jrnl": ("jrnl JSON", "attunement.io.jrnl", "parse_jrnl"),
    "dayone": ("Day One JSON (.zip or .json)", "attunement.io.dayone", "parse_dayone"),
    "daylio": ("Daylio CSV", "attunement.io.daylio", "parse_daylio"),
    "json": ("Attunement JSON export", "attunement.io.jsonexport", "parse_json"),
}

LABELS = {
    "therapists": "therapists",
    "sessions": "sessions",
    "contacts": "contacts",
    "frame": "agreements and rules",
    "absences": "absences",
    "entries": "entries",
    "comments": "comments",
    "unsaid": "unsaid notes",
    "checkins": "check-ins",
}


def parser(fmt: str) -> Callable[..., ParseResult]:
    """The parse function for a format name."""
    _, module, func = IMPORT_FORMATS[fmt]
    fn: Callable[..., ParseResult] = getattr(importlib.import_module(module), func)
    return fn


def parse(fmt: str, data: Any, filename: str = "") -> ParseResult:
    """Parse bytes or a binary file of the given format."""
    return parser(fmt)(data, filename=filename)


def import_bytes(
    fmt: str, data: Any, *, filename: str = "", progress: transfer.Progress = transfer._noop
) -> dict[str, int]:
    """Parse and save; raises ImportFailed (and saves nothing) if the file has problems.

    Returns the counts of what was added, plus ``skipped: <kind>`` counts of what the
    file held that was left out on purpose (pages, spam, pingbacks).
    """
    result = parse(fmt, data, filename)
    if result.problems:
        raise ImportFailed([str(p) for p in result.problems], IMPORT_FORMATS[fmt][0])
    counts = transfer.import_data(result.data, progress=progress)
    for kind, n in getattr(result, "skipped", {}).items():
        counts[f"skipped: {kind}"] = n
    counts["warnings"] = len(getattr(result, "warnings", []))
    return counts


def summary(counts: dict[str, int]) -> str:
    """'Imported 12 entries, 30 comments. Left out: 1 page.' from the counts."""
    added = [
        f"{n} {LABELS.get(k, k)}"
        for k, n in counts.items()
        if n and not k.startswith("skipped: ") and k != "warnings"
    ]
    text = "Imported " + (", ".join(added) if added else "nothing new") + "."
    skipped = [
        f"{n} {k.removeprefix('skipped: ')}"
        for k, n in counts.items()
        if n and k.startswith("skipped: ")
    ]
    if skipped:
        text += " Left out on purpose: " + ", ".join(skipped) + "."
    if counts.get("warnings"):
        text += f" {counts['warnings']} small oddities were fixed on the way (see docs/formats.md)."
    return text
