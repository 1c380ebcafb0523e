"""Tests for the jrnl JSON importer."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from attunement.io.jrnl import parse_jrnl
from attunement.io.records import Problem

DATA = Path(__file__).parent.parent / "data" / "io" / "jrnl"
UTC = dt.UTC


def test_entries_titles_bodies_tags_stars():
    result = parse_jrnl(DATA / "therapy.json", tz=UTC)
    assert result.ok
    first, second, third = result.data.entries
    assert first.title == "She was four minutes late."
    assert first.body.endswith("Next time I want to say that I noticed.")
    assert first.written_at == dt.datetime(2024, 1, 15, 18, 40, tzinfo=UTC)
    assert first.tags == ["session", "rupture"]
    assert second.tags == ["session", "repair"]  # "@Session" repeats "@session"
    assert (first.starred, second.starred, third.starred) == (False, True, False)
    assert {e.source for e in result.data.entries} == {"jrnl"}
    assert [e.key for e in result.data.entries] == ["jrnl-1", "jrnl-2", "jrnl-3"]


def test_times_are_read_in_the_given_zone():
    berlin = dt.timezone(dt.timedelta(hours=1))
    result = parse_jrnl(DATA / "therapy.json", tz=berlin)
    assert result.data.entries[0].written_at == dt.datetime(2024, 1, 15, 17, 40, tzinfo=UTC)


def test_default_zone_is_local_and_aware():
    result = parse_jrnl(DATA / "therapy.json")
    first = result.data.entries[0].written_at
    assert first.utcoffset() is not None
    assert first.replace(tzinfo=None) == dt.datetime(2024, 1, 15, 18, 40)


def test_bad_entries_are_reported_with_where():
    result = parse_jrnl(DATA / "bad-entries.json", tz=UTC)
    assert result.problems == [
        Problem("entries[1].date",
                "The date and time '15/01/2024 18:40' are not in the form 2023-03-14 18:22."),
        Problem("entries[2]", "This entry is not an object."),
        Problem("entries[3].tags", "Tags should be a list of words."),
        Problem("entries[4].date",
                "The date and time '2024-01-16 25:61' are not in the form 2023-03-14 18:22."),
    ]
    assert [e.title for e in result.data.entries] == ["Fine."]


def test_truncated_json():
    result = parse_jrnl(DATA / "broken.json")
    assert result.problems == [Problem(
        "line 4, column 34",
        "This jrnl export is not valid JSON (Unterminated string starting at).",
    )]


def test_encrypted_journal_explains_how_to_export():
    assert parse_jrnl(DATA / "encrypted.jrnl").problems == [Problem(
        "",
        "This is an encrypted jrnl journal. Export it first with "
        "`jrnl --format json > journal.json`, then import that file.",
    )]


def test_other_json_is_refused():
    assert parse_jrnl(DATA / "not-jrnl.json").problems == [Problem(
        "", 'This is JSON, but not a jrnl export: it has no list of "entries".',
    )]


def test_not_utf8():
    result = parse_jrnl(b'{"entries": [{"title": "caf\xe9"}]}')
    assert result.problems == [Problem(
        "line 1",
        "This jrnl export is not valid UTF-8 text. It may have been re-saved in another "
        "text encoding; exporting it again should help.",
    )]


def test_deep_nesting_does_not_crash():
    result = parse_jrnl(b"[" * 100_000 + b"]" * 100_000)
    assert result.problems == [Problem("", "This jrnl export is nested too deeply to read.")]
