"""PluralKit export files: members, groups and switches, and every way a file can be wrong."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from attunement.io.plural import parse
from attunement.io.plural.common import MAX_PLURAL_BYTES
from attunement.io.plural.pluralkit import parse_pluralkit

DATA = Path(__file__).resolve().parents[1] / "data" / "plural"
UTC = dt.UTC


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_members_keep_what_attunement_shows() -> None:
    result = parse_pluralkit(DATA / "pluralkit-export.json")
    assert result.ok, result.problems
    by_key = {p.key: p for p in result.data.parts}
    rowan = by_key["rowna"]
    assert (rowan.name, rowan.pronouns, rowan.colour) == ("Rowan", "they/them", "#5b8c5a")
    assert rowan.description == "Keeps the calendar. Likes the sessions on Tuesdays."
    # The hidden year (0004) is dropped; the display name is kept as a field.
    assert rowan.custom_fields == {"Display name": "Rowan 🌿", "Birthday": "03-21"}
    assert rowan.created_at == dt.datetime(2023, 2, 11, 9, 20, 44, 502117, tzinfo=UTC)
    assert rowan.source_refs[0].as_dict() == {
        "app": "pluralkit",
        "collection": "members",
        "id": "rowna",
        "uuid": "0b1f6e5c-7a2d-4f3e-8c9b-1a2b3c4d5e6f",
    }
    assert by_key["sablq"].custom_fields == {"Birthday": "1999-11-02"}
    assert by_key["sablq"].colour == ""
    assert result.data.system_name == "The Lantern House"
    assert result.data.producer == "pluralkit"


def test_groups_use_the_display_name_and_list_members() -> None:
    result = parse_pluralkit(DATA / "pluralkit-export.json")
    (group,) = result.data.groups
    assert (group.name, group.colour, group.member_keys) == (
        "Day-to-day",
        "#336699",
        ["rowna", "sablq"],
    )


def test_switches_become_periods_lasting_until_the_next_switch() -> None:
    result = parse_pluralkit(DATA / "pluralkit-export.json")
    periods = [(p.started_at, p.ended_at, p.part_keys) for p in result.data.periods]
    # The switch at 16:00 names nobody: it closes Sable's period and starts none.
    assert periods == [
        (at("2024-05-01T09:00"), at("2024-05-01T16:00"), ["sablq"]),
        (at("2024-05-01T18:30"), at("2024-05-01T20:15"), ["rowna", "tmsin"]),
        (at("2024-05-01T20:15"), None, ["rowna"]),
    ]


def test_what_is_pluralkits_own_business_is_counted_as_left_out() -> None:
    result = parse_pluralkit(DATA / "pluralkit-export.json")
    assert result.skipped == {"proxy tags": 2}


def test_a_file_without_members_is_not_a_pluralkit_export() -> None:
    result = parse_pluralkit(DATA / "pluralkit-no-members.json")
    assert [str(p) for p in result.problems] == [
        "This is not a PluralKit export: no 'members' list."
    ]


def test_a_simply_plural_file_is_named_as_such() -> None:
    result = parse_pluralkit(DATA / "simplyplural-export.json")
    assert [str(p) for p in result.problems] == [
        "This is not a PluralKit export: it looks like a Simply Plural export."
    ]


def test_every_problem_is_listed_with_where_it_is() -> None:
    result = parse_pluralkit(DATA / "pluralkit-bad-references.json")
    assert [str(p) for p in result.problems] == [
        "members[1].id: The id 'aaaaa' appears twice in the file.",
        "members[2].name: 'name' should be text.",
        "members[3]: This item is not an object.",
        "groups[0].members: It names members not in the file: 'zzzzz'.",
        "switches[0].timestamp: The time 'yesterday at noon' is not in the form "
        "2024-05-01T18:30:00Z.",
        "switches[1].members: It names members not in the file: 'yyyyy'.",
    ]


def test_broken_json_says_where_it_breaks() -> None:
    result = parse_pluralkit(DATA / "malformed-truncated.json")
    assert [str(p) for p in result.problems] == [
        "line 1, column 64: This PluralKit export is not valid JSON (Expecting ',' delimiter)."
    ]


def test_a_top_level_list_is_refused() -> None:
    result = parse_pluralkit(b"[1, 2, 3]")
    assert [str(p) for p in result.problems] == [
        "This is not a PluralKit export: the file is not a JSON object."
    ]


def test_too_large_a_file_is_refused_before_it_is_read() -> None:
    result = parse_pluralkit(b" " * (MAX_PLURAL_BYTES + 1))
    assert [str(p) for p in result.problems] == [
        "This PluralKit export is larger than 50 MB, the most Attunement reads from this kind "
        "of file. Nothing was imported."
    ]


def test_too_many_switches_are_refused() -> None:
    doc = {
        "members": [{"id": "aaaaa", "name": "A"}],
        "switches": [{"timestamp": "2024-05-01T10:00:00Z", "members": ["aaaaa"]}] * 10_001,
    }
    result = parse_pluralkit(json.dumps(doc).encode())
    assert [str(p) for p in result.problems] == [
        "switches: The file holds 10,001 items in 'switches'; Attunement reads at most 10,000. "
        "Nothing was imported."
    ]


def test_switches_at_the_same_instant_keep_the_last_one() -> None:
    doc = {
        "members": [{"id": "aaaaa", "name": "A"}, {"id": "bbbbb", "name": "B"}],
        "switches": [
            {"timestamp": "2024-05-01T10:00:00Z", "members": ["aaaaa"]},
            {"timestamp": "2024-05-01T10:00:00Z", "members": ["bbbbb"]},
        ],
    }
    result = parse_pluralkit(json.dumps(doc).encode())
    assert [p.part_keys for p in result.data.periods] == [["bbbbb"]]


def test_a_bad_colour_is_left_out_with_a_warning() -> None:
    result = parse_pluralkit(DATA / "hostile-names.json")
    assert result.ok
    assert [str(w) for w in result.warnings] == [
        "members[0].color: The colour 'zzz; background:url(x)' was not understood and was left out."
    ]
    assert result.data.parts[0].colour == ""
    assert result.data.parts[0].name == "<script>alert('part')</script>"


def test_auto_recognises_each_format() -> None:
    for name, producer in [
        ("pluralkit-export.json", "pluralkit"),
        ("simplyplural-export.json", "simply_plural"),
        ("pluralport-other-app.json", "sheaf"),
    ]:
        result = parse("auto", (DATA / name).read_bytes())
        assert result.ok and result.data.producer == producer


def test_auto_says_when_it_does_not_recognise_a_file() -> None:
    result = parse("auto", b'{"entries": []}')
    assert [str(p) for p in result.problems] == [
        "This file is not a PluralKit, Simply Plural or Pluralport export that Attunement "
        "recognises. Choose its format by hand to see what is wrong with it."
    ]
    broken = parse("auto", (DATA / "malformed-truncated.json").read_bytes())
    assert [str(p) for p in broken.problems] == [
        "line 1, column 64: This file is not valid JSON (Expecting ',' delimiter)."
    ]
