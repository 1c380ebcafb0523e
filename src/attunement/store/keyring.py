"""The one place the unlocked data key lives, and the idle clock.

Process-wide on purpose: Attunement's local profile serves one person on one
machine. Locking forgets the key, so no new connection can open until the
passphrase is given again.
"""

from __future__ import annotations

import hmac
import secrets
import sys
import threading
import time

from attunement.store.errors import JournalLocked

_lock = threading.Lock()
_data_key: bytes | None = None
_browser_token: str = ""
_last_activity: float = 0.0


def set_key(data_key: bytes) -> None:
    """Remember the data key after a successful unlock (and start a new browser token)."""
    global _data_key, _last_activity, _browser_token
    with _lock:
        _data_key = data_key
        _browser_token = secrets.token_urlsafe(32)
        _last_activity = time.monotonic()


def forget() -> None:
    """Forget the key (lock), and the sentences kept in memory for speed."""
    global _data_key, _browser_token
    with _lock:
        _data_key = None
        _browser_token = ""
    embedder = sys.modules.get("attunement.analysis.embed")
    if embedder is not None:
        embedder.forget_recent()


def browser_token() -> str:
    """The token a browser holds after unlocking; other local programs don't have it."""
    return _browser_token


def token_matches(candidate: object) -> bool:
    """Whether a browser's token is the one issued at this unlock."""
    token = _browser_token
    return bool(token) and isinstance(candidate, str) and hmac.compare_digest(candidate, token)


def is_unlocked() -> bool:
    """Whether a key is held."""
    return _data_key is not None


def require_key() -> bytes:
    """The data key, or JournalLocked."""
    key = _data_key
    if key is None:
        raise JournalLocked()
    return key


def touch() -> None:
    """Note activity, for the idle timeout."""
    global _last_activity
    _last_activity = time.monotonic()


def idle_seconds() -> float:
    """Seconds since the last activity."""
    return time.monotonic() - _last_activity


def forget_if_idle(limit_seconds: float) -> bool:
    """Forget the key if nothing happened for ``limit_seconds``; True if it did."""
    if is_unlocked() and idle_seconds() > limit_seconds:
        forget()
        return True
    return False


def start_idle_watch(limit_seconds: float, every: float = 15.0) -> threading.Thread:
    """Forget the key after the idle limit even when no request comes in.

    Connections close at the end of each request, so forgetting the key is
    enough: nothing can open the database again without the passphrase.
    """
    stop = threading.Event()

    def watch() -> None:
        while not stop.wait(every):
            forget_if_idle(limit_seconds)

    thread = threading.Thread(target=watch, name="attune-idle-lock", daemon=True)
    thread.start()
    return thread
