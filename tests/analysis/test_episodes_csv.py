"""Tests for `episodes_from_csv`: the example, and every hostile file with its exact message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from attunement.analysis.episodes import EpisodeCsvError, Instrument, episodes_from_csv
from attunement.analysis.episodes_csv import parse_ratings_csv

DATA = Path(__file__).parent.parent / "data" / "episodes"


def test_example_file_gives_one_repaired_episode():
    out = episodes_from_csv(DATA / "example.csv")
    assert json.loads(json.dumps(out)) == out  # JSON-ready as it is
    assert out == [{
        "start": "2024-01-29", "end": "2024-02-02",
        "lowest": {"date": "2024-01-31", "score": 2.6}, "status": "repaired",
        # No SD given: the spread is the floor, 5 % of the inferred 0–5.3 range.
        "depth": {"sd": pytest.approx(2.4 / 0.265, abs=0.01), "points": pytest.approx(2.4)},
        "criteria": ["strict_2sd", "sensitive_1sd", "self_report", "pre_session"],
    }]


def test_example_with_known_instrument_sd_reports_depth_in_that_sd():
    out = episodes_from_csv(DATA / "example.csv", instrument=Instrument(1, 7, 0.9, 1.2))
    assert out[0]["depth"]["sd"] == pytest.approx(2.0)


def test_path_given_as_string_and_text_given_directly():
    text = (DATA / "example.csv").read_text()
    assert episodes_from_csv(str(DATA / "example.csv")) == episodes_from_csv(text)


def test_blank_score_is_an_unrated_session():
    ratings, problems = parse_ratings_csv((DATA / "example.csv").read_text())
    assert problems == []
    assert [r.missing for r in ratings].count(True) == 1


def test_bom_is_ignored():
    assert episodes_from_csv(DATA / "bom.csv") == []


@pytest.mark.parametrize(("name", "message"), [
    ("bad_score.csv", "line 3: score 'five' is not a number"),
    ("bad_date.csv", "line 3: date '01/03/2024' is not a date like 2024-03-01"),
    ("bad_items.csv",
     "line 2: intensity '7' should be a whole number from 1 to 5\n"
     "line 3: tension 'maybe' should be yes or no\n"
     "line 4: resolved '0' should be a whole number from 1 to 5"),
    ("wrong_fields.csv", "line 3: expected 2 fields, found 3"),
    ("wrong_header.csv", "line 1: the header needs the columns date, score (found: day, value)"),
    ("empty.csv", "line 1: the file is empty; expected a header 'date,score'"),
    ("non_finite.csv",
     "line 2: score 'inf' is not a finite number\nline 4: score '1e999' is not a finite number"),
    ("hostile.csv",
     "line 2: score '<script>alert(1)</script>' is not a number\n"
     "line 3: score '\\u202e5' is not a number"),
])
def test_hostile_files_fail_with_line_numbers(name, message):
    with pytest.raises(EpisodeCsvError) as err:
        episodes_from_csv(DATA / name)
    assert str(err.value) == message
    assert all(p.where.startswith("line ") for p in err.value.problems)


def test_header_only_is_reported():
    with pytest.raises(EpisodeCsvError, match="no rows after the header"):
        episodes_from_csv("date,score\n")


def test_missing_file_raises_os_error():
    with pytest.raises(FileNotFoundError):
        episodes_from_csv(DATA / "no_such_file.csv")
