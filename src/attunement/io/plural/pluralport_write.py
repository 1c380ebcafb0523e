"""Write a Pluralport (OpenPlural v0.1) file from plain plural records.

What is written (see ``pluralport.py`` for the shape and docs/formats.md for the
details): one system; parts as members; front states as members with
``is_custom_front`` and ``extensions.attunement.state_kind``; custom fields as
``text`` fields with values; groups with memberships; front periods with one
assignment per part (``member``) and per state (``custom_status``); notes. Record ids
are the journal's own keys, and fields and memberships get ids derived from them
(UUID5), so writing the same records twice gives the same file.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from attunement.io.plural.records import GroupRec, NoteRec, PartRec, PeriodRec, PluralData, StateRec

VERSION = "0.1"
APP_ID = "attunement"
# Bumped when what Attunement writes changes.
EXPORTER_VERSION = "1"
_NS = uuid.UUID("0b7b6c2e-4f55-4d0c-9a43-5d1f0a2f7e61")


def _iso(when: dt.datetime | None) -> str | None:
    if when is None:
        return None
    return when.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _id(*parts: str) -> str:
    """A stable id for a record Attunement does not store (a field, a membership)."""
    return str(uuid.uuid5(_NS, "\x1f".join(parts)))


def pluralport_document(
    data: PluralData, *, exported_at: dt.datetime, app_version: str
) -> dict[str, Any]:
    """The Pluralport envelope for ``data`` as a JSON-ready dict."""
    system_id = _id("system")
    labels = list(dict.fromkeys(label for p in data.parts for label in p.custom_fields))
    return {
        "pluralport_version": VERSION,
        "exported_at": _iso(exported_at),
        "producer": {
            "app": "Attunement",
            "app_id": APP_ID,
            "app_version": app_version,
            "exporter_version": EXPORTER_VERSION,
        },
        "capabilities": {
            "modules": ["systems", "members", "groups", "custom_fields", "front_periods", "notes"]
        },
        "systems": [
            {"id": system_id, "name": data.system_name, "privacy": {"visibility": "private"}}
        ],
        "members": [_write_part(p, system_id) for p in data.parts]
        + [_write_state(s, system_id) for s in data.states],
        "groups": [_write_group(g, system_id) for g in data.groups],
        "group_memberships": [
            {"id": _id("membership", g.key, m), "group_id": g.key, "member_id": m}
            for g in data.groups
            for m in g.member_keys
        ],
        "taxonomy_terms": [],
        "taxonomy_assignments": [],
        "custom_fields": [
            {
                "id": _id("field", label),
                "system_id": system_id,
                "name": label,
                "field_type": "text",
                "sort_order": i,
            }
            for i, label in enumerate(labels)
        ],
        "custom_field_values": [
            {
                "id": _id("value", p.key, label),
                "field_id": _id("field", label),
                "subject_type": "member",
                "subject_id": p.key,
                "value": value,
            }
            for p in data.parts
            for label, value in p.custom_fields.items()
        ],
        "front_periods": [_write_period(p, system_id) for p in data.periods],
        "front_events": [],
        "front_comments": [],
        "notes": [_write_note(n, system_id) for n in data.notes],
        "assets": [],
        "extensions": {APP_ID: {"exporter_version": EXPORTER_VERSION}},
        "warnings": [],
    }


def write_pluralport(data: PluralData, *, exported_at: dt.datetime, app_version: str) -> bytes:
    """The Pluralport file for ``data``, as UTF-8 JSON bytes."""
    doc = pluralport_document(data, exported_at=exported_at, app_version=app_version)
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _write_part(p: PartRec, system_id: str) -> dict[str, Any]:
    return {
        "id": p.key,
        "system_id": system_id,
        "name": p.name,
        "display_name": None,
        "pronouns": p.pronouns or None,
        "description": p.description or None,
        "color": p.colour or None,
        "is_custom_front": False,
        "archived": p.archived,
        "created_at": _iso(p.created_at),
        "privacy": {"visibility": "private"},
        "source_refs": [r.as_dict() for r in p.source_refs],
        "extensions": {},
    }


def _write_state(s: StateRec, system_id: str) -> dict[str, Any]:
    return {
        "id": s.key,
        "system_id": system_id,
        "name": s.name,
        "description": s.description or None,
        "color": s.colour or None,
        "is_custom_front": True,
        "archived": s.archived,
        "privacy": {"visibility": "private"},
        "source_refs": [r.as_dict() for r in s.source_refs],
        "extensions": {APP_ID: {"state_kind": s.kind}},
    }


def _write_group(g: GroupRec, system_id: str) -> dict[str, Any]:
    return {
        "id": g.key,
        "system_id": system_id,
        "name": g.name,
        "description": g.description or None,
        "color": g.colour or None,
        "parent_group_id": None,
        "source_refs": [r.as_dict() for r in g.source_refs],
    }


def _write_period(p: PeriodRec, system_id: str) -> dict[str, Any]:
    return {
        "id": p.key,
        "system_id": system_id,
        "started_at": _iso(p.started_at),
        "ended_at": _iso(p.ended_at),
        "assignments": [{"member_id": k, "front_role": "member"} for k in p.part_keys]
        + [{"member_id": k, "front_role": "custom_status"} for k in p.state_keys],
        "status": None,
        "note": p.note or None,
        "source_kind": "grouped",
        "source_refs": [r.as_dict() for r in p.source_refs],
    }


def _write_note(n: NoteRec, system_id: str) -> dict[str, Any]:
    return {
        "id": n.key,
        "system_id": system_id,
        "member_id": n.part_key,
        "title": n.title or None,
        "body": n.body,
        "created_at": _iso(n.written_at),
        "color": n.colour or None,
        "visibility": "private",
        "source_refs": [r.as_dict() for r in n.source_refs],
    }
