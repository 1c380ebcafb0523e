"""The background sync thread: idle while locked or unconnected, never dies, wakes on time."""

from __future__ import annotations

import threading

import pytest

from attunement.sharing import services, worker
from attunement.sharing.models import Connection
from attunement.sharing.outbox import queue_put
from attunement.store import keyring
from attunement.store.errors import JournalLocked

pytestmark = pytest.mark.django_db


def _never(**kwargs: object) -> None:
    raise AssertionError("sync ran")


def test_locked_means_no_pass_and_no_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keyring, "is_unlocked", lambda: False)
    monkeypatch.setattr(services, "sync", _never)
    monkeypatch.setattr(services, "current", _never)
    assert worker.run_once() is None


def test_not_connected_means_nothing_waits() -> None:
    assert worker.run_once() is None


def test_a_due_item_asks_to_be_woken_at_once(connected: Connection, closed_url: str) -> None:
    connected.server_url = closed_url
    connected.save()
    queue_put("posts", "entry-1", {"v": 1})
    due = worker.run_once()  # tries, fails (nothing listens), backs off 30 s
    assert due is not None and 25 < due <= 30


def test_a_lock_during_the_pass_is_not_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def locked(**kwargs: object) -> None:
        raise JournalLocked()

    monkeypatch.setattr(services, "sync", locked)
    assert worker.run_once() is None


def test_a_surprise_is_logged_and_the_thread_goes_on(monkeypatch: pytest.MonkeyPatch,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    def broken(**kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(services, "sync", broken)
    assert worker.run_once() is None
    assert "sharing: a sync pass failed" in caplog.text


def test_the_thread_runs_when_nudged_and_stops() -> None:
    calls = threading.Semaphore(0)

    def counted() -> float | None:
        calls.release()
        return None

    thread = worker.SyncThread(interval=60, run=counted)
    thread.start()
    try:
        worker.nudge()
        assert calls.acquire(timeout=10)
    finally:
        thread.stop()
        thread.join(timeout=10)
    assert not thread.is_alive()


def test_the_thread_wakes_when_a_retry_falls_due() -> None:
    calls = threading.Semaphore(0)

    def due_in_a_second() -> float | None:
        calls.release()
        return 0.0  # at least a second apart, never a busy loop

    thread = worker.SyncThread(interval=60, run=due_in_a_second)
    thread.start()
    try:
        worker.nudge()
        assert calls.acquire(timeout=10) and calls.acquire(timeout=10)
    finally:
        thread.stop()
        thread.join(timeout=10)
