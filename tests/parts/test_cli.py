"""`attune parts import/export` in a subprocess, against real encrypted journals.

The done-means round trip: a PluralKit and a Simply Plural file into one journal,
its Pluralport export into a fresh journal, and that journal's export is the same.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from attunement.io.plural.pluralport import parse_pluralport

DATA = Path(__file__).resolve().parents[1] / "data" / "plural"
PASS = "parts passphrase"


def attune(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {"ATTUNE_HOME": str(home), "ATTUNE_KDF_FAST": "1", "ATTUNE_PASSPHRASE": PASS}
    return subprocess.run(
        [sys.executable, "-m", "attunement.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.fixture
def journal(tmp_path: Path):  # type: ignore[no-untyped-def]
    def make(name: str) -> Path:
        home = tmp_path / name
        r = attune(home, "init")
        assert r.returncode == 0, r.stderr
        return home

    return make


def test_round_trip_into_a_fresh_journal(journal, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first = journal("first")
    r = attune(first, "parts", "import", str(DATA / "pluralkit-export.json"))
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == (
        "Imported 3 parts, 1 group, 3 front periods. Left out on purpose: 2 proxy tags."
    )
    r = attune(first, "parts", "import", str(DATA / "simplyplural-export.json"))
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(
        "Imported 2 parts, 2 front states, 1 group, 3 front periods, 1 note. "
        "Already here and brought up to date: 1 part."
    )
    out = tmp_path / "system.pluralport.json"
    r = attune(first, "parts", "export", str(out))
    assert r.returncode == 0 and r.stdout.strip() == f"Wrote {out}. It is not encrypted."
    exported = json.loads(out.read_text())
    names = sorted(m["name"] for m in exported["members"])
    assert names == ["Asleep", "Far away", "Little one", "Old Friend", "Rowan", "Sable", "Wren"]
    assert len(exported["front_periods"]) == 6

    second = journal("second")
    r = attune(second, "parts", "import", str(out))
    assert r.returncode == 0, r.stderr
    again = tmp_path / "again.pluralport.json"
    assert attune(second, "parts", "export", str(again)).returncode == 0
    reexported = json.loads(again.read_text())
    for doc in (exported, reexported):
        doc.pop("exported_at")
    assert reexported == exported
    assert parse_pluralport(again).ok


def test_a_bad_file_is_one_clear_line_and_imports_nothing(journal, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    home = journal("j")
    r = attune(
        home, "parts", "import", "--format", "pluralkit", str(DATA / "pluralkit-no-members.json")
    )
    assert r.returncode == 3
    assert r.stderr.strip() == (
        "attune: Nothing was imported: the PluralKit export (pk;export JSON) "
        "file has problems. This is not a PluralKit export: no 'members' list."
    )
    out = tmp_path / "empty.json"
    assert attune(home, "parts", "export", str(out)).returncode == 0
    assert json.loads(out.read_text())["members"] == []
