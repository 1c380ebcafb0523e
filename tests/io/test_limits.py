"""Tests for read_limited: sizes are checked before reading where possible."""

from __future__ import annotations

import io

import pytest

from attunement.io.limits import InputError, read_limited
from attunement.io.records import Problem


def test_exact_limit_is_allowed():
    assert read_limited(b"abc", limit=3, label="file") == b"abc"
    assert read_limited(io.BytesIO(b"abc"), limit=3, label="file") == b"abc"


def test_over_limit_everywhere(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"abcd")
    for source in (b"abcd", io.BytesIO(b"abcd"), path):
        with pytest.raises(InputError) as caught:
            read_limited(source, limit=3, label="test file")
        assert caught.value.problem == Problem(
            "", "This test file is larger than 0 MB, the most Attunement reads from this kind "
            "of file. Nothing was imported.",
        )


def test_reads_from_the_current_position():
    stream = io.BytesIO(b"xxabc")
    stream.seek(2)
    assert read_limited(stream, limit=3, label="file") == b"abc"


def test_missing_file(tmp_path):
    with pytest.raises(InputError) as caught:
        read_limited(tmp_path / "nope", limit=3, label="file")
    assert caught.value.problem == Problem(
        "", "The file could not be read (No such file or directory)."
    )
