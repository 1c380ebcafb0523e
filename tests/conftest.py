"""Shared fixtures: a fast key derivation, a test journal key, a journal folder per test.

The suite runs on the encrypted SQLite backend by default and on PostgreSQL when
DATABASE_URL points at one (``make test`` runs both).
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("ATTUNE_KDF_FAST", "1")

# In CI, hypothesis draws the same examples every run, so a landing never hangs on a
# new random draw; locally it keeps exploring (what it finds becomes a fixed test).
from hypothesis import settings as _hypothesis_settings

_hypothesis_settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    _hypothesis_settings.load_profile("ci")
_SESSION_DIR = Path(tempfile.mkdtemp(prefix="attune-tests-"))
TEST_PASSPHRASE = "correct horse battery"


_TESTS_DIR = Path(__file__).resolve().parent
_CIRCLE_PROFILE = os.environ.get("ATTUNE_PROFILE") == "circle"


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """tests/circle runs under the circle profile (its own pytest run); the rest locally."""
    try:
        rel = collection_path.resolve().relative_to(_TESTS_DIR)
    except ValueError:
        return None
    if not rel.parts or rel.parts == ("conftest.py",) or rel.parts == ("__init__.py",):
        return None
    in_circle = rel.parts[0] == "circle"
    return True if in_circle != _CIRCLE_PROFILE else None


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    if not settings.HOSTED:
        from django.db import connections

        # The whole suite's database is a real encrypted file, not an in-memory one.
        connections["default"].settings_dict["TEST"]["NAME"] = str(_SESSION_DIR / "test.db")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from django.conf import settings

    if settings.HOSTED:
        skip = pytest.mark.skip(reason="local profile only (passphrase lock)")
        for item in items:
            if "local_only" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def _journal_key() -> bytes:
    """The data key the test database is encrypted with."""
    from attunement.store import keyring

    key = secrets.token_bytes(32)
    keyring.set_key(key)
    return key


@pytest.fixture(autouse=True)
def _unlocked(_journal_key: bytes, settings, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Every test starts unlocked, with ATTUNE_HOME in its own folder."""
    from attunement.store import keyring

    settings.ATTUNE_HOME = tmp_path / "home"
    keyring.set_key(_journal_key)
    yield
    keyring.set_key(_journal_key)


@pytest.fixture
def journal_home(settings, tmp_path: Path, _journal_key: bytes) -> Path:  # type: ignore[no-untyped-def]
    """Make the test database look like a created journal (a key file for its key).

    Lets pages that check for a journal (middleware, unlock) run against the test
    database with TEST_PASSPHRASE.
    """
    from attunement.store import keys

    home = Path(settings.ATTUNE_HOME)
    home.mkdir(parents=True, exist_ok=True)
    params = keys.kdf_params_from_env()
    pass_slot, _ = keys.wrap(_journal_key, TEST_PASSPHRASE, params)
    rec_slot, _ = keys.wrap(_journal_key, "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH", params)
    keys.KeyFile(kdf=params, passphrase=pass_slot, recovery=rec_slot).save(home / "keyfile.json")
    return home


def unlocked_client():  # type: ignore[no-untyped-def]
    """A test client holding this unlock's browser token, as after the unlock page."""
    from django.conf import settings
    from django.test import Client

    from attunement.store import keyring
    from attunement.web.middleware import UNLOCK_SESSION_KEY

    client = Client()
    session = client.session
    session[UNLOCK_SESSION_KEY] = keyring.browser_token()
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    return client


@pytest.fixture
def client(journal_home):  # type: ignore[no-untyped-def]
    """The app as the person who unlocked it sees it."""
    return unlocked_client()


@pytest.fixture
def hosted(settings):  # type: ignore[no-untyped-def]
    return settings.HOSTED
