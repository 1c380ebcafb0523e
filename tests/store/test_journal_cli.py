"""The encrypted journal end to end, through the `attune` command in a subprocess.

Each test has its own ATTUNE_HOME, so these exercise the real files: create,
wrong passphrase (file untouched), re-key, recovery, backup and restore.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

PASS = "first passphrase"


def attune(
    home: Path,
    *args: str,
    passphrase: str | None = PASS,
    extra_env: dict[str, str] | None = None,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "ATTUNE_PASSPHRASE")}
    env |= {"ATTUNE_HOME": str(home), "ATTUNE_KDF_FAST": "1"}
    if passphrase is not None:
        env["ATTUNE_PASSPHRASE"] = passphrase
    env |= extra_env or {}
    return subprocess.run(
        [sys.executable, "-m", "attunement.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        input=stdin,
    )


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    h = tmp_path / "journal"
    r = attune(h, "init")
    assert r.returncode == 0, r.stderr
    r = attune(h, "session", "add", "2026-03-02 08:00", "--note", "first session")
    assert r.returncode == 0, r.stderr
    return h


def test_init_writes_only_ciphertext(home: Path) -> None:
    raw = (home / "journal.db").read_bytes()
    assert not raw.startswith(b"SQLite format 3")
    assert b"first session" not in raw
    assert oct((home / "journal.db").stat().st_mode)[-3:] == "600"


def test_init_refuses_to_overwrite(home: Path) -> None:
    before = sha(home / "journal.db")
    r = attune(home, "init")
    assert r.returncode == 7
    assert "already exists" in r.stderr
    assert sha(home / "journal.db") == before


def test_wrong_passphrase_is_a_clear_message_and_touches_nothing(home: Path) -> None:
    before = (sha(home / "journal.db"), sha(home / "keyfile.json"))
    r = attune(home, "entries", passphrase="not the passphrase")
    assert r.returncode == 5
    assert r.stderr.strip() == (
        "attune: That passphrase does not open this journal. Nothing was changed; "
        "check for caps lock and try again, or use your recovery key."
    )
    assert (sha(home / "journal.db"), sha(home / "keyfile.json")) == before


def test_no_journal_message(tmp_path: Path) -> None:
    r = attune(tmp_path / "none", "entries")
    assert r.returncode == 6
    assert "There is no journal here yet" in r.stderr


def test_no_passphrase_without_terminal(home: Path) -> None:
    r = attune(home, "entries", passphrase=None, stdin="")
    assert r.returncode == 1
    assert "set ATTUNE_PASSPHRASE" in r.stderr


def test_rekey_changes_key_and_keeps_data(home: Path) -> None:
    before = (home / "journal.db").read_bytes()[:4096]
    r = attune(home, "passphrase", extra_env={"ATTUNE_NEW_PASSPHRASE": "second passphrase"})
    assert r.returncode == 0, r.stderr
    assert (home / "journal.db").read_bytes()[:4096] != before
    assert attune(home, "entries").returncode == 5  # the old passphrase no longer opens it
    r = attune(home, "entries", passphrase="second passphrase")
    assert r.returncode == 0, r.stderr
    assert not (home / "keyfile.json.pending").exists()


def test_backup_and_restore(home: Path, tmp_path: Path) -> None:
    backup = tmp_path / "b.attunement-backup"
    r = attune(home, "backup", str(backup))
    assert r.returncode == 0, r.stderr
    assert b"first session" not in backup.read_bytes()
    other = tmp_path / "other"
    r = attune(other, "restore", str(backup), passphrase="wrong wrong")
    assert r.returncode == 5 and not (other / "journal.db").exists()
    r = attune(other, "restore", str(backup))
    assert r.returncode == 0, r.stderr
    assert oct((other / "journal.db").stat().st_mode)[-3:] == "600"
    assert oct((other / "keyfile.json").stat().st_mode)[-3:] == "600"
    r = attune(other, "export", "json", str(tmp_path / "out.json"))
    assert r.returncode == 0, r.stderr
    assert "first session" in (tmp_path / "out.json").read_text()


def test_restore_with_the_recovery_key(tmp_path: Path) -> None:
    """A forgotten passphrase: the recovery key written down at creation restores a backup."""
    home = tmp_path / "journal"
    r = attune(home, "init")
    assert r.returncode == 0, r.stderr
    recovery = next(line.strip() for line in r.stdout.splitlines() if line.count("-") == 7)
    backup = tmp_path / "b.attunement-backup"
    assert attune(home, "backup", str(backup)).returncode == 0
    other = tmp_path / "other"
    typed = recovery.lower().replace("-", " ")  # typed loosely, as people do
    r = attune(other, "restore", str(backup), passphrase=typed)
    assert r.returncode == 0, r.stderr
    assert "recovery key" in r.stdout
    r = attune(other, "entries")  # and its own passphrase still opens it
    assert r.returncode == 0, r.stderr
    r = attune(other, "restore", str(backup), passphrase="AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH")
    assert r.returncode == 5


def test_restore_of_a_damaged_file(home: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    before = sha(home / "journal.db")
    r = attune(home, "restore", str(bad))
    assert r.returncode == 9
    assert r.stderr.strip() == (
        "attune: This backup cannot be restored: the file is damaged or not a backup. "
        "Nothing was changed."
    )
    assert sha(home / "journal.db") == before


def test_run_refuses_a_public_address_without_the_flag(home: Path) -> None:
    r = attune(home, "run", "--host", "0.0.0.0")
    assert r.returncode == 1
    assert "Refusing to listen on 0.0.0.0" in r.stderr
