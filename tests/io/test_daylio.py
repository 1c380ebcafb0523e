"""Tests for the Daylio CSV importer (current and older exports)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from attunement.io.daylio import parse_daylio
from attunement.io.records import Problem

DATA = Path(__file__).parent.parent / "data" / "io" / "daylio"
UTC = dt.UTC


def test_current_export_with_bom():
    result = parse_daylio(DATA / "daylio_export.csv", tz=UTC)
    assert result.ok
    first, second, third = result.data.entries
    assert first.title == "After the session"
    assert first.body == (
        "We talked about the break at Easter.\nI said I was worried, and it was fine to say it."
        "\nWalked home the long way."
    )
    assert first.tags == ["session", "walk", "journaling", "mood:good"]
    assert first.written_at == dt.datetime(2024, 3, 14, 21, 40, tzinfo=UTC)
    assert (second.title, second.tags) == ("Meh day", ["work", "tired", "mood:meh"])
    assert second.written_at == dt.datetime(2024, 3, 13, 22, 5, tzinfo=UTC)
    assert third.body == "Woke at 4.\nThought about cancelling Thursday.\n\nDid not cancel."
    assert third.written_at == dt.datetime(2024, 3, 12, 7, 15, tzinfo=UTC)
    assert {e.source for e in result.data.entries} == {"daylio"}


def test_older_seven_column_export():
    result = parse_daylio(DATA / "daylio_old.csv", tz=UTC)
    assert result.ok
    first, second = result.data.entries
    assert (first.title, first.body) == ("Happy day", "Talked about my sister")
    assert first.written_at == dt.datetime(2018, 5, 18, 23, 54, tzinfo=UTC)
    assert second.written_at == dt.datetime(2018, 5, 17, 22, 21, tzinfo=UTC)
    assert second.tags == ["cook", "stressed", "mood:average"]


def test_bad_rows_have_line_numbers():
    result = parse_daylio(DATA / "daylio_bad.csv", tz=UTC)
    assert result.problems == [
        Problem("line 3", "The date '2024-02-30' could not be read."),
        Problem("line 4", "The time 'half past nine' could not be read."),
        Problem("line 5", "Expected 8 columns but found 4."),
    ]
    assert [e.key for e in result.data.entries] == ["daylio-2", "daylio-6"]


def test_other_csv_is_refused():
    assert parse_daylio(DATA / "not-daylio.csv").problems == [Problem(
        "line 1",
        "This CSV is not a Daylio export: its first line should be "
        "full_date,date,weekday,time,mood,activities,note_title,note "
        "(or year,date,weekday,time,mood,activities,note in older exports).",
    )]


def test_multiline_note_reports_the_line_it_starts_on():
    raw = (
        b"full_date,date,weekday,time,mood,activities,note_title,note\n"
        b'2024-03-12,12 March,Tuesday,7:15 am,awful,"","","one\ntwo"\n'
        b"2024-03-13,13 March,Wednesday,7:15,good\n"
    )
    assert parse_daylio(raw, tz=UTC).problems == [
        Problem("line 4", "Expected 8 columns but found 5."),
    ]


def test_empty_file():
    assert parse_daylio(b"").problems[0].where == "line 1"
