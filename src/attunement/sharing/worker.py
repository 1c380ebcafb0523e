"""The background sync thread that ``attune run`` starts.

Why a thread and not only "sync when a page loads": retries must happen at the time the
page promised ("will retry at 14:05") even if the person is only writing, and comments
should arrive without a click. The thread is cheap when there is nothing to do:

- while the journal is locked it does not touch the database (the key is gone);
- with no connection it reads one row and makes no network request;
- it closes its database connection after every pass, so locking leaves nothing open
  for longer than the pass under way, which checks the lock between items;
- saving a share wakes it at once (after the transaction commits).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from django.db import connections

from attunement.store import keyring
from attunement.store.errors import JournalLocked

log = logging.getLogger(__name__)
INTERVAL_SECONDS = 30.0
_wake = threading.Event()
_thread: threading.Thread | None = None
_start_lock = threading.Lock()


def nudge() -> None:
    """Something was queued: run a pass now rather than at the next tick."""
    _wake.set()


def run_once() -> float | None:
    """One pass, as the thread runs it: never raises, never runs while locked.

    Returns the seconds until the next retry falls due (None: nothing is waiting), so
    the thread wakes when the page said it would ("will retry at 14:05").
    """
    if not keyring.is_unlocked():
        return None
    try:
        from attunement.sharing import services

        services.sync(pull_comments="due")
        return services.seconds_until_due()
    except JournalLocked:
        return None  # locked in the middle of the pass: the next unlock resumes
    except Exception:
        # A surprise must not end the thread; the next pass tries again.
        log.exception("sharing: a sync pass failed")
        return None


class SyncThread(threading.Thread):
    """Runs a pass when nudged, every ``interval`` seconds, or when a retry falls due."""

    def __init__(self, interval: float = INTERVAL_SECONDS,
                 run: Callable[[], float | None] = run_once) -> None:
        super().__init__(name="attune-sharing-sync", daemon=True)
        self.interval = interval
        self._run_pass = run
        self._stopped = threading.Event()

    def run(self) -> None:
        wait = self.interval
        while not self._stopped.is_set():
            _wake.wait(wait)
            _wake.clear()
            if self._stopped.is_set():
                break
            try:
                due = self._run_pass()
            finally:
                connections.close_all()  # this thread's own: nothing stays open after a pass
            wait = self.interval if due is None else min(self.interval, max(1.0, due))

    def stop(self) -> None:
        self._stopped.set()
        _wake.set()


def start_sync_thread(interval: float = INTERVAL_SECONDS) -> threading.Thread:
    """Start the thread once per process (a daemon: it ends with the app)."""
    global _thread
    with _start_lock:
        if _thread is None or not _thread.is_alive():
            _thread = SyncThread(interval)
            _thread.start()
        return _thread
