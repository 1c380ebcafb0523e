"""The key file: wrapping, a wrong passphrase, tampering, versions."""

from __future__ import annotations

from pathlib import Path

import pytest

from attunement.store import keys
from attunement.store.errors import KeyFileError, WrongPassphrase

FAST = keys.KdfParams(time_cost=1, memory_cost=8192, parallelism=1)


def test_wrap_then_unwrap_returns_the_data_key() -> None:
    data_key = keys.new_data_key()
    slot, _ = keys.wrap(data_key, "a long passphrase", FAST)
    assert keys.unwrap(slot, "a long passphrase", FAST)[0] == data_key


def test_wrong_passphrase_is_refused() -> None:
    slot, _ = keys.wrap(keys.new_data_key(), "a long passphrase", FAST)
    with pytest.raises(WrongPassphrase):
        keys.unwrap(slot, "a long passphrasE", FAST)


def test_tampered_slot_is_refused() -> None:
    slot, _ = keys.wrap(keys.new_data_key(), "pw pw pw pw", FAST)
    raw = bytearray(keys._unb64(slot["wrapped"]))
    raw[0] ^= 1
    slot["wrapped"] = keys._b64(bytes(raw))
    with pytest.raises(WrongPassphrase):
        keys.unwrap(slot, "pw pw pw pw", FAST)


def test_two_wraps_of_one_key_look_unrelated() -> None:
    data_key = keys.new_data_key()
    a, _ = keys.wrap(data_key, "same", FAST)
    b, _ = keys.wrap(data_key, "same", FAST)
    assert a["wrapped"] != b["wrapped"] and a["salt"] != b["salt"]


def test_recovery_key_is_normalised() -> None:
    key = keys.new_recovery_key()
    assert len(key) == 39 and key.count("-") == 7
    assert keys.normalise_recovery_key(key.lower().replace("-", " ")) == key


def test_keyfile_round_trip(tmp_path: Path) -> None:
    slot, _ = keys.wrap(keys.new_data_key(), "pw", FAST)
    kf = keys.KeyFile(kdf=FAST, passphrase=slot, recovery=slot)
    kf.save(tmp_path / "k.json")
    assert keys.KeyFile.load(tmp_path / "k.json") == kf


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("not json", "is damaged or not an Attunement key file"),
        ('{"format": "other"}', "is damaged or not an Attunement key file"),
        ('{"format": "attunement-keyfile", "version": 99}', "written by a newer version"),
        ('{"format": "attunement-keyfile", "version": 1, "kdf": {}}', "is damaged"),
    ],
)
def test_bad_keyfiles_have_clear_messages(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "keyfile.json"
    path.write_text(content)
    with pytest.raises(KeyFileError) as info:
        keys.KeyFile.load(path)
    assert expected in info.value.message


def test_missing_keyfile(tmp_path: Path) -> None:
    with pytest.raises(KeyFileError) as info:
        keys.KeyFile.load(tmp_path / "nope.json")
    assert "is missing" in info.value.message


def test_idle_watch_forgets_the_key() -> None:
    from attunement.store import keyring

    keyring.set_key(b"k" * 32)
    assert not keyring.forget_if_idle(3600)
    assert keyring.is_unlocked()
    assert keyring.forget_if_idle(-1)
    assert not keyring.is_unlocked()
