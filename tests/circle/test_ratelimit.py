"""The rate limits themselves: exact under parallel requests, and IPv6 counted by /64.

Review finding 6: counting then inserting inside each request's transaction let
parallel requests all find room. Finding 8: one IPv6 connection holds a whole /64, so
counting single addresses let one person step around every per-address limit.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from django.db import connection, transaction
from django.test import Client, RequestFactory

from attunement.circle import ratelimit
from attunement.circle.models import RateEvent, User
from tests.circle.conftest import PASSWORD

# --- parallel attempts ------------------------------------------------------------------

WORKERS = 12
LIMIT = 4


def _in_parallel(attempt: Callable[[], bool]) -> list[bool]:
    """Run ``attempt`` in WORKERS threads released at once, each on its own database
    connection and in its own transaction (as a request is); the verdicts."""
    start = threading.Barrier(WORKERS)
    verdicts: list[bool] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            start.wait(timeout=30)
            with transaction.atomic():
                verdicts.append(attempt())
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert len(verdicts) == WORKERS
    return verdicts


class SlowCount:
    """Widens the gap between counting and recording, where parallel requests slipped
    through (without the lock every thread counts before any records), and notes how
    many attempts were inside that gap at once."""

    def __init__(self) -> None:
        self.inside = 0
        self.peak = 0
        self._lock = threading.Lock()

    def wrap(self, real: Callable[..., object]) -> Callable[..., object]:
        def counted_slowly(*args: object, **kwargs: object) -> object:
            found = real(*args, **kwargs)
            with self._lock:
                self.inside += 1
                self.peak = max(self.peak, self.inside)
            time.sleep(0.2)
            with self._lock:
                self.inside -= 1
            return found

        return counted_slowly


@pytest.fixture
def slow_count(monkeypatch: pytest.MonkeyPatch) -> SlowCount:
    slow = SlowCount()
    monkeypatch.setattr(ratelimit, "_recent", slow.wrap(ratelimit._recent))
    monkeypatch.setitem(ratelimit.LIMITS, "comment", (LIMIT, 300))
    return slow


@pytest.mark.django_db(transaction=True)
def test_parallel_attempts_cannot_exceed_the_limit(slow_count: SlowCount) -> None:
    verdicts = _in_parallel(lambda: ratelimit.check("comment", "user:7").allowed)
    assert verdicts.count(True) == LIMIT
    assert RateEvent.objects.filter(scope="comment", key="user:7").count() == LIMIT
    assert slow_count.peak == 1  # one attempt at a time under one key


@pytest.mark.django_db(transaction=True)
def test_the_lock_is_per_key(slow_count: SlowCount) -> None:
    """Different people do not queue behind each other's limit."""
    keys = iter(f"user:{i}" for i in range(WORKERS))
    lock = threading.Lock()

    def attempt() -> bool:
        with lock:
            key = next(keys)
        return ratelimit.check("comment", key).allowed

    assert _in_parallel(attempt) == [True] * WORKERS
    assert slow_count.peak > 1


@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_passwords_cannot_exceed_the_address_limit(
        slow_count: SlowCount, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same through the sign-in page, each request in its own transaction."""
    monkeypatch.setitem(ratelimit.LIMITS, "login", (LIMIT, 900))
    user = User(username="writer", display_name="Lantern")
    user.set_password(PASSWORD)
    user.save()

    def attempt() -> bool:
        response = Client().post("/login", {"username": "writer", "password": "wrong one here"},
                                 REMOTE_ADDR="198.51.100.9")
        return response.status_code == 400

    assert _in_parallel(attempt).count(True) == LIMIT


# --- which address a limit counts ---------------------------------------------------------


@pytest.mark.parametrize(("address", "key"), [
    ("203.0.113.7", "203.0.113.7"),
    ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"),
    ("2001:db8:1:2::1", "2001:db8:1:2::/64"),
    ("2001:DB8:1:2:0:0:0:FFFF", "2001:db8:1:2::/64"),
    ("2001:db8:1:3::1", "2001:db8:1:3::/64"),
    ("fe80::1%eth0", "fe80::/64"),
    ("::ffff:203.0.113.7", "203.0.113.7"),
    ("::1", "::/64"),
    ("unknown", "unknown"),
    ("not an address", "not an address"),
])
def test_address_key(address: str, key: str) -> None:
    assert ratelimit.address_key(address) == key


def test_ipv6_visitors_are_counted_by_their_64(db) -> None:  # type: ignore[no-untyped-def]
    factory = RequestFactory()
    one = factory.get("/", REMOTE_ADDR="2001:db8:5:6::1")
    other = factory.get("/", REMOTE_ADDR="2001:db8:5:6:ffff::9")
    behind_proxy = factory.get("/", REMOTE_ADDR="127.0.0.1",
                               HTTP_X_REAL_IP="2001:db8:5:6:1234::77")
    assert {ratelimit.client_address(r) for r in (one, other, behind_proxy)} == {
        "2001:db8:5:6::/64"}


def test_stepping_through_a_64_does_not_escape_the_sign_in_limit(client: Client,
                                                                 writer: User) -> None:
    limit = ratelimit.LIMITS["login"][0]
    for i in range(limit):
        response = client.post("/login", {"username": f"n{i}", "password": "wrong guess"},
                               REMOTE_ADDR=f"2001:db8:9:9::{i + 1:x}")
        assert response.status_code == 400
    blocked = client.post("/login", {"username": "writer", "password": PASSWORD},
                          REMOTE_ADDR="2001:db8:9:9:abcd::1")
    assert blocked.status_code == 429
    neighbour = client.post("/login", {"username": "writer", "password": PASSWORD},
                            REMOTE_ADDR="2001:db8:9:a::1")
    assert neighbour.status_code == 302
