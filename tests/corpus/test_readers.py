"""Readers: every format streams documents, and each bad row is reported with its line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from attunement.corpus.readers import (
    MAX_LINE_BYTES,
    BadRow,
    Doc,
    iter_inputs,
    read_csv,
    read_folder,
    read_jsonl,
    read_wordpress,
)
from attunement.corpus.shards import iter_shards

DATA = Path(__file__).parents[1] / "data" / "corpus"
WXR = Path(__file__).parents[1] / "data" / "io" / "wordpress"


def test_jsonl_good_rows_and_exact_errors() -> None:
    recs = list(read_jsonl(DATA / "mixed.jsonl"))
    docs = [r for r in recs if isinstance(r, Doc)]
    bad = {r.line: r.error for r in recs if isinstance(r, BadRow)}
    assert [d.id for d in docs] == ["d1", "d1", "7"]  # the repeated id is caught by shards
    assert docs[0].author == "ana" and docs[0].date == "2024-02-05" and docs[0].score == 6.0
    assert docs[2].session == "12" and docs[2].date == "2024-02-06T18:30:00+01:00"
    assert docs[2].line == 11
    assert bad[3].startswith("not valid JSON")
    assert bad[4] == "expected a JSON object"
    assert bad[5] == "missing or non-string 'text'"
    assert bad[6] == "'id' must be a string"
    assert bad[7] == "'date' is not an ISO 8601 date: 'last tuesday'"
    assert bad[8] == "'score' is not a number: 'high'"
    assert bad[9] == "'text' is not valid UTF-8 text"
    assert bad[12] == "line is not valid UTF-8"
    assert bad[13] == "'score' must be a finite number"
    assert 2 not in bad  # blank lines are skipped silently


def test_repeated_id_is_reported_by_line() -> None:
    errors: list[BadRow] = []
    shards = list(iter_shards(read_jsonl(DATA / "mixed.jsonl"), 2, errors.append))
    assert [d.id for s in shards for d in s.docs] == ["d1", "7"]
    repeated = [e for e in errors if "already used" in e.error]
    assert [(e.line, e.id) for e in repeated] == [(10, "d1")]


def test_overlong_line_is_skipped_and_reading_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "long.jsonl"
    with path.open("w") as f:
        f.write(json.dumps({"id": "x", "text": "a" * (MAX_LINE_BYTES + 10)}) + "\n")
        f.write(json.dumps({"id": "y", "text": "Short."}) + "\n")
    recs = list(read_jsonl(path))
    assert isinstance(recs[0], BadRow) and recs[0].line == 1 and "longer than" in recs[0].error
    assert isinstance(recs[1], Doc) and recs[1].id == "y" and recs[1].line == 2


def test_csv_chosen_columns_and_line_numbers() -> None:
    recs = list(read_csv(DATA / "entries.csv", text_column="body", id_column="entry_id"))
    docs = [r for r in recs if isinstance(r, Doc)]
    bad = {r.line: r.error for r in recs if isinstance(r, BadRow)}
    assert [d.id for d in docs] == ["c1", "c2", "c4", "c5"]
    assert docs[2].text == ""  # an empty entry is a document with no sentences
    assert docs[3].text == "A multi-line\nentry that spans two lines." and docs[3].line == 6
    assert docs[3].score == 4.5 and docs[1].score is None
    assert bad == {4: "more fields than the header has", 8: "'score' is not a number: 'n/a'"}


def test_csv_missing_column_is_one_clear_error() -> None:
    recs = list(read_csv(DATA / "entries.csv", text_column="nope"))
    assert recs == [BadRow(str(DATA / "entries.csv"), 1,
                           "no column named 'nope' (columns: entry_id, body, author, date, score)")]


def test_folder_reads_txt_and_md_sorted_with_author_and_date() -> None:
    recs = list(read_folder(DATA / "folder"))
    docs = [r for r in recs if isinstance(r, Doc)]
    bad = [r for r in recs if isinstance(r, BadRow)]
    assert [d.id for d in docs] == ["p1/2024-04-01-monday.md", "p1/notes.txt", "top.txt"]
    assert [d.author for d in docs] == ["p1", "p1", ""]
    assert [d.date for d in docs] == ["2024-04-01", None, None]
    assert [(b.id, b.error) for b in bad] == [("broken.txt", "file is not valid UTF-8")]


def test_wordpress_export_posts_become_documents() -> None:
    recs = list(read_wordpress(WXR / "therapy-blog.wxr"))
    docs = [r for r in recs if isinstance(r, Doc)]
    assert docs, "the sample export has posts"
    assert all(d.author == "therapy-blog" and d.date for d in docs)


def test_wordpress_hostile_export_is_a_bad_row_not_a_crash() -> None:
    recs = list(read_wordpress(WXR / "billion-laughs.wxr"))
    assert len(recs) == 1 and isinstance(recs[0], BadRow)
    assert "document type declaration" in recs[0].error


def test_unknown_extension_needs_a_format(tmp_path: Path) -> None:
    path = tmp_path / "notes.dat"
    path.write_text("x")
    with pytest.raises(ValueError, match="--format"):
        list(iter_inputs([path]))
