"""Encrypted backups: one file that only the journal's passphrase opens.

Layout, version 1: a zip (stored, not compressed: the content is ciphertext) with
``attunement-backup.json`` ({"format": "attunement-backup", "version": 1,
"created": ISO time}), ``keyfile.json`` (the journal's key file) and
``journal.db`` (an SQLCipher copy made with ``sqlcipher_export`` under the same
data key). Nothing in it is readable without the passphrase or recovery key.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

from attunement.errors import AttuneError
from attunement.store import journal, keyring, keys
from attunement.store.errors import WrongPassphrase
from attunement.store.sqlcipher.base import open_raw

BACKUP_FORMAT = "attunement-backup"
BACKUP_VERSION = 1
MAX_BACKUP_BYTES = 8 * 1024**3


class BadBackup(AttuneError):
    exit_code = 9

    def __init__(self, why: str) -> None:
        super().__init__(f"This backup cannot be restored: {why}. Nothing was changed.")


def create_backup(target: Path) -> Path:
    """Write an encrypted backup of the unlocked journal to ``target`` (atomically)."""
    keyring.require_key()
    p = journal.paths()
    target = target.expanduser().resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        db_copy = Path(tmp) / "journal.db"
        journal.copy_encrypted(db_copy)
        manifest = {
            "format": BACKUP_FORMAT,
            "version": BACKUP_VERSION,
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        partial = Path(tmp) / "backup.partial"
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_STORED) as zf:
            zf.writestr("attunement-backup.json", json.dumps(manifest) + "\n")
            zf.write(p.keyfile, "keyfile.json")
            zf.write(db_copy, "journal.db")
        os.chmod(partial, 0o600)
        os.replace(partial, target)
    return target


def restore_backup(source: Path, passphrase: str) -> Path | None:
    """Replace the journal with a backup after checking its passphrase (or recovery key) opens it.

    The backup holds the key file of the journal it was made from, so the recovery key
    written down when that journal was created opens it too (then unlock with the
    recovery key to choose a new passphrase).

    The journal being replaced is kept beside it as ``journal.db.before-restore``
    (with its key file), so a restore is never the only copy of anything.
    Returns the folder of that kept copy, if there was a journal.
    """
    if not source.is_file():
        raise BadBackup("the file does not exist")
    if source.stat().st_size > MAX_BACKUP_BYTES:
        raise BadBackup("the file is far larger than any journal")
    p = journal.paths()
    p.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    with tempfile.TemporaryDirectory(dir=p.folder) as tmp:
        keyfile, db = _unpack(source, Path(tmp))
        kf = keys.KeyFile.load(keyfile)
        data_key = _open_with(kf, passphrase)
        try:
            open_raw(str(db), data_key).close()
        except Exception as exc:
            raise BadBackup("its database does not open with its own key") from exc
        journal.lock()
        kept = None
        if p.db.exists():
            kept = p.folder / "before-restore"
            if kept.exists():
                shutil.rmtree(kept)
            kept.mkdir(mode=0o700)
            os.replace(p.db, kept / journal.DB_NAME)
            if p.keyfile.exists():
                shutil.copy2(p.keyfile, kept / journal.KEYFILE_NAME)
        os.replace(db, p.db)
        os.replace(keyfile, p.keyfile)
        os.chmod(p.db, 0o600)
        os.chmod(p.keyfile, 0o600)
    return kept


def _open_with(kf: keys.KeyFile, secret: str) -> bytes:
    """The data key from the passphrase slot, else from the recovery slot."""
    try:
        return keys.unwrap(kf.passphrase, secret, kf.kdf)[0]
    except WrongPassphrase:
        recovery = keys.normalise_recovery_key(secret)
        if len(recovery) != 39:  # eight groups of four: not a recovery key, say so as before
            raise
        return keys.unwrap(kf.recovery, recovery, kf.kdf)[0]


def _unpack(source: Path, into: Path) -> tuple[Path, Path]:
    try:
        with zipfile.ZipFile(source) as zf:
            names = set(zf.namelist())
            need = {"attunement-backup.json", "keyfile.json", "journal.db"}
            if not need <= names:
                raise BadBackup("it is not an Attunement backup (files are missing)")
            manifest = json.loads(zf.read("attunement-backup.json"))
            if manifest.get("format") != BACKUP_FORMAT:
                raise BadBackup("it is not an Attunement backup")
            if manifest.get("version") != BACKUP_VERSION:
                raise BadBackup("it was made by a newer version of Attunement")
            for name in ("keyfile.json", "journal.db"):
                with zf.open(name) as src, open(into / name, "wb") as dst:
                    shutil.copyfileobj(src, dst)
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise BadBackup("the file is damaged or not a backup") from exc
    return into / "keyfile.json", into / "journal.db"
