"""Read a PluralKit export (``pk;export``, version 1 or 2) into plural records.

Shape (PluralKit ``DataFileService.cs``, ``docs/content/api/models.md``)::

    {"version": 2, "id": "exmpl", "uuid": "...", "name": "...", "description": "...",
     "tag": "...", "created": "2020-01-12T02:00:33.308518Z", "config": {...},
     "accounts": [...],
     "members": [{"id": "abcde", "uuid": "...", "name": "...", "display_name": null,
                  "pronouns": "...", "color": "ff8800", "description": "...",
                  "birthday": "2000-04-29", "proxy_tags": [{"prefix": "a:", "suffix": null}],
                  "created": "...", "privacy": {...}}],
     "groups": [{"id": "fghij", "uuid": "...", "name": "...", "display_name": null,
                 "description": "...", "color": null, "members": ["abcde"]}],
     "switches": [{"timestamp": "2024-05-01T18:30:00.000000Z", "members": ["abcde"]}]}

Colours have no ``#``; a birthday year of 0004 means "year hidden". Switches become
periods (each lasts until the next switch). ``display_name`` and ``birthday`` are
kept as custom fields; proxy tags, avatars, privacy and Discord accounts are
PluralKit's own business and are left out (counted in ``skipped``).
"""

from __future__ import annotations

from typing import Any

from attunement.io.limits import InputError, Source
from attunement.io.plural import common as c
from attunement.io.plural.records import GroupRec, PartRec, PluralResult, SourceRef
from attunement.io.records import Problem

LABEL = "PluralKit export"
APP = "pluralkit"
# PluralKit itself refuses more than 10,000 switches in an import.
MAX_SWITCHES = 10_000


def not_pluralkit(reason: str) -> Problem:
    """The problem for a file that is not a PluralKit export at all."""
    return Problem("", f"This is not a PluralKit export: {reason}")


def parse_pluralkit(source: Source, filename: str = "") -> PluralResult:
    """Parse a PluralKit export; problems say where, and nothing is kept if any."""
    result = PluralResult()
    result.data.producer = APP
    try:
        top = c.read_json(source, LABEL)
    except InputError as exc:
        result.problems.append(exc.problem)
        return result
    if not _looks_right(top, result):
        return result
    result.data.system_name = c.text(top, "name", "system", result).strip()
    keys = _members(top, result)
    _groups(top, keys, result)
    _switches(top, keys, result)
    accounts = top.get("accounts")
    if isinstance(accounts, list):
        result.skip("linked Discord accounts", len(accounts))
    return result


def _looks_right(top: Any, result: PluralResult) -> bool:
    if not isinstance(top, dict):
        result.problems.append(not_pluralkit("the file is not a JSON object."))
        return False
    if "frontHistory" in top or "frontStatuses" in top:
        result.problems.append(not_pluralkit("it looks like a Simply Plural export."))
        return False
    if "pluralport_version" in top or "openplural_version" in top:
        result.problems.append(not_pluralkit("it looks like a Pluralport file."))
        return False
    if not isinstance(top.get("members"), list):
        result.problems.append(not_pluralkit("no 'members' list."))
        return False
    if not isinstance(top.get("switches"), list):
        result.problems.append(not_pluralkit("no 'switches' list."))
        return False
    return True


def _members(top: dict[str, Any], result: PluralResult) -> set[str]:
    seen: set[str] = set()
    items = c.as_list(top, "members", result, c.MAX_PARTS)
    for where, item in c.objects(items, "members", result):
        ident = c.required_id(item, "id", where, result)
        part_name = c.name(item, "name", where, result)
        if not c.unique(ident, seen, f"{where}.id", result) or not part_name:
            continue
        uuid = c.text(item, "uuid", where, result) or None
        part = PartRec(
            key=ident,
            name=part_name,
            pronouns=c.text(item, "pronouns", where, result).strip(),
            colour=c.colour(item.get("color"), f"{where}.color", result),
            description=c.text(item, "description", where, result).strip(),
            created_at=c.iso_time(item.get("created"), f"{where}.created", result, required=False),
            source_refs=[SourceRef(APP, "members", ident, uuid)],
        )
        _extra_fields(item, where, part, result)
        result.data.parts.append(part)
    return seen


def _extra_fields(item: dict[str, Any], where: str, part: PartRec, result: PluralResult) -> None:
    display = c.text(item, "display_name", where, result).strip()
    if display and display != part.name:
        part.custom_fields["Display name"] = display
    birthday = c.text(item, "birthday", where, result).strip()
    if birthday:
        # PluralKit writes a hidden year as 0004.
        part.custom_fields["Birthday"] = birthday[5:] if birthday.startswith("0004-") else birthday
    if item.get("proxy_tags"):
        result.skip("proxy tags")


def _groups(top: dict[str, Any], members: set[str], result: PluralResult) -> None:
    seen: set[str] = set()
    items = c.as_list(top, "groups", result, c.MAX_GROUPS)
    for where, item in c.objects(items, "groups", result):
        ident = c.required_id(item, "id", where, result)
        group_name = c.name(item, "name", where, result)
        refs = c.id_list(item, "members", where, result)
        if not c.unique(ident, seen, f"{where}.id", result) or not group_name:
            continue
        display = c.text(item, "display_name", where, result).strip()
        uuid = c.text(item, "uuid", where, result) or None
        result.data.groups.append(
            GroupRec(
                key=ident,
                name=display or group_name,
                description=c.text(item, "description", where, result).strip(),
                colour=c.colour(item.get("color"), f"{where}.color", result),
                member_keys=c.check_refs(result, members, refs, f"{where}.members", "members"),
                source_refs=[SourceRef(APP, "groups", ident, uuid)],
            )
        )


def _switches(top: dict[str, Any], members: set[str], result: PluralResult) -> None:
    items = c.as_list(top, "switches", result, MAX_SWITCHES)
    switches: list[c.Switch] = []
    for where, item in c.objects(items, "switches", result):
        at = c.iso_time(item.get("timestamp"), f"{where}.timestamp", result)
        refs = c.id_list(item, "members", where, result)
        known = c.check_refs(result, members, refs, f"{where}.members", "members")
        if at is None:
            continue
        ident = c.text(item, "id", where, result) or str(item.get("timestamp"))
        switches.append((at, known, SourceRef(APP, "switches", ident), ""))
    result.data.periods.extend(c.periods_from_switches(switches))
