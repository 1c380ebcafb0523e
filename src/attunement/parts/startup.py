"""Carry out due deletions as pages load (the journal is closed at startup itself).

Connected to Django's ``request_started`` in ``apps.py``. It runs only while the
journal is open, and at most once a minute per process: a due deletion waits at
most that long after its due time, and ordinary page loads cost nothing extra.
The CLI's ``attune parts`` commands call ``purge_due`` directly when they open the
journal.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings

from attunement.parts import clock

log = logging.getLogger(__name__)
INTERVAL_SECONDS = 60.0
_state = {"last": -INTERVAL_SECONDS}


def reset() -> None:
    """Forget when the last purge ran (tests)."""
    _state["last"] = -INTERVAL_SECONDS


def _is_page_load(environ: dict[str, Any] | None) -> bool:
    """A GET of a journal page (not the unlock pages, static files or the keepalive)."""
    from attunement.web.middleware import OPEN_PREFIXES

    if not environ or environ.get("REQUEST_METHOD") != "GET":
        return False
    path = str(environ.get("PATH_INFO", ""))
    return not path.startswith((*OPEN_PREFIXES, "/keepalive"))


def purge_on_request(
    sender: Any = None, environ: dict[str, Any] | None = None, **kwargs: Any
) -> None:
    """Run ``purge_due`` on a page load while the journal is open, at most once a minute."""
    from attunement.store import journal, keyring

    if getattr(settings, "CIRCLE", False) or not _is_page_load(environ):
        return
    if not (settings.HOSTED or (keyring.is_unlocked() and journal.exists())):
        return
    tick = time.monotonic()
    if tick - _state["last"] < INTERVAL_SECONDS:
        return
    _state["last"] = tick
    from attunement.parts.services import purge_due

    purged = purge_due(clock.now())
    if purged:
        log.info("Carried out %d due deletion(s) of parts.", purged)
