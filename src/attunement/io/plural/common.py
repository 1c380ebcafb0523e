"""Helpers the plural-system parsers share: reading the file, typed fields, colours, times.

Field helpers never raise: a wrong type becomes a :class:`Problem` naming the path
(``members[3].name``), so one pass lists everything wrong with a file.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from attunement.io.common import load_json
from attunement.io.limits import MB, Source, read_limited
from attunement.io.plural.records import PeriodRec, PluralResult, SourceRef
from attunement.io.records import Problem

# A Simply Plural export with years of front history and notes runs to a few MB;
# 50 MB leaves room while keeping the parsed JSON (several times larger) small.
MAX_PLURAL_BYTES = 50 * MB
# PluralKit allows 1,000 members per system (more on request); Simply Plural has no
# fixed limit. 10,000 keeps pages and pickers usable and a hostile file bounded.
MAX_PARTS = 10_000
MAX_GROUPS = 5_000
# Front rows: one per switch (PluralKit) or per part and stretch (Simply Plural).
MAX_PERIODS = 200_000
MAX_NOTES = 50_000
# Longest name kept (PluralKit: 100 characters; the database column holds 200).
MAX_NAME = 200

_HEX6 = re.compile(r"^#?([0-9a-fA-F]{6})(?:[0-9a-fA-F]{2})?$")
_HEX3 = re.compile(r"^#?([0-9a-fA-F]{3})$")


def read_json(source: Source, label: str) -> Any:
    """The JSON value in ``source``; raises InputError (size, encoding, syntax)."""
    raw = read_limited(source, limit=MAX_PLURAL_BYTES, label=label)
    return load_json(raw, label)


def as_list(top: dict[str, Any], key: str, result: PluralResult, limit: int) -> list[Any]:
    """``top[key]`` as a list ([] when absent); a problem when it is not a list or too long."""
    value = top.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        result.problems.append(Problem(key, f"'{key}' should be a list."))
        return []
    if len(value) > limit:
        result.problems.append(
            Problem(
                key,
                f"The file holds {len(value):,} items in '{key}'; Attunement reads at most "
                f"{limit:,}. Nothing was imported.",
            )
        )
        return []
    return value


def objects(
    items: list[Any], where: str, result: PluralResult
) -> Iterable[tuple[str, dict[str, Any]]]:
    """(path, item) for each item that is an object; a problem for each that is not."""
    for i, item in enumerate(items):
        path = f"{where}[{i}]"
        if isinstance(item, dict):
            yield path, item
        else:
            result.problems.append(Problem(path, "This item is not an object."))


def text(item: dict[str, Any], key: str, where: str, result: PluralResult) -> str:
    """An optional text field ('' when absent or null); a problem when not text."""
    value = item.get(key)
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    result.problems.append(Problem(f"{where}.{key}", f"'{key}' should be text."))
    return ""


def required_id(item: dict[str, Any], key: str, where: str, result: PluralResult) -> str:
    """A required id (text, or a number written as text); '' and a problem when missing."""
    value = item.get(key)
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    result.problems.append(Problem(f"{where}.{key}", f"This item has no '{key}'."))
    return ""


def name(item: dict[str, Any], key: str, where: str, result: PluralResult) -> str:
    """A required name, trimmed and cut to MAX_NAME characters (with a warning)."""
    value = text(item, key, where, result).strip()
    if not value:
        if key in item and not isinstance(item.get(key), str | None):
            return ""
        result.problems.append(Problem(f"{where}.{key}", f"This item has no '{key}'."))
        return ""
    if len(value) > MAX_NAME:
        result.warnings.append(
            Problem(f"{where}.{key}", f"The name was cut to its first {MAX_NAME} characters.")
        )
        value = value[:MAX_NAME]
    return value


def flag(item: dict[str, Any], key: str) -> bool:
    """A boolean field; anything but ``true`` counts as false."""
    return item.get(key) is True


def colour(value: Any, where: str, result: PluralResult) -> str:
    """'#rrggbb' (lower case) from 'rrggbb', '#rgb' or '#rrggbbaa'; '' (warned) otherwise."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        v = value.strip()
        if m := _HEX6.match(v):
            return "#" + m.group(1).lower()
        if m := _HEX3.match(v):
            return "#" + "".join(c * 2 for c in m.group(1).lower())
    result.warnings.append(
        Problem(where, f"The colour {value!r} was not understood and was left out.")
    )
    return ""


def iso_time(
    value: Any, where: str, result: PluralResult, *, required: bool = True
) -> dt.datetime | None:
    """An ISO 8601 timestamp as an aware datetime (a time without zone is UTC)."""
    if value is None or value == "":
        if required:
            result.problems.append(Problem(where, "The time is missing."))
        return None
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            pass
        else:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    result.problems.append(
        Problem(where, f"The time {value!r} is not in the form 2024-05-01T18:30:00Z.")
    )
    return None


def ms_time(
    value: Any, where: str, result: PluralResult, *, required: bool = True
) -> dt.datetime | None:
    """Milliseconds since 1970 (Simply Plural) as an aware UTC datetime."""
    if value is None:
        if required:
            result.problems.append(Problem(where, "The time is missing."))
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return dt.datetime.fromtimestamp(value / 1000, tz=dt.UTC)
        except (OverflowError, OSError, ValueError):
            pass
    result.problems.append(
        Problem(where, f"The time {value!r} is not a number of milliseconds since 1970.")
    )
    return None


def id_list(item: dict[str, Any], key: str, where: str, result: PluralResult) -> list[str]:
    """A list of ids (text); a problem when it is something else."""
    value = item.get(key)
    if value is None:
        return []
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(dict.fromkeys(value))  # drop repeats, keep order
    result.problems.append(Problem(f"{where}.{key}", f"'{key}' should be a list of ids."))
    return []


def unique(key: str, seen: set[str], where: str, result: PluralResult) -> bool:
    """Record ``key`` as used; a problem (and False) when the file used it before."""
    if not key:
        return False
    if key in seen:
        result.problems.append(Problem(where, f"The id {key!r} appears twice in the file."))
        return False
    seen.add(key)
    return True


Switch = tuple[dt.datetime, list[str], SourceRef | None, str]


def periods_from_switches(switches: list[Switch]) -> list[PeriodRec]:
    """Turn point-in-time switches into periods (PluralKit's log, Pluralport front_events).

    Each switch names who is present from its time until the next switch; a switch
    with nobody closes the previous period and starts none. Switches at the same
    instant keep the last one, as PluralKit does.
    """
    ordered: dict[dt.datetime, tuple[list[str], SourceRef | None, str]] = {}
    for at, members, ref, note in sorted(switches, key=lambda s: s[0]):
        ordered[at] = (members, ref, note)
    times = list(ordered)
    periods = []
    for i, at in enumerate(times):
        members, ref, note = ordered[at]
        if not members:
            continue
        ended = times[i + 1] if i + 1 < len(times) else None
        periods.append(
            PeriodRec(
                key=f"switch:{at.isoformat()}",
                started_at=at,
                ended_at=ended,
                part_keys=list(members),
                note=note,
                source_refs=[ref] if ref else [],
            )
        )
    return periods


def check_refs(
    result: PluralResult, keys: set[str], refs: list[str], where: str, what: str
) -> list[str]:
    """Refs to records the file does not hold become one problem; known refs returned."""
    missing = [r for r in refs if r not in keys]
    if missing:
        shown = ", ".join(repr(m) for m in missing[:3])
        result.problems.append(Problem(where, f"It names {what} not in the file: {shown}."))
    return [r for r in refs if r in keys]
