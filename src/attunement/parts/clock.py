"""The one place the parts pages read the time, so tests can set it.

Services never call this: they take ``now``. Views call :func:`now` and pass it on;
a test replaces ``attunement.parts.clock.now`` (monkeypatch) to move time.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def now() -> dt.datetime:
    """The current time, timezone-aware."""
    return timezone.now()
