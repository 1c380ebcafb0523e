"""Plural-system exchange formats: PluralKit, Simply Plural and Pluralport (OpenPlural).

Django-free: parsers take bytes, a path or a binary file and return a
:class:`~attunement.io.plural.records.PluralResult`; the writer takes
:class:`~attunement.io.plural.records.PluralData` and returns bytes. Saving into the
journal is ``attunement.parts.transfer``'s job.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from attunement.io.common import load_json
from attunement.io.limits import InputError, Source, read_limited
from attunement.io.plural.common import MAX_PLURAL_BYTES
from attunement.io.plural.pluralkit import parse_pluralkit
from attunement.io.plural.pluralport import parse_pluralport
from attunement.io.plural.records import PluralResult
from attunement.io.plural.simplyplural import parse_simply_plural
from attunement.io.records import Problem

# format name -> (label, parser)
FORMATS: dict[str, tuple[str, Callable[..., PluralResult]]] = {
    "pluralkit": ("PluralKit export (pk;export JSON)", parse_pluralkit),
    "simplyplural": ("Simply Plural export (export.json)", parse_simply_plural),
    "pluralport": ("Pluralport / OpenPlural JSON", parse_pluralport),
}


def detect(top: Any) -> str | None:
    """Which format a parsed JSON value looks like, from its top-level keys (None: unsure)."""
    if not isinstance(top, dict):
        return None
    if "pluralport_version" in top or "openplural_version" in top:
        return "pluralport"
    if "frontHistory" in top or "frontStatuses" in top:
        return "simplyplural"
    if "switches" in top and "members" in top:
        return "pluralkit"
    return None


def _failed(problem: Problem) -> PluralResult:
    result = PluralResult()
    result.problems.append(problem)
    return result


UNRECOGNISED = (
    "This file is not a PluralKit, Simply Plural or Pluralport export that Attunement "
    "recognises. Choose its format by hand to see what is wrong with it."
)


def parse(fmt: str, source: Source, filename: str = "") -> PluralResult:
    """Parse ``source`` as ``fmt``; "auto" recognises the format from the content."""
    if fmt == "auto":
        try:
            raw = read_limited(source, limit=MAX_PLURAL_BYTES, label="file")
            guessed = detect(load_json(raw, "file"))
        except InputError as exc:
            return _failed(exc.problem)
        if guessed is None:
            return _failed(Problem("", UNRECOGNISED))
        fmt, source = guessed, raw
    return FORMATS[fmt][1](source, filename=filename)
