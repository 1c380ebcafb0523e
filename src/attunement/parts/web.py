"""Small helpers the parts views share: the feature gate and reading form values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone

from attunement.parts import prefs
from attunement.parts.services import PartsError

View = Callable[..., HttpResponse]


def feature_required(view: View) -> View:
    """Answer 404 while the feature is off, as if the pages did not exist."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not prefs.is_enabled():
            raise Http404("No such page.")
        return view(request, *args, **kwargs)

    return wrapped


def local_time(value: str, what: str = "time") -> dt.datetime | None:
    """A ``datetime-local`` form value in the journal's time zone (None when empty)."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        message = f"The {what} {value!r} is not a date and time."
        raise PartsError(message) from exc
    if parsed.tzinfo is None:
        parsed = timezone.make_aware(parsed, timezone.get_current_timezone())
    return parsed


def input_time(when: dt.datetime | None) -> str:
    """A datetime as a ``datetime-local`` input value in the journal's time zone."""
    if when is None:
        return ""
    return timezone.localtime(when).strftime("%Y-%m-%dT%H:%M")
