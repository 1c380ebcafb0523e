"""Template context shared by every circle page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def circle_context(request: HttpRequest) -> dict[str, Any]:
    unread = 0
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        unread = user.notifications.filter(read_at__isnull=True).count()
    name = getattr(settings, "CIRCLE_NAME", "Attunement circle")
    return {"circle_name": name, "unread_notifications": unread}
