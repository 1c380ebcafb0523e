"""Create, unlock, lock and re-key the encrypted journal.

A journal is a folder holding ``journal.db`` (SQLCipher) and ``keyfile.json``
(see :mod:`attunement.store.keys`). The folder comes from ``ATTUNE_HOME``.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connections

from attunement.store import keyring, keys
from attunement.store.errors import (
    JournalExists,
    NoJournal,
    WeakPassphrase,
    WrongPassphrase,
)
from attunement.store.sqlcipher.base import key_pragma, open_raw

DB_NAME = "journal.db"
KEYFILE_NAME = "keyfile.json"
PENDING_SUFFIX = ".pending"
MIN_PASSPHRASE = 8
_META_TABLE = "attune_store_meta"


@dataclass(frozen=True)
class JournalPaths:
    """Where one journal's files are."""

    folder: Path

    @property
    def db(self) -> Path:
        return self.folder / DB_NAME

    @property
    def keyfile(self) -> Path:
        return self.folder / KEYFILE_NAME

    @property
    def pending_keyfile(self) -> Path:
        return self.folder / (KEYFILE_NAME + PENDING_SUFFIX)


def paths() -> JournalPaths:
    """The configured journal's paths."""
    return JournalPaths(Path(settings.ATTUNE_HOME))


def exists() -> bool:
    """Whether a journal has been created here."""
    return paths().keyfile.exists()


def _check_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise WeakPassphrase()


def _close_connections() -> None:
    for conn in connections.all(initialized_only=True):
        conn.close()


def create(passphrase: str) -> str:
    """Create a new empty journal; returns the recovery key to show once."""
    _check_passphrase(passphrase)
    p = paths()
    if p.keyfile.exists() or p.db.exists():
        raise JournalExists()
    p.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    params = keys.kdf_params_from_env()
    data_key = keys.new_data_key()
    recovery = keys.new_recovery_key()
    pass_slot, _ = keys.wrap(data_key, passphrase, params)
    rec_slot, rec_derived = keys.wrap(data_key, recovery, params)
    keyring.set_key(data_key)
    try:
        call_command("migrate", interactive=False, verbosity=0)
        _save_recovery_secret(rec_derived, rec_slot["salt"])
        keys.KeyFile(kdf=params, passphrase=pass_slot, recovery=rec_slot).save(p.keyfile)
    except BaseException:
        keyring.forget()
        _close_connections()
        p.db.unlink(missing_ok=True)
        raise
    os.chmod(p.db, 0o600)
    return recovery


def _load_keyfile() -> keys.KeyFile:
    p = paths()
    if not p.keyfile.exists():
        raise NoJournal()
    return keys.KeyFile.load(p.keyfile)


def _opens(data_key: bytes) -> bool:
    """Whether this key opens the database file (read-only check)."""
    try:
        conn = open_raw(str(paths().db), data_key)
    except Exception:
        return False
    conn.close()
    return True


def _finish_pending_rekey(data_key: bytes, kf: keys.KeyFile, secret: str, slot: str) -> bytes:
    """Recover from a crash between re-keying the database and saving the key file."""
    p = paths()
    if _opens(data_key) or not p.pending_keyfile.exists():
        return data_key
    pending = keys.KeyFile.load(p.pending_keyfile)
    new_key, _ = keys.unwrap(getattr(pending, slot), secret, pending.kdf)
    if _opens(new_key):
        os.replace(p.pending_keyfile, p.keyfile)
        return new_key
    return data_key


def unlock(passphrase: str) -> None:
    """Unlock with the passphrase; a wrong one changes nothing."""
    kf = _load_keyfile()
    data_key, _ = keys.unwrap(kf.passphrase, passphrase, kf.kdf)
    data_key = _finish_pending_rekey(data_key, kf, passphrase, "passphrase")
    _open_and_migrate(data_key)


def unlock_with_recovery(recovery_key: str, new_passphrase: str) -> None:
    """Unlock with the recovery key and set a new passphrase (the recovery key stays valid)."""
    _check_passphrase(new_passphrase)
    kf = _load_keyfile()
    data_key, _ = keys.unwrap(kf.recovery, keys.normalise_recovery_key(recovery_key), kf.kdf)
    _open_and_migrate(data_key)
    rekey(new_passphrase)


def _open_and_migrate(data_key: bytes) -> None:
    keyring.set_key(data_key)
    try:
        _migrate_with_backup()
    except BaseException:
        keyring.forget()
        _close_connections()
        raise


def _migrate_with_backup() -> None:
    """Apply pending schema migrations, after an encrypted copy of the journal."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections["default"])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not plan:
        return
    if settings.DATABASES["default"]["ENGINE"] == "attunement.store.sqlcipher":
        copy_encrypted(paths().folder / "journal.before-migration.db")
    call_command("migrate", interactive=False, verbosity=0)


def lock() -> None:
    """Forget the key and close every connection this thread holds."""
    keyring.forget()
    _close_connections()


def verify_passphrase(passphrase: str) -> bytes:
    """The data key if the passphrase is right, else WrongPassphrase."""
    kf = _load_keyfile()
    data_key, _ = keys.unwrap(kf.passphrase, passphrase, kf.kdf)
    return data_key


def rekey(new_passphrase: str, old_passphrase: str | None = None) -> None:
    """Re-encrypt the journal under a new data key and a new passphrase.

    The recovery key stays valid: its wrap secret is kept inside the encrypted
    database. The new key file is written as ``keyfile.json.pending`` before
    SQLCipher re-keys the database, and moved into place after; unlocking
    finishes the job if the process stops in between.
    """
    _check_passphrase(new_passphrase)
    if old_passphrase is not None and verify_passphrase(old_passphrase) != keyring.require_key():
        raise WrongPassphrase()
    p = paths()
    params = keys.kdf_params_from_env()
    rec_derived, rec_salt = _load_recovery_secret()
    new_key = keys.new_data_key()
    pass_slot, _ = keys.wrap(new_key, new_passphrase, params)
    rec_slot = keys.wrap_with_secret(new_key, rec_derived, base64.b64decode(rec_salt))
    keys.KeyFile(kdf=params, passphrase=pass_slot, recovery=rec_slot).save(p.pending_keyfile)
    _close_connections()
    conn = open_raw(str(p.db), keyring.require_key())
    try:
        conn.execute(f"PRAGMA rekey = \"x'{new_key.hex()}'\"")
    finally:
        conn.close()
    os.replace(p.pending_keyfile, p.keyfile)
    keyring.set_key(new_key)


def _load_recovery_secret() -> tuple[bytes, str]:
    with connections["default"].cursor() as cur:
        cur.execute(f"SELECT value FROM {_META_TABLE} WHERE name = %s", ["recovery"])
        row = cur.fetchone()
    derived_hex, salt = row[0].split(":", 1)
    return bytes.fromhex(derived_hex), salt


def _save_recovery_secret(derived: bytes, salt: str) -> None:
    """Keep the recovery wrap secret inside the encrypted database.

    It lets a later re-key wrap the new data key under the same recovery key
    without asking for it; only someone who can already read the journal can read it.
    """
    with connections["default"].cursor() as cur:
        cur.execute(f"CREATE TABLE IF NOT EXISTS {_META_TABLE} (name TEXT PRIMARY KEY, value TEXT)")
        cur.execute(
            f"INSERT OR REPLACE INTO {_META_TABLE} (name, value) VALUES (%s, %s)",
            ["recovery", derived.hex() + ":" + salt],
        )


def copy_encrypted(target: Path, data_key: bytes | None = None) -> None:
    """Write an encrypted copy of the journal database (same key unless given)."""
    key = keyring.require_key()
    tmp = target.with_name(target.name + ".tmp")
    tmp.unlink(missing_ok=True)
    conn = open_raw(str(paths().db), key)
    try:
        target_key = data_key or key
        conn.execute(f"ATTACH DATABASE ? AS backup KEY \"x'{target_key.hex()}'\"", [str(tmp)])
        conn.execute("SELECT sqlcipher_export('backup')")
        conn.execute("DETACH DATABASE backup")
    finally:
        conn.close()
    os.replace(tmp, target)
    os.chmod(target, 0o600)


__all__ = [
    "copy_encrypted",
    "create",
    "exists",
    "key_pragma",
    "lock",
    "paths",
    "rekey",
    "unlock",
    "unlock_with_recovery",
]
