"""Read a Simply Plural export (``export.json``) into plural records.

Shape (ApparyllisOrg/SimplyPluralApi ``src/api/v1/user/export.ts``): one object
keyed by collection name, each a list of documents with a string ``_id``::

    {"users": [{"_id": "...", "username": "...", "fields": {fieldId: {"name", "order", "type"}}}],
     "members": [{"_id": "...", "name": "...", "desc": "...", "pronouns": "...",
                  "color": "#aabbcc", "info": {fieldId: "value"}, "archived": false}],
     "customFields": [{"_id": fieldId, "name": "...", "order": "...", "type": 0}],
     "frontStatuses": [{"_id": "...", "name": "Asleep", "desc": "...", "color": "..."}],
     "frontHistory": [{"_id": "...", "member": memberOrCustomFrontId, "custom": false,
                       "live": false, "startTime": 1714587000000, "endTime": 1714590600000,
                       "customStatus": "..."}],
     "groups": [{"_id": "...", "name": "...", "desc": "...", "color": "...",
                 "parent": "root", "members": [ids]}],
     "notes": [{"_id": "...", "title": "...", "note": "...", "color": "...",
                "member": memberId, "date": 1714587000000}],
     "comments": [{"_id": "...", "documentId": frontHistoryId, "collection": "frontHistory",
                   "time": 1714587000000, "text": "..."}],
     ...}

Times are milliseconds since 1970, UTC. Custom fronts ("frontStatuses") become
custom front states. Rows of front history with the same start and end are one
period with several parts (co-fronting). A ``live`` row is still going on.
``customStatus`` and the comments on a front become the period's note. Polls, chats,
boards, friends and privacy buckets are left out (counted in ``skipped``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from attunement.io.limits import InputError, Source
from attunement.io.plural import common as c
from attunement.io.plural.records import (
    GroupRec,
    NoteRec,
    PartRec,
    PeriodRec,
    PluralResult,
    SourceRef,
    StateRec,
)
from attunement.io.records import Problem

LABEL = "Simply Plural export"
APP = "simply_plural"
# Collections of Simply Plural's that Attunement has no place for.
_LEFT_OUT = (
    "polls",
    "chatMessages",
    "channels",
    "channelCategories",
    "boardMessages",
    "friends",
    "pendingFriendRequests",
    "privacyBuckets",
    "repeatedTimers",
    "automatedTimers",
    "tokens",
    "events",
)


def not_simply_plural(reason: str) -> Problem:
    """The problem for a file that is not a Simply Plural export at all."""
    return Problem("", f"This is not a Simply Plural export: {reason}")


def parse_simply_plural(source: Source, filename: str = "") -> PluralResult:
    """Parse a Simply Plural export; problems say where, and nothing is kept if any."""
    result = PluralResult()
    result.data.producer = APP
    try:
        top = c.read_json(source, LABEL)
    except InputError as exc:
        result.problems.append(exc.problem)
        return result
    if not _looks_right(top, result):
        return result
    result.data.system_name = _system_name(top, result)
    fields = _field_names(top, result)
    parts = _members(top, fields, result)
    states = _custom_fronts(top, result)
    _groups(top, parts, states, result)
    comments = _comments(top, result)
    _front_history(top, parts, states, comments, result)
    _notes(top, parts, result)
    for key in _LEFT_OUT:
        if isinstance(top.get(key), list) and top[key]:
            result.skip(key, len(top[key]))
    return result


def _looks_right(top: Any, result: PluralResult) -> bool:
    if not isinstance(top, dict):
        result.problems.append(not_simply_plural("the file is not a JSON object."))
        return False
    if "switches" in top and "frontHistory" not in top:
        result.problems.append(not_simply_plural("it looks like a PluralKit export."))
        return False
    if "pluralport_version" in top or "openplural_version" in top:
        result.problems.append(not_simply_plural("it looks like a Pluralport file."))
        return False
    if not isinstance(top.get("members"), list):
        result.problems.append(not_simply_plural("no 'members' list."))
        return False
    if "frontHistory" not in top and "frontStatuses" not in top and "users" not in top:
        result.problems.append(
            not_simply_plural("no 'frontHistory', 'frontStatuses' or 'users' collection.")
        )
        return False
    return True


def _system_name(top: dict[str, Any], result: PluralResult) -> str:
    users = top.get("users")
    if isinstance(users, list) and users and isinstance(users[0], dict):
        return c.text(users[0], "username", "users[0]", result).strip()
    return ""


def _field_names(top: dict[str, Any], result: PluralResult) -> dict[str, tuple[str, str]]:
    """{field id: (sort key, name)} from ``customFields`` (newer) or ``users[0].fields``."""
    found: dict[str, tuple[str, str]] = {}
    users = top.get("users")
    if isinstance(users, list) and users and isinstance(users[0], dict):
        legacy = users[0].get("fields")
        if isinstance(legacy, dict):
            for ident, spec in legacy.items():
                if isinstance(spec, dict) and isinstance(spec.get("name"), str):
                    found[str(ident)] = (str(spec.get("order", "")), spec["name"].strip())
    items = c.as_list(top, "customFields", result, c.MAX_PARTS)
    for where, item in c.objects(items, "customFields", result):
        ident = c.required_id(item, "_id", where, result)
        label = c.name(item, "name", where, result)
        if ident and label:
            found[ident] = (str(item.get("order", "")), label)
    return found


def _members(
    top: dict[str, Any], fields: dict[str, tuple[str, str]], result: PluralResult
) -> set[str]:
    seen: set[str] = set()
    items = c.as_list(top, "members", result, c.MAX_PARTS)
    order = sorted(fields, key=lambda f: (fields[f][0], fields[f][1]))
    for where, item in c.objects(items, "members", result):
        ident = c.required_id(item, "_id", where, result)
        part_name = c.name(item, "name", where, result)
        if not c.unique(ident, seen, f"{where}._id", result) or not part_name:
            continue
        result.data.parts.append(
            PartRec(
                key=ident,
                name=part_name,
                pronouns=c.text(item, "pronouns", where, result).strip(),
                colour=c.colour(item.get("color"), f"{where}.color", result),
                description=c.text(item, "desc", where, result).strip(),
                custom_fields=_info(item, where, fields, order, result),
                archived=c.flag(item, "archived"),
                source_refs=_member_refs(item, ident, where, result),
            )
        )
    return seen


def _member_refs(
    item: dict[str, Any], ident: str, where: str, result: PluralResult
) -> list[SourceRef]:
    """The member's Simply Plural id, and its PluralKit id when it was linked (``pkId``)."""
    refs = [SourceRef(APP, "members", ident)]
    pk_id = c.text(item, "pkId", where, result).strip()
    if pk_id:
        refs.append(SourceRef("pluralkit", "members", pk_id))
    return refs


def _info(
    item: dict[str, Any],
    where: str,
    fields: dict[str, tuple[str, str]],
    order: list[str],
    result: PluralResult,
) -> dict[str, str]:
    info = item.get("info")
    if info is None:
        return {}
    if not isinstance(info, dict):
        result.problems.append(Problem(f"{where}.info", "'info' should be an object."))
        return {}
    values: dict[str, str] = {}
    for ident in order:
        value = info.get(ident)
        if (
            isinstance(value, str | int | float)
            and not isinstance(value, bool)
            and str(value).strip()
        ):
            values[fields[ident][1]] = str(value).strip()
    unknown = [k for k, v in info.items() if k not in fields and v not in (None, "")]
    result.skip("custom field values without a field definition", len(unknown))
    return values


def _custom_fronts(top: dict[str, Any], result: PluralResult) -> set[str]:
    seen: set[str] = set()
    items = c.as_list(top, "frontStatuses", result, c.MAX_PARTS)
    for where, item in c.objects(items, "frontStatuses", result):
        ident = c.required_id(item, "_id", where, result)
        state_name = c.name(item, "name", where, result)
        if not c.unique(ident, seen, f"{where}._id", result) or not state_name:
            continue
        result.data.states.append(
            StateRec(
                key=ident,
                name=state_name,
                description=c.text(item, "desc", where, result).strip(),
                colour=c.colour(item.get("color"), f"{where}.color", result),
                source_refs=[SourceRef(APP, "frontStatuses", ident)],
            )
        )
    return seen


def _groups(top: dict[str, Any], parts: set[str], states: set[str], result: PluralResult) -> None:
    seen: set[str] = set()
    items = c.as_list(top, "groups", result, c.MAX_GROUPS)
    for where, item in c.objects(items, "groups", result):
        ident = c.required_id(item, "_id", where, result)
        group_name = c.name(item, "name", where, result)
        refs = c.id_list(item, "members", where, result)
        if not c.unique(ident, seen, f"{where}._id", result) or not group_name:
            continue
        # Simply Plural leaves deleted members in groups; they are dropped quietly.
        result.skip("custom fronts in groups", len([r for r in refs if r in states]))
        gone = [r for r in refs if r not in parts and r not in states]
        result.skip("group memberships of deleted members", len(gone))
        result.data.groups.append(
            GroupRec(
                key=ident,
                name=group_name,
                description=c.text(item, "desc", where, result).strip(),
                colour=c.colour(item.get("color"), f"{where}.color", result),
                member_keys=[r for r in refs if r in parts],
                source_refs=[SourceRef(APP, "groups", ident)],
            )
        )


def _comments(
    top: dict[str, Any], result: PluralResult
) -> dict[str, list[tuple[dt.datetime, str]]]:
    """Comments on front history, by the front document they belong to."""
    found: dict[str, list[tuple[dt.datetime, str]]] = {}
    items = c.as_list(top, "comments", result, c.MAX_PERIODS)
    for where, item in c.objects(items, "comments", result):
        if item.get("collection") not in (None, "frontHistory"):
            continue
        doc = c.text(item, "documentId", where, result)
        body = c.text(item, "text", where, result).strip()
        at = c.ms_time(item.get("time"), f"{where}.time", result, required=False)
        if doc and body:
            found.setdefault(doc, []).append((at or dt.datetime.min.replace(tzinfo=dt.UTC), body))
    return found


def _front_history(
    top: dict[str, Any],
    parts: set[str],
    states: set[str],
    comments: dict[str, list[tuple[dt.datetime, str]]],
    result: PluralResult,
) -> None:
    rows: dict[tuple[dt.datetime, dt.datetime | None], PeriodRec] = {}
    seen: set[str] = set()
    items = c.as_list(top, "frontHistory", result, c.MAX_PERIODS)
    for where, item in c.objects(items, "frontHistory", result):
        row = _front_row(item, where, seen, result)
        if row is None:
            continue
        ident, member, start, end = row
        if member not in parts and member not in states:
            # Simply Plural keeps the history of members since deleted.
            result.skip("front history of deleted members")
            continue
        period = rows.setdefault(
            (start, end), PeriodRec(key=f"front:{ident}", started_at=start, ended_at=end)
        )
        (period.part_keys if member in parts else period.state_keys).append(member)
        period.source_refs.append(SourceRef(APP, "frontHistory", ident))
        note = _note_text(item, comments.get(ident, []), where, result)
        if note and note not in period.note:
            period.note = f"{period.note}\n\n{note}".strip()
    result.data.periods.extend(rows.values())


def _front_row(
    item: dict[str, Any], where: str, seen: set[str], result: PluralResult
) -> tuple[str, str, dt.datetime, dt.datetime | None] | None:
    ident = c.required_id(item, "_id", where, result)
    member = c.text(item, "member", where, result)
    if not member:
        result.problems.append(Problem(f"{where}.member", "This front has no 'member'."))
    start = c.ms_time(item.get("startTime"), f"{where}.startTime", result)
    live = c.flag(item, "live")
    end = None if live else c.ms_time(item.get("endTime"), f"{where}.endTime", result)
    if not c.unique(ident, seen, f"{where}._id", result) or not member or start is None:
        return None
    if not live and end is None:
        return None
    if end is not None and end < start:
        result.problems.append(Problem(where, "This front ends before it starts."))
        return None
    return ident, member, start, end


def _note_text(
    item: dict[str, Any],
    comments: Iterable[tuple[dt.datetime, str]],
    where: str,
    result: PluralResult,
) -> str:
    lines = [c.text(item, "customStatus", where, result).strip()]
    lines += [body for _, body in sorted(comments)]
    return "\n\n".join(line for line in lines if line)


def _notes(top: dict[str, Any], parts: set[str], result: PluralResult) -> None:
    seen: set[str] = set()
    items = c.as_list(top, "notes", result, c.MAX_NOTES)
    for where, item in c.objects(items, "notes", result):
        ident = c.required_id(item, "_id", where, result)
        at = c.ms_time(item.get("date"), f"{where}.date", result)
        member = c.text(item, "member", where, result)
        if not c.unique(ident, seen, f"{where}._id", result) or at is None:
            continue
        result.data.notes.append(
            NoteRec(
                key=ident,
                title=c.text(item, "title", where, result).strip(),
                body=c.text(item, "note", where, result),
                written_at=at,
                part_key=member if member in parts else None,
                colour=c.colour(item.get("color"), f"{where}.color", result),
                source_refs=[SourceRef(APP, "notes", ident)],
            )
        )
