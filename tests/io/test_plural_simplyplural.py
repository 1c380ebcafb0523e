"""Simply Plural export files: members, custom fronts, front history, groups and notes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from attunement.io.plural.simplyplural import parse_simply_plural

DATA = Path(__file__).resolve().parents[1] / "data" / "plural"
ROWAN, WREN, OLD = (
    "65a1f0c2e4b0a1b2c3d4e5f1",
    "65a1f0c2e4b0a1b2c3d4e5f2",
    "65a1f0c2e4b0a1b2c3d4e5f3",
)
FAR_AWAY = "65a1f0c2e4b0a1b2c3d4c002"


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def parsed():  # type: ignore[no-untyped-def]
    result = parse_simply_plural(DATA / "simplyplural-export.json")
    assert result.ok, result.problems
    return result


def test_members_with_custom_fields_archive_and_pluralkit_link() -> None:
    by_key = {p.key: p for p in parsed().data.parts}
    rowan = by_key[ROWAN]
    assert (rowan.name, rowan.pronouns, rowan.colour, rowan.description) == (
        "Rowan",
        "they/them",
        "#5b8c5a",
        "Keeps the calendar.",
    )
    # Empty values are dropped; field ids become their names.
    assert rowan.custom_fields == {"Favourite time": "Tuesday sessions"}
    assert [r.as_dict() for r in rowan.source_refs] == [
        {"app": "simply_plural", "collection": "members", "id": ROWAN},
        {"app": "pluralkit", "collection": "members", "id": "rowna"},
    ]
    assert by_key[WREN].colour == "#a0522d"
    assert by_key[OLD].archived is True


def test_custom_fronts_become_states() -> None:
    states = {s.key: (s.name, s.kind, s.description) for s in parsed().data.states}
    assert states[FAR_AWAY] == ("Far away", "custom", "Everything feels distant.")
    assert len(states) == 2


def test_front_history_rows_with_the_same_times_are_one_period() -> None:
    periods = [
        (p.started_at, p.ended_at, p.part_keys, p.state_keys, p.note) for p in parsed().data.periods
    ]
    assert periods == [
        (at("2024-05-02T08:00"), at("2024-05-02T10:00"), [WREN], [], "at work\n\nLong day."),
        (at("2024-05-02T10:00"), at("2024-05-02T12:00"), [ROWAN], [FAR_AWAY], ""),
        (at("2024-05-02T21:00"), None, [WREN], [], ""),  # live: still going on
    ]


def test_groups_and_notes() -> None:
    data = parsed().data
    (group,) = data.groups
    assert (group.name, group.colour, group.member_keys) == (
        "Morning crew",
        "#ffcc66",
        [WREN, ROWAN],
    )
    (note,) = data.notes
    assert (note.title, note.body, note.part_key) == (
        "For the next session",
        "Bring up the holiday **gap**.",
        WREN,
    )
    assert note.written_at == at("2024-05-02T19:30")


def test_what_is_left_out_is_counted() -> None:
    assert parsed().skipped == {
        "custom field values without a field definition": 1,
        "group memberships of deleted members": 1,
        "front history of deleted members": 1,
        "polls": 1,
    }


def test_older_exports_keep_field_names_on_the_user() -> None:
    doc = {
        "users": [{"_id": "u", "fields": {"f1": {"name": "Age", "order": 0, "type": 0}}}],
        "members": [{"_id": "m1", "name": "A", "info": {"f1": "nine"}}],
    }
    result = parse_simply_plural(json.dumps(doc).encode())
    assert result.ok
    assert result.data.parts[0].custom_fields == {"Age": "nine"}


def test_malformed_rows_are_listed_and_nothing_is_kept() -> None:
    result = parse_simply_plural(DATA / "simplyplural-malformed.json")
    assert [str(p) for p in result.problems] == [
        "members[1].name: This item has no 'name'.",
        "frontHistory[0].startTime: The time 'noon' is not a number of milliseconds since 1970.",
        "frontHistory[1].endTime: The time is missing.",
        "frontHistory[2]: This front ends before it starts.",
    ]


def test_a_pluralkit_file_is_named_as_such() -> None:
    result = parse_simply_plural(DATA / "pluralkit-export.json")
    assert [str(p) for p in result.problems] == [
        "This is not a Simply Plural export: it looks like a PluralKit export."
    ]


def test_members_alone_are_not_enough_to_be_simply_plural() -> None:
    result = parse_simply_plural(b'{"members": []}')
    assert [str(p) for p in result.problems] == [
        "This is not a Simply Plural export: no 'frontHistory', 'frontStatuses' or 'users' "
        "collection."
    ]
