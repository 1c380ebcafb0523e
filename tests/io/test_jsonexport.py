"""Tests for Attunement's own JSON export: round trip, format, and damaged files."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings

from attunement.io.jsonexport import (
    FORMAT,
    VERSION,
    export_json,
    format_datetime,
    parse_datetime,
    parse_json,
    sections,
    write_json,
)
from attunement.io.records import (
    CommentRec,
    EntryRec,
    JournalData,
    Problem,
    SessionRec,
    TherapistRec,
)
from tests.io.strategies import aware, journals

LONDON = ZoneInfo("Europe/London")


@settings(max_examples=150, deadline=None)
@given(journals())
def test_round_trip_is_identical(data):
    raw = export_json(data)
    result = parse_json(raw)
    assert result.problems == []
    assert result.warnings == []
    assert result.data == data
    # Writing the re-read journal gives the same bytes: zone names survive too.
    again = export_json(result.data, exported_at=_stamp(raw))
    assert again == raw


def _stamp(raw: bytes) -> dt.datetime:
    return parse_datetime(json.loads(raw)["exported_at"])


@given(aware)
def test_datetime_text_round_trip(value):
    back = parse_datetime(format_datetime(value))
    assert back == value
    assert back.utcoffset() == value.utcoffset()


def test_ambiguous_and_missing_local_times_keep_their_instant():
    late = dt.datetime(2023, 10, 29, 1, 30, tzinfo=LONDON, fold=1)  # second 01:30 (GMT)
    assert format_datetime(late) == "2023-10-29T01:30:00+00:00[Europe/London]"
    back = parse_datetime(format_datetime(late))
    assert back.fold == 1 and back.utcoffset() == dt.timedelta(0)


def _sample() -> JournalData:
    when = dt.datetime(2024, 3, 14, 9, 0, tzinfo=LONDON)
    reply = CommentRec("c2", "Me", when + dt.timedelta(hours=2), "thanks", parent_key="c1")
    return JournalData(
        therapists=[TherapistRec("t1", "M.", dt.date(2019, 9, 2))],
        sessions=[SessionRec("s1", when, therapist_key="t1")],
        entries=[EntryRec("e1", "After", "Body", when + dt.timedelta(hours=1), ["a"], "s1",
                          comments=[CommentRec("c1", "A", when, "hi"), reply])],
    )


def test_document_layout_has_every_section_and_field():
    doc = json.loads(export_json(_sample(), exported_at=dt.datetime(2024, 3, 15, tzinfo=dt.UTC)))
    assert doc["format"] == FORMAT and doc["version"] == VERSION == 1
    assert doc["exported_at"] == "2024-03-15T00:00:00+00:00"
    assert list(doc)[3:] == [f.name for f in dataclasses.fields(JournalData)]
    for name, cls in sections().items():
        assert isinstance(doc[name], list)
        for item in doc[name]:
            assert list(item) == [f.name for f in dataclasses.fields(cls)]
    assert doc["sessions"][0]["starts_at"] == "2024-03-14T09:00:00+00:00[Europe/London]"
    assert doc["therapists"][0]["started"] == "2019-09-02"


def test_write_json_is_atomic_and_readable(tmp_path):
    path = tmp_path / "journal.json"
    write_json(_sample(), str(path))
    assert parse_json(path).data == _sample()
    assert [p.name for p in tmp_path.iterdir()] == ["journal.json"]


def _doc(**changes):
    doc = json.loads(export_json(_sample()))
    doc.update(changes)
    return json.dumps(doc).encode()


def test_newer_version_is_refused():
    assert parse_json(_doc(version=2)).problems == [Problem(
        "version",
        "This file was made by a newer Attunement (format version 2); update the app to import it.",
    )]


@pytest.mark.parametrize("value", [0, "1", True, None])
def test_invalid_version(value):
    assert parse_json(_doc(version=value)).problems == [
        Problem("version", f"The format version {value!r} is not valid."),
    ]


def test_other_json_is_refused():
    assert parse_json(b'{"entries": []}').problems == [
        Problem("format", "This is not an Attunement journal export."),
    ]


def test_field_errors_name_the_place():
    doc = json.loads(export_json(_sample()))
    doc["sessions"][0]["status"] = "forgotten"
    doc["sessions"][0]["duration_minutes"] = True
    doc["entries"][0]["written_at"] = "2024-03-14T10:00:00"  # no offset
    doc["entries"][0]["comments"][1]["approved"] = "yes"
    del doc["therapists"][0]["name"]
    result = parse_json(json.dumps(doc).encode())
    assert result.problems == [
        Problem("therapists[0].name", "This required field is missing."),
        Problem("sessions[0].status",
                "'forgotten' is not one of ['held', 'cancelled_by_me', "
                "'cancelled_by_therapist', 'missed']."),
        Problem("sessions[0].duration_minutes", "Expected int."),
        Problem("entries[0].written_at",
                "'2024-03-14T10:00:00' is not a valid date and time with UTC offset."),
        Problem("entries[0].comments[1].approved", "Expected bool."),
    ]


def test_broken_references_and_duplicate_keys():
    doc = json.loads(export_json(_sample()))
    doc["sessions"][0]["therapist_key"] = "t9"
    doc["entries"][0]["comments"][0]["parent_key"] = "c2"  # c1 <-> c2
    doc["entries"].append(dict(doc["entries"][0], comments=[]))
    result = parse_json(json.dumps(doc).encode())
    assert result.problems == [
        Problem("entries[1].key", "The key 'e1' is used twice."),
        Problem("sessions[0].therapist_key", "It points to 't9', which is not in the file."),
        Problem("entries[0].comments[0].parent_key", "The replies form a loop."),
        Problem("entries[0].comments[1].parent_key", "The replies form a loop."),
    ]


def test_unknown_fields_are_warnings_and_missing_defaults_fill_in():
    doc = json.loads(export_json(_sample()))
    doc["entries"][0]["mood_colour"] = "blue"
    del doc["entries"][0]["starred"]
    doc["attachments"] = []
    result = parse_json(json.dumps(doc).encode())
    assert result.ok
    assert result.warnings == [
        Problem("entries[0].mood_colour", "Unknown field; ignored."),
        Problem("attachments", "Unknown section; ignored."),
    ]
    assert result.data.entries[0].starred is False


def test_naive_datetime_cannot_be_exported():
    data = JournalData(sessions=[SessionRec("s", dt.datetime(2024, 1, 1))])
    with pytest.raises(ValueError, match="naive datetime"):
        export_json(data)
