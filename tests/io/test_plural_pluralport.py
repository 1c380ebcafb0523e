"""Pluralport (OpenPlural) files: reading another app's file, and writing our own."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from attunement.io.plural.pluralkit import parse_pluralkit
from attunement.io.plural.pluralport import parse_pluralport, write_pluralport
from attunement.io.plural.simplyplural import parse_simply_plural

DATA = Path(__file__).resolve().parents[1] / "data" / "plural"
WHEN = dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.UTC)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def test_another_apps_file() -> None:
    result = parse_pluralport(DATA / "pluralport-other-app.json")
    assert result.ok, result.problems
    data = result.data
    assert (data.producer, data.system_name) == ("sheaf", "Harbour")
    marlow, nameless = data.parts
    assert (marlow.name, marlow.colour, marlow.pronouns) == ("Marlow", "#3366cc", "they/them")
    assert marlow.custom_fields == {
        "Display name": "Mar",
        "Age": "about twelve",
        "Birthday": "07-14",
        "Likes": "rain, tea",
        "Started": "2019 – 2020",
    }
    assert [r.app for r in marlow.source_refs] == ["pluralkit", "sheaf"]
    # A member without a name stays without one: nobody is asked to name a part.
    assert (nameless.name, nameless.archived) == ("", True)
    (state,) = data.states
    assert (state.name, state.kind) == ("Dozing", "custom")
    assert data.groups[0].member_keys == ["mem-a", "mem-b"]


def test_periods_events_and_comments() -> None:
    data = parse_pluralport(DATA / "pluralport-other-app.json").data
    assert [
        (p.started_at, p.ended_at, p.part_keys, p.state_keys, p.note) for p in data.periods
    ] == [
        (
            at("2024-05-10T08:00"),
            at("2024-05-10T09:30"),
            ["mem-a"],
            ["mem-c"],
            "sleepy\n\nRain on the window.",
        ),
        (at("2024-05-11T07:00"), at("2024-05-11T11:00"), ["mem-b"], [], ""),
    ]
    (note,) = data.notes
    assert (note.title, note.part_key) == ("Shared", "mem-a")  # its only author


def test_left_out_modules_are_counted() -> None:
    result = parse_pluralport(DATA / "pluralport-other-app.json")
    assert result.skipped == {
        "proxy tags": 1,
        "custom field values not about a member": 1,
        "taxonomy_terms": 1,
        "taxonomy_assignments": 1,
        "assets": 1,
    }


def test_the_older_openplural_key_is_read() -> None:
    doc = {"openplural_version": "0.1", "members": [{"id": "m", "name": "A"}]}
    result = parse_pluralport(json.dumps(doc).encode())
    assert result.ok and result.data.parts[0].name == "A"
    assert result.data.producer == "pluralport"


def test_wrong_files_say_what_is_missing() -> None:
    assert [str(p) for p in parse_pluralport(DATA / "pluralkit-export.json").problems] == [
        "This is not a Pluralport file: no 'pluralport_version'."
    ]
    future = json.dumps({"pluralport_version": "2.0", "members": []}).encode()
    assert [str(p) for p in parse_pluralport(future).problems] == [
        "pluralport_version: This Pluralport file is version '2.0'; Attunement reads version 0.x."
    ]
    dangling = json.dumps(
        {
            "pluralport_version": "0.1",
            "members": [{"id": "a", "name": "A"}],
            "front_periods": [
                {
                    "id": "p",
                    "started_at": "2024-05-01T10:00:00Z",
                    "assignments": [{"member_id": "ghost"}],
                }
            ],
        }
    )
    assert [str(p) for p in parse_pluralport(dangling.encode()).problems] == [
        "front_periods[0].assignments: It names members not in the file: 'ghost'."
    ]


def _written(result) -> dict:  # type: ignore[no-untyped-def]
    return json.loads(write_pluralport(result.data, exported_at=WHEN, app_version="9.9"))


def test_what_we_write_is_valid_pluralport() -> None:
    doc = _written(parse_simply_plural(DATA / "simplyplural-export.json"))
    assert doc["pluralport_version"] == "0.1"
    assert doc["producer"] == {
        "app": "Attunement",
        "app_id": "attunement",
        "app_version": "9.9",
        "exporter_version": "1",
    }
    assert doc["exported_at"] == "2024-06-01T12:00:00Z"
    members = {m["name"]: m for m in doc["members"]}
    assert members["Far away"]["is_custom_front"] is True
    assert members["Far away"]["extensions"] == {"attunement": {"state_kind": "custom"}}
    assert members["Old Friend"]["archived"] is True
    period = doc["front_periods"][1]
    assert (
        period["started_at"] == "2024-05-02T10:00:00Z"
        and period["ended_at"] == "2024-05-02T12:00:00Z"
    )
    assert [a["front_role"] for a in period["assignments"]] == ["member", "custom_status"]
    assert doc["front_periods"][2]["ended_at"] is None
    field = doc["custom_fields"][0]
    assert (field["name"], field["field_type"]) == ("Favourite time", "text")
    assert {v["field_id"] for v in doc["custom_field_values"]} == {field["id"]}


def _shape(data) -> dict:  # type: ignore[no-untyped-def]
    """What a person sees, with file-local ids resolved to names."""
    names = {p.key: p.name for p in data.parts} | {s.key: s.name for s in data.states}
    return {
        "parts": sorted(
            (
                p.name,
                p.pronouns,
                p.colour,
                p.description,
                sorted(p.custom_fields.items()),
                p.archived,
            )
            for p in data.parts
        ),
        "states": sorted((s.name, s.kind, s.colour) for s in data.states),
        "groups": sorted(
            (g.name, g.colour, sorted(names[k] for k in g.member_keys)) for g in data.groups
        ),
        "periods": sorted(
            (
                p.started_at,
                p.ended_at,
                sorted(names[k] for k in p.part_keys),
                sorted(names[k] for k in p.state_keys),
                p.note,
            )
            for p in data.periods
        ),
        "notes": sorted(
            (n.title, n.body, n.written_at, names.get(n.part_key or "")) for n in data.notes
        ),
    }


def test_writing_then_reading_gives_the_same_records() -> None:
    for parsed in (
        parse_pluralkit(DATA / "pluralkit-export.json"),
        parse_simply_plural(DATA / "simplyplural-export.json"),
        parse_pluralport(DATA / "pluralport-other-app.json"),
    ):
        back = parse_pluralport(write_pluralport(parsed.data, exported_at=WHEN, app_version="1"))
        assert back.ok, back.problems
        assert _shape(back.data) == _shape(parsed.data)
        assert back.data.producer == "attunement"
