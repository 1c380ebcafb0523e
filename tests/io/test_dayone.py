"""Tests for the Day One importer (zip and bare JSON) and its zip guards."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from attunement.io import limits
from attunement.io.dayone import parse_dayone, split_title
from attunement.io.records import Problem

DATA = Path(__file__).parent.parent / "data" / "io" / "dayone"


@pytest.mark.parametrize("name", ["export.zip", "Journal.json"])
def test_zip_and_bare_json_give_the_same_entries(name):
    result = parse_dayone(DATA / name)
    assert result.ok
    first, second, third = result.data.entries
    assert first.key == "dayone-4A1C6F0E2B3D4E5F8091A2B3C4D5E6F7"
    assert first.title == "The dream about the waiting room"
    assert first.body == (
        "She was there but the door was locked from her side.\n\n[photo]\n\n"
        "I want to bring it on Monday\\."
    )
    assert first.tags == ["dreams", "therapy"]
    assert first.starred is True
    assert second.title == ""
    assert second.body.endswith("[video]\n[audio]")
    assert third.body == "No heading, just a line."


def test_dates_keep_the_entry_time_zone():
    first, _, third = parse_dayone(DATA / "export.zip").data.entries
    assert first.written_at == dt.datetime(2023, 11, 2, 7, 15, tzinfo=dt.UTC)
    assert first.written_at.tzinfo == ZoneInfo("Europe/Berlin")
    assert first.written_at.hour == 8
    # An unknown zone name keeps the UTC time rather than failing.
    assert third.written_at == dt.datetime(2023, 12, 24, 22, 0, tzinfo=dt.UTC)


def test_bytes_and_streams_work_too():
    raw = (DATA / "export.zip").read_bytes()
    assert len(parse_dayone(raw).data.entries) == 3
    assert len(parse_dayone(io.BytesIO(raw)).data.entries) == 3


def test_bad_entries_reported_with_where():
    result = parse_dayone(DATA / "bad-entries.json")
    assert result.problems == [
        Problem("entries[1].uuid", "The entry id is missing or appears twice."),
        Problem("entries[2].creationDate", "'yesterday' is not a date like 2023-03-14T18:22:05Z."),
        Problem("entries[3].creationDate",
                "'2023-11-04T07:15:00' is not a date like 2023-03-14T18:22:05Z."),
        Problem("entries[4].tags", "Tags should be a list of words."),
    ]


def test_zip_bomb_is_stopped_at_the_json_limit():
    result = parse_dayone(DATA / "bomb.zip")
    assert result.problems == [Problem(
        "",
        "This Day One export (Journal.json) is larger than 100 MB, the most Attunement "
        "reads from this kind of file. Nothing was imported.",
    )]


def test_path_traversal_names_refuse_the_zip():
    assert parse_dayone(DATA / "traversal.zip").problems == [Problem(
        "../../home/user/.bashrc",
        "This zip contains a file name that points outside the archive; it was not opened.",
    )]


def test_json_must_be_at_top_level():
    assert parse_dayone(DATA / "no-journal.zip").problems == [Problem(
        "", "This zip has no Journal.json (or other .json file) at its top level.",
    )]


def test_too_many_members(monkeypatch):
    monkeypatch.setattr(limits, "MAX_ZIP_MEMBERS", 3)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for i in range(4):
            zf.writestr(f"photos/{i}.jpeg", b"x")
    assert parse_dayone(buffer.getvalue()).problems == [Problem(
        "", "This zip holds more than 3 files, more than a Day One export would.",
    )]


def test_damaged_zip():
    raw = (DATA / "export.zip").read_bytes()[:200]
    assert parse_dayone(raw).problems == [Problem(
        "", "This zip file is damaged or uses a kind of compression that cannot be read.",
    )]


def test_several_journals_in_one_zip_name_their_file():
    buffer = io.BytesIO()
    good = (DATA / "Journal.json").read_text()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("Journal.json", good)
        zf.writestr("Dreams.json", '{"entries": [{"uuid": "X", "creationDate": "no"}]}')
    result = parse_dayone(buffer.getvalue())
    assert result.problems == [Problem(
        "Dreams.json: entries[0].creationDate", "'no' is not a date like 2023-03-14T18:22:05Z.",
    )]
    assert len(result.data.entries) == 3


def test_split_title():
    assert split_title("## Title ##\n\nbody") == ("Title", "body")
    assert split_title("#hashtag first\nbody") == ("", "#hashtag first\nbody")
    assert split_title("") == ("", "")
