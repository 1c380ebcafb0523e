"""Values every page template can use."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from attunement.store import keyring


def app_context(request: HttpRequest) -> dict[str, Any]:
    """Lock state, profile and idle timeout for the base template."""
    return {
        "unlocked": keyring.is_unlocked(),
        "hosted": settings.HOSTED,
        "idle_seconds": settings.IDLE_LOCK_MINUTES * 60,
        "demo": (settings.ATTUNE_HOME / "DEMO").exists(),
    }
