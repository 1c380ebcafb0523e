"""Tests for atomic_write: complete files, no leftovers, old file kept on failure."""

from __future__ import annotations

import os
import stat

import pytest

from attunement.io import atomic
from attunement.io.atomic import atomic_write


def test_writes_bytes_and_text(tmp_path):
    atomic_write(tmp_path / "a.bin", b"\x00\x01")
    atomic_write(tmp_path / "b.md", "café")
    assert (tmp_path / "a.bin").read_bytes() == b"\x00\x01"
    assert (tmp_path / "b.md").read_bytes() == "café".encode()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.bin", "b.md"]


def test_new_files_are_private(tmp_path):
    atomic_write(tmp_path / "journal.json", "{}")
    mode = stat.S_IMODE((tmp_path / "journal.json").stat().st_mode)
    assert mode == 0o600


def test_failure_keeps_the_old_file_and_leaves_no_temp(tmp_path, monkeypatch):
    target = tmp_path / "journal.json"
    target.write_text("old")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(atomic.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        atomic_write(target, "new")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["journal.json"]
