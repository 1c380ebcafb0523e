"""Key derivation and the key file of an encrypted journal.

The journal database is encrypted by SQLCipher with a random 256-bit *data key*.
The data key never touches disk in the clear: the key file next to the database
holds it twice, wrapped, once under the passphrase and once under the recovery
key. Each wrap derives a 64-byte secret with Argon2id from (secret, salt); the
first half keys an HMAC-SHA256 stream that is XORed with the data key, the second
half keys an HMAC-SHA256 tag over the data key. A wrong passphrase fails the tag
check before the database is ever opened, so it cannot damage the file.

Key file layout, version 1 (JSON, written atomically)::

    {"format": "attunement-keyfile", "version": 1,
     "kdf": {"name": "argon2id", "time_cost": 3, "memory_cost": 65536, "parallelism": 2},
     "passphrase": {"salt": b64, "nonce": b64, "wrapped": b64, "tag": b64},
     "recovery":   {"salt": b64, "nonce": b64, "wrapped": b64, "tag": b64}}
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from argon2.low_level import Type, hash_secret_raw

from attunement.io.atomic import atomic_write
from attunement.store.errors import KeyFileError, WrongPassphrase

KEYFILE_FORMAT = "attunement-keyfile"
KEYFILE_VERSION = 1
DATA_KEY_BYTES = 32
_RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost settings, stored in the key file so they can change later."""

    time_cost: int = 3
    memory_cost: int = 65536  # KiB: 64 MiB
    parallelism: int = 2
    name: str = "argon2id"


def kdf_params_from_env() -> KdfParams:
    """Cost settings for new key files; tests lower them through the environment."""
    if os.environ.get("ATTUNE_KDF_FAST") == "1":
        return KdfParams(time_cost=1, memory_cost=8192, parallelism=1)
    return KdfParams()


def derive(secret: str, salt: bytes, params: KdfParams) -> bytes:
    """Argon2id of the secret: 64 bytes (32 to wrap, 32 to authenticate)."""
    return hash_secret_raw(
        secret.encode("utf-8"),
        salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_cost,
        parallelism=params.parallelism,
        hash_len=64,
        type=Type.ID,
    )


def _stream(wrap_key: bytes, nonce: bytes) -> bytes:
    return hmac.new(wrap_key, b"attunement-wrap" + nonce, hashlib.sha256).digest()


def _tag(auth_key: bytes, nonce: bytes, data_key: bytes) -> bytes:
    return hmac.new(auth_key, b"attunement-tag" + nonce + data_key, hashlib.sha256).digest()


def _b64(b: bytes) -> str:
    return base64.b64encode(b).decode("ascii")


def _unb64(s: str) -> bytes:
    return base64.b64decode(s.encode("ascii"), validate=True)


def wrap_with_secret(data_key: bytes, derived: bytes, salt: bytes) -> dict[str, str]:
    """Wrap the data key under an already derived secret (fresh nonce each time)."""
    nonce = secrets.token_bytes(16)
    wrapped = bytes(a ^ b for a, b in zip(data_key, _stream(derived[:32], nonce), strict=True))
    return {
        "salt": _b64(salt),
        "nonce": _b64(nonce),
        "wrapped": _b64(wrapped),
        "tag": _b64(_tag(derived[32:], nonce, data_key)),
    }


def wrap(data_key: bytes, secret: str, params: KdfParams) -> tuple[dict[str, str], bytes]:
    """Wrap the data key under a secret; returns the slot and the derived secret."""
    salt = secrets.token_bytes(16)
    derived = derive(secret, salt, params)
    return wrap_with_secret(data_key, derived, salt), derived


def unwrap_with_derived(slot: dict[str, str], derived: bytes) -> bytes:
    """Recover the data key from a slot with the derived secret, or raise WrongPassphrase."""
    nonce, wrapped = _unb64(slot["nonce"]), _unb64(slot["wrapped"])
    data_key = bytes(a ^ b for a, b in zip(wrapped, _stream(derived[:32], nonce), strict=True))
    if not hmac.compare_digest(_tag(derived[32:], nonce, data_key), _unb64(slot["tag"])):
        raise WrongPassphrase()
    return data_key


def unwrap(slot: dict[str, str], secret: str, params: KdfParams) -> tuple[bytes, bytes]:
    """Recover the data key with the secret; returns (data_key, derived)."""
    derived = derive(secret, _unb64(slot["salt"]), params)
    return unwrap_with_derived(slot, derived), derived


def new_data_key() -> bytes:
    """A fresh random key for the database."""
    return secrets.token_bytes(DATA_KEY_BYTES)


def new_recovery_key() -> str:
    """160 random bits as eight groups of four easy-to-copy characters."""
    chars = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(32))
    return "-".join(chars[i : i + 4] for i in range(0, 32, 4))


def normalise_recovery_key(text: str) -> str:
    """Accept the recovery key typed with spaces, lower case or no dashes."""
    chars = "".join(c for c in text.upper() if c.isalnum())
    return "-".join(chars[i : i + 4] for i in range(0, len(chars), 4))


@dataclass
class KeyFile:
    """The parsed key file."""

    kdf: KdfParams
    passphrase: dict[str, str]
    recovery: dict[str, str]

    def to_json(self) -> str:
        doc: dict[str, Any] = {
            "format": KEYFILE_FORMAT,
            "version": KEYFILE_VERSION,
            "kdf": asdict(self.kdf),
            "passphrase": self.passphrase,
            "recovery": self.recovery,
        }
        return json.dumps(doc, indent=2, sort_keys=True) + "\n"

    def save(self, path: Path) -> None:
        atomic_write(path, self.to_json())

    @classmethod
    def load(cls, path: Path) -> KeyFile:
        try:
            doc = json.loads(path.read_text("utf-8"))
        except FileNotFoundError as exc:
            raise KeyFileError("missing", path) from exc
        except (OSError, ValueError) as exc:
            raise KeyFileError("unreadable", path) from exc
        if not isinstance(doc, dict) or doc.get("format") != KEYFILE_FORMAT:
            raise KeyFileError("unreadable", path)
        if doc.get("version") != KEYFILE_VERSION:
            raise KeyFileError("version", path)
        try:
            kdf = dict(doc["kdf"])
            params = KdfParams(**kdf)
            return cls(
                kdf=params, passphrase=dict(doc["passphrase"]), recovery=dict(doc["recovery"])
            )
        except (KeyError, TypeError) as exc:
            raise KeyFileError("unreadable", path) from exc
