"""Import a plural-system file into the journal, or export one: the pages' and CLI's entry.

The file is parsed completely first; if the parser found any problem, nothing is
saved and :class:`ImportFailed` lists them. Otherwise one transaction saves it all.
"""

from __future__ import annotations

import datetime as dt
from importlib import metadata

from attunement.errors import ImportFailed
from attunement.io.limits import Source
from attunement.io.plural import FORMATS, parse
from attunement.io.plural.common import MAX_PLURAL_BYTES
from attunement.io.plural.pluralport_write import write_pluralport
from attunement.parts import transfer

TOO_LARGE = f"The file is larger than {MAX_PLURAL_BYTES // (1024 * 1024)} MB; nothing was imported."


def label(fmt: str) -> str:
    """The format's name for messages ('plural-system' when it was recognised automatically)."""
    return FORMATS[fmt][0] if fmt in FORMATS else "plural-system"


def import_file(fmt: str, source: Source, *, now: dt.datetime) -> dict[str, int]:
    """Parse ``source`` as ``fmt`` ("auto" to recognise it) and save it all, or nothing."""
    result = parse(fmt, source)
    if result.problems:
        raise ImportFailed([str(p) for p in result.problems], label(fmt))
    counts = transfer.import_plural(result.data, now=now)
    for kind, n in result.skipped.items():
        counts[f"skipped: {kind}"] = n
    return counts


def app_version() -> str:
    """This installation's version, for the file's producer stamp."""
    try:
        return metadata.version("attunement")
    except metadata.PackageNotFoundError:
        return "unknown"


def export_bytes(*, now: dt.datetime) -> bytes:
    """Everything the parts feature holds, as a Pluralport file."""
    return write_pluralport(transfer.export_plural(), exported_at=now, app_version=app_version())
