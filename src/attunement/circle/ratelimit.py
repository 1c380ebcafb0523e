"""Rate limits shared by every worker process (counted in the database).

``check(scope, key)`` records one attempt and says whether it is allowed; callers answer
429 (JSON API) or a page saying when to try again.

Counting and recording happen under a PostgreSQL advisory lock on ``scope:key`` that
lasts until the request's transaction ends (the circle server runs every request in one
transaction and on PostgreSQL only). Without it, parallel requests would each count the
same attempts, all find room, and all get through: the limit would overshoot by as many
requests as arrive at once. With it, attempts under one key queue for the lock, and each
one counts the attempts committed before it.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from attunement.circle.models import RateEvent

# scope -> (attempts, window in seconds)
LIMITS: dict[str, tuple[int, int]] = {
    "login": (10, 15 * 60),  # sign-in attempts from one address
    "login_name": (100, 15 * 60),  # sign-in attempts at one account name, from anywhere
    "invite": (30, 60 * 60),  # invitation links made by one owner
    "invite_open": (30, 15 * 60),  # invitation tokens tried from one address
    "comment": (30, 5 * 60),  # comments and replies by one person
    "react": (60, 5 * 60),  # reactions switched on or off by one person
    "connect": (10, 15 * 60),  # connection codes tried from one address
    "api": (600, 60),  # API calls by one device
    "publish": (120, 60 * 60),  # posts, check-ins and notes sent by one writer
}
IPV6_PREFIX = 64  # one person's connection usually holds a whole /64


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int  # seconds until the oldest counted attempt leaves the window


def _lock(name: str) -> None:
    """Wait for the transaction-long advisory lock on ``name`` (released at commit)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [name])


def _recent(scope: str, key: str, since: datetime) -> tuple[int, datetime | None]:
    """How many attempts ``key`` made in ``scope`` after ``since``, and the oldest one."""
    recent = RateEvent.objects.filter(scope=scope, key=key, at__gt=since)
    count = recent.count()
    oldest = recent.order_by("at").values_list("at", flat=True).first() if count else None
    return count, oldest


def check(scope: str, key: str, *, record: bool = True) -> Verdict:
    """Count one attempt by ``key`` in ``scope``; refuse once the window's limit is reached."""
    limit, window = LIMITS[scope]
    key = key[:128]
    with transaction.atomic():
        _lock(f"{scope}:{key}")
        now = timezone.now()
        count, oldest = _recent(scope, key, now - timedelta(seconds=window))
        if count >= limit:
            first = oldest or now
            wait = max(1, int((first + timedelta(seconds=window) - now).total_seconds()) + 1)
            return Verdict(False, wait)
        if record:
            RateEvent.objects.create(scope=scope, key=key, at=now)
            if count == 0:  # now and then, forget attempts older than any window
                RateEvent.objects.filter(at__lt=now - timedelta(days=1)).delete()
    return Verdict(True, 0)


def reset(scope: str, key: str) -> None:
    """Forget the attempts (a successful sign-in clears the failures before it)."""
    RateEvent.objects.filter(scope=scope, key=key[:128]).delete()


def address_key(address: str) -> str:
    """The part of an address a limit counts: an IPv4 address whole, IPv6 by its /64.

    An IPv6 connection is usually given a whole /64 network, so one person can change
    the last 64 bits at will; counting each address apart would let them step around
    every per-address limit. An IPv4 address written as IPv6 (``::ffff:a.b.c.d``) counts
    as that IPv4 address. Anything that is not an address is kept as it is.
    """
    try:
        ip = ipaddress.ip_address(address.strip().split("%", 1)[0])
    except ValueError:
        return address[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, IPV6_PREFIX), strict=False))
    return str(ip)


def client_address(request: object) -> str:
    """The address a limit is keyed on: REMOTE_ADDR, or the proxy's X-Real-IP (by /64
    for IPv6, see :func:`address_key`).

    Behind the reference nginx proxy (docs/circle.md) every request reaches gunicorn
    from 127.0.0.1, so the proxy's X-Real-IP names the person; it is believed only from
    a loopback peer, where nobody else can set it.
    """
    meta = getattr(request, "META", {})
    peer = str(meta.get("REMOTE_ADDR") or "unknown")
    forwarded = str(meta.get("HTTP_X_REAL_IP") or "").strip()
    if forwarded and peer in ("127.0.0.1", "::1"):
        return address_key(forwarded[:64])
    return address_key(peer)
