"""Errors of the encrypted store, with the words a person needs."""

from __future__ import annotations

from pathlib import Path

from attunement.errors import AttuneError


class JournalLocked(AttuneError):
    http_status = 423
    exit_code = 4
    message = "The journal is locked. Unlock it with your passphrase to go on."


class WrongPassphrase(AttuneError):
    exit_code = 5
    message = (
        "That passphrase does not open this journal. Nothing was changed; "
        "check for caps lock and try again, or use your recovery key."
    )


class NoJournal(AttuneError):
    exit_code = 6
    message = "There is no journal here yet. Create one with `attune init` or open the app."


class JournalExists(AttuneError):
    exit_code = 7
    message = "A journal already exists in this folder; nothing was overwritten."


class KeyFileError(AttuneError):
    exit_code = 8

    _why = {
        "missing": "The key file of this journal is missing: {path}. Restore it from a backup.",
        "unreadable": "The key file {path} is damaged or not an Attunement key file. "
        "Nothing was changed; restore it from a backup.",
        "version": "The key file {path} was written by a newer version of Attunement. "
        "Update the app to open it.",
    }

    def __init__(self, why: str, path: Path) -> None:
        super().__init__(self._why[why].format(path=path))


class WeakPassphrase(AttuneError):
    message = "Please choose a passphrase of at least 8 characters."
