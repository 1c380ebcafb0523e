"""Read and write Pluralport (OpenPlural v0.1) files: the shared exchange format.

Shape (PluralPort/spec ``spec.md``, ``spec-records.md``, ``spec-fronting.md``)::

    {"pluralport_version": "0.1",            # "openplural_version" in older drafts
     "exported_at": "2026-04-29T18:00:00Z",
     "producer": {"app": "Attunement", "app_id": "attunement", "app_version": "..."},
     "capabilities": {"modules": ["systems", "members", ...]},
     "systems": [{"id", "name", ...}],
     "members": [{"id", "system_id", "name", "display_name", "pronouns", "description",
                  "birthday": {"value", "precision"}, "color": "#rrggbb",
                  "is_custom_front": false, "archived": false, "created_at",
                  "source_refs": [{"app", "collection", "id", "uuid"}], "extensions": {}}],
     "groups": [{"id", "name", "description", "color"}],
     "group_memberships": [{"id", "group_id", "member_id"}],
     "custom_fields": [{"id", "name", "field_type"}],
     "custom_field_values": [{"id", "field_id", "subject_type": "member", "subject_id", "value"}],
     "front_periods": [{"id", "started_at", "ended_at", "assignments": [{"member_id",
                        "front_role"}], "status", "note", "source_refs"}],
     "front_events": [{"id", "at", "assignments": [...]}],   # switches (PluralKit style)
     "front_comments": [{"id", "front_period_id", "target_time", "body"}],
     "notes": [{"id", "member_id", "title", "body", "created_at", "color"}],
     "assets": [], "extensions": {"attunement": {...}}, "warnings": []}

Times are ISO 8601 in UTC. Members with ``is_custom_front`` are front states;
``extensions.attunement.state_kind`` says which of ours ("unknown", "blurry",
"custom"). Assets, taxonomy and the optional modules (chat, boards, polls...) are
left out on reading and never written. What Attunement writes is exactly what it
reads back, so an export re-imported into a fresh journal gives the same parts,
groups, states, periods and notes.
"""

from __future__ import annotations

import json
from typing import Any

from attunement.io.limits import InputError, Source
from attunement.io.plural import common as c
from attunement.io.plural.pluralport_write import APP_ID
from attunement.io.plural.pluralport_write import write_pluralport as write_pluralport
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

LABEL = "Pluralport file"
_LEFT_OUT = (
    "taxonomy_terms",
    "taxonomy_assignments",
    "assets",
    "chat",
    "boards",
    "relationships",
    "polls",
    "reminders",
    "habits",
    "proxy",
    "sharing",
    "safety",
)
_KINDS = ("unknown", "blurry", "custom")


def not_pluralport(reason: str) -> Problem:
    """The problem for a file that is not a Pluralport file at all."""
    return Problem("", f"This is not a Pluralport file: {reason}")


# --- reading ---------------------------------------------------------------------


def parse_pluralport(source: Source, filename: str = "") -> PluralResult:
    """Parse a Pluralport / OpenPlural v0.x file; nothing is kept if it has problems."""
    result = PluralResult()
    try:
        top = c.read_json(source, LABEL)
    except InputError as exc:
        result.problems.append(exc.problem)
        return result
    if not _looks_right(top, result):
        return result
    result.data.producer = _producer(top)
    systems = top.get("systems")
    if isinstance(systems, list) and systems and isinstance(systems[0], dict):
        result.data.system_name = c.text(systems[0], "name", "systems[0]", result).strip()
    parts, states = _members(top, result)
    _custom_fields(top, result)
    _groups(top, parts, result)
    _periods(top, parts, states, result)
    _events(top, parts, states, result)
    _comments(top, result)
    _notes(top, parts, result)
    for key in _LEFT_OUT:
        value = top.get(key)
        if isinstance(value, list) and value:
            result.skip(key, len(value))
        elif isinstance(value, dict) and value:
            result.skip(key)
    return result


def _looks_right(top: Any, result: PluralResult) -> bool:
    if not isinstance(top, dict):
        result.problems.append(not_pluralport("the file is not a JSON object."))
        return False
    version = top.get("pluralport_version", top.get("openplural_version"))
    if version is None:
        result.problems.append(not_pluralport("no 'pluralport_version'."))
        return False
    if not isinstance(version, str) or not version.startswith("0."):
        result.problems.append(
            Problem(
                "pluralport_version",
                f"This Pluralport file is version {version!r}; Attunement reads version 0.x.",
            )
        )
        return False
    if not isinstance(top.get("members"), list):
        result.problems.append(not_pluralport("no 'members' list."))
        return False
    return True


def _producer(top: dict[str, Any]) -> str:
    producer = top.get("producer")
    if isinstance(producer, dict):
        for key in ("app_id", "app"):
            if isinstance(producer.get(key), str) and producer[key].strip():
                return str(producer[key]).strip().lower()
    return "pluralport"


def _refs(
    item: dict[str, Any], result: PluralResult, collection: str, ident: str
) -> list[SourceRef]:
    """The record's own source_refs, plus its id in the producing app."""
    refs = [r for r in map(SourceRef.from_dict, item.get("source_refs") or []) if r]
    own = SourceRef(result.data.producer, collection, ident)
    if all((r.app, r.collection, r.id) != (own.app, own.collection, own.id) for r in refs):
        refs.append(own)
    return refs


def _members(top: dict[str, Any], result: PluralResult) -> tuple[set[str], set[str]]:
    seen: set[str] = set()
    parts: set[str] = set()
    states: set[str] = set()
    items = c.as_list(top, "members", result, c.MAX_PARTS)
    for where, item in c.objects(items, "members", result):
        ident = c.required_id(item, "id", where, result)
        if not c.unique(ident, seen, f"{where}.id", result):
            continue
        if c.flag(item, "is_custom_front"):
            result.data.states.append(_state(item, where, ident, result))
            states.add(ident)
        else:
            result.data.parts.append(_part(item, where, ident, result))
            parts.add(ident)
    return parts, states


def _part(item: dict[str, Any], where: str, ident: str, result: PluralResult) -> PartRec:
    display = c.text(item, "display_name", where, result).strip()
    part_name = c.text(item, "name", where, result).strip()[: c.MAX_NAME] or display[: c.MAX_NAME]
    part = PartRec(
        key=ident,
        name=part_name,
        pronouns=c.text(item, "pronouns", where, result).strip(),
        colour=c.colour(item.get("color"), f"{where}.color", result),
        description=c.text(item, "description", where, result).strip(),
        archived=c.flag(item, "archived"),
        created_at=c.iso_time(
            item.get("created_at"), f"{where}.created_at", result, required=False
        ),
        source_refs=_refs(item, result, "members", ident),
    )
    if display and display != part.name:
        part.custom_fields["Display name"] = display
    age = c.text(item, "age", where, result).strip()
    if age:
        part.custom_fields["Age"] = age
    birthday = item.get("birthday")
    if isinstance(birthday, dict) and isinstance(birthday.get("value"), str) and birthday["value"]:
        part.custom_fields["Birthday"] = birthday["value"].lstrip("-")
    if item.get("proxy_tags"):
        result.skip("proxy tags")
    return part


def _state(item: dict[str, Any], where: str, ident: str, result: PluralResult) -> StateRec:
    extensions = item.get("extensions")
    ours = extensions.get(APP_ID) if isinstance(extensions, dict) else None
    kind = ours.get("state_kind") if isinstance(ours, dict) else None
    return StateRec(
        key=ident,
        name=c.text(item, "name", where, result).strip()[: c.MAX_NAME]
        or c.text(item, "display_name", where, result).strip()[: c.MAX_NAME],
        kind=kind if kind in _KINDS else "custom",
        description=c.text(item, "description", where, result).strip(),
        colour=c.colour(item.get("color"), f"{where}.color", result),
        archived=c.flag(item, "archived"),
        source_refs=_refs(item, result, "members", ident),
    )


def _value_text(value: Any) -> str:
    """A custom field value of any Pluralport type as the text Attunement keeps."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_value_text(v) for v in value if v is not None)
    if isinstance(value, dict) and {"start", "end"} <= value.keys():
        return f"{_value_text(value['start'])} – {_value_text(value['end'])}"
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else str(value)


def _custom_fields(top: dict[str, Any], result: PluralResult) -> None:
    names: dict[str, str] = {}
    for where, item in c.objects(
        c.as_list(top, "custom_fields", result, c.MAX_PARTS), "custom_fields", result
    ):
        ident = c.required_id(item, "id", where, result)
        label = c.name(item, "name", where, result)
        if ident and label:
            names[ident] = label
    by_key = {p.key: p for p in result.data.parts}
    values = c.as_list(top, "custom_field_values", result, c.MAX_PARTS * 100)
    for _where, item in c.objects(values, "custom_field_values", result):
        field_name = names.get(str(item.get("field_id")))
        part = by_key.get(str(item.get("subject_id")))
        if field_name is None or part is None or item.get("subject_type", "member") != "member":
            result.skip("custom field values not about a member")
            continue
        value = _value_text(item.get("value"))
        if value:
            part.custom_fields[field_name] = value


def _groups(top: dict[str, Any], parts: set[str], result: PluralResult) -> None:
    seen: set[str] = set()
    by_key: dict[str, GroupRec] = {}
    for where, item in c.objects(c.as_list(top, "groups", result, c.MAX_GROUPS), "groups", result):
        ident = c.required_id(item, "id", where, result)
        group_name = c.name(item, "name", where, result)
        if not c.unique(ident, seen, f"{where}.id", result) or not group_name:
            continue
        group = GroupRec(
            key=ident,
            name=group_name,
            description=c.text(item, "description", where, result).strip(),
            colour=c.colour(item.get("color"), f"{where}.color", result),
            source_refs=_refs(item, result, "groups", ident),
        )
        by_key[ident] = group
        result.data.groups.append(group)
    links = c.as_list(top, "group_memberships", result, c.MAX_PARTS * 100)
    for where, item in c.objects(links, "group_memberships", result):
        group_key, member = str(item.get("group_id")), str(item.get("member_id"))
        if group_key not in seen or member not in parts:
            result.problems.append(
                Problem(where, "This membership names a group or member not in the file.")
            )
        elif group_key in by_key and member not in by_key[group_key].member_keys:
            by_key[group_key].member_keys.append(member)


def _assignments(
    item: dict[str, Any], where: str, parts: set[str], states: set[str], result: PluralResult
) -> tuple[list[str], list[str]]:
    raw = item.get("assignments")
    if not isinstance(raw, list):
        result.problems.append(Problem(f"{where}.assignments", "'assignments' should be a list."))
        return [], []
    who = [str(a.get("member_id")) for a in raw if isinstance(a, dict)]
    if len(who) != len(raw):
        result.problems.append(Problem(f"{where}.assignments", "An assignment is not an object."))
    known = c.check_refs(result, parts | states, who, f"{where}.assignments", "members")
    known = list(dict.fromkeys(known))
    return [k for k in known if k in parts], [k for k in known if k in states]


def _periods(top: dict[str, Any], parts: set[str], states: set[str], result: PluralResult) -> None:
    seen: set[str] = set()
    items = c.as_list(top, "front_periods", result, c.MAX_PERIODS)
    for where, item in c.objects(items, "front_periods", result):
        ident = c.required_id(item, "id", where, result)
        start = c.iso_time(item.get("started_at"), f"{where}.started_at", result)
        end = c.iso_time(item.get("ended_at"), f"{where}.ended_at", result, required=False)
        part_keys, state_keys = _assignments(item, where, parts, states, result)
        if not c.unique(ident, seen, f"{where}.id", result) or start is None:
            continue
        if end is not None and end < start:
            result.problems.append(Problem(where, "This period ends before it starts."))
            continue
        if not part_keys and not state_keys:
            result.skip("front periods with nobody in them")
            continue
        status = c.text(item, "status", where, result).strip()
        note = "\n\n".join(t for t in (status, c.text(item, "note", where, result).strip()) if t)
        result.data.periods.append(
            PeriodRec(
                key=ident,
                started_at=start,
                ended_at=end,
                part_keys=part_keys,
                state_keys=state_keys,
                note=note,
                source_refs=_refs(item, result, "front_periods", ident),
            )
        )


def _events(top: dict[str, Any], parts: set[str], states: set[str], result: PluralResult) -> None:
    switches: list[c.Switch] = []
    items = c.as_list(top, "front_events", result, c.MAX_PERIODS)
    for where, item in c.objects(items, "front_events", result):
        ident = c.required_id(item, "id", where, result)
        at = c.iso_time(item.get("at"), f"{where}.at", result)
        part_keys, state_keys = _assignments(item, where, parts, states, result)
        if at is not None and ident:
            note = c.text(item, "note", where, result).strip()
            ref = SourceRef(result.data.producer, "front_events", ident)
            switches.append((at, part_keys + state_keys, ref, note))
    for period in c.periods_from_switches(switches):
        members = period.part_keys
        period.part_keys = [m for m in members if m in parts]
        period.state_keys = [m for m in members if m in states]
        result.data.periods.append(period)


def _comments(top: dict[str, Any], result: PluralResult) -> None:
    by_key = {p.key: p for p in result.data.periods}
    items = c.as_list(top, "front_comments", result, c.MAX_PERIODS)
    for where, item in c.objects(items, "front_comments", result):
        period = by_key.get(str(item.get("front_period_id")))
        body = c.text(item, "body", where, result).strip()
        if period is None:
            result.skip("front comments not on a period")
        elif body and body not in period.note:
            period.note = f"{period.note}\n\n{body}".strip()


def _notes(top: dict[str, Any], parts: set[str], result: PluralResult) -> None:
    seen: set[str] = set()
    for where, item in c.objects(c.as_list(top, "notes", result, c.MAX_NOTES), "notes", result):
        ident = c.required_id(item, "id", where, result)
        at = c.iso_time(item.get("created_at"), f"{where}.created_at", result)
        if not c.unique(ident, seen, f"{where}.id", result) or at is None:
            continue
        member = item.get("member_id")
        authors = [a for a in item.get("author_member_ids") or [] if a in parts]
        if member not in parts and len(authors) == 1:
            member = authors[0]
        result.data.notes.append(
            NoteRec(
                key=ident,
                title=c.text(item, "title", where, result).strip(),
                body=c.text(item, "body", where, result),
                written_at=at,
                part_key=str(member) if member in parts else None,
                colour=c.colour(item.get("color"), f"{where}.color", result),
                source_refs=_refs(item, result, "notes", ident),
            )
        )
