"""Rate limits shared by every worker process (counted in the database).

``check(scope, key, limit, window)`` records one attempt and says whether it is allowed;
callers answer 429 (JSON API) or a page saying when to try again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from attunement.circle.models import RateEvent

# scope -> (attempts, window in seconds)
LIMITS: dict[str, tuple[int, int]] = {
    "login": (10, 15 * 60),  # per address and per account name
    "invite": (30, 60 * 60),  # invitation links made by one owner
    "invite_open": (30, 15 * 60),  # invitation tokens tried from one address
    "comment": (30, 5 * 60),  # comments and replies by one person
    "connect": (10, 15 * 60),  # connection codes tried from one address
    "api": (600, 60),  # API calls by one device
}


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int  # seconds until the oldest counted attempt leaves the window


def check(scope: str, key: str, *, record: bool = True) -> Verdict:
    """Count one attempt by ``key`` in ``scope``; refuse once the window's limit is reached."""
    limit, window = LIMITS[scope]
    now = timezone.now()
    since = now - timedelta(seconds=window)
    recent = RateEvent.objects.filter(scope=scope, key=key[:128], at__gt=since)
    count = recent.count()
    if count >= limit:
        oldest = recent.order_by("at").values_list("at", flat=True).first() or now
        wait = max(1, int((oldest + timedelta(seconds=window) - now).total_seconds()) + 1)
        return Verdict(False, wait)
    if record:
        RateEvent.objects.create(scope=scope, key=key[:128], at=now)
        if count == 0:  # now and then, forget attempts older than any window
            RateEvent.objects.filter(at__lt=now - timedelta(days=1)).delete()
    return Verdict(True, 0)


def reset(scope: str, key: str) -> None:
    """Forget the attempts (a successful sign-in clears the failures before it)."""
    RateEvent.objects.filter(scope=scope, key=key[:128]).delete()


def client_address(request: object) -> str:
    """The address a limit is keyed on: REMOTE_ADDR, or the proxy's X-Real-IP.

    Behind the reference nginx proxy (docs/circle.md) every request reaches gunicorn
    from 127.0.0.1, so the proxy's X-Real-IP names the person; it is believed only from
    a loopback peer, where nobody else can set it.
    """
    meta = getattr(request, "META", {})
    peer = str(meta.get("REMOTE_ADDR") or "unknown")
    forwarded = str(meta.get("HTTP_X_REAL_IP") or "").strip()
    if forwarded and peer in ("127.0.0.1", "::1"):
        return forwarded[:64]
    return peer
