"""What every circle page shares: sign-in required, calm refusals, rate-limit answers."""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from attunement.circle.access import Hidden, Refused
from attunement.circle.models import User

View = Callable[..., HttpResponse]
NOT_FOUND_TEXT = "There is nothing here, or it is not shared with you."


def not_found(request: HttpRequest) -> HttpResponse:
    """The same page for "does not exist" and "not yours": ids reveal nothing."""
    return render(request, "circle/denied.html",
                  {"title": "Not found", "message": NOT_FOUND_TEXT}, status=404)


def denied(request: HttpRequest, message: str, status: int = 403) -> HttpResponse:
    return render(request, "circle/denied.html",
                  {"title": "Not possible", "message": message}, status=status)


def minutes(retry_after: int) -> str:
    """"N minutes" for a wait in seconds, rounded up (never "0 minutes")."""
    n = max(1, math.ceil(retry_after / 60))
    return f"{n} minute" + ("" if n == 1 else "s")


def wait_message(retry_after: int) -> str:
    """"Too many attempts; try again in N minutes." (never "0 minutes")."""
    return f"Too many attempts; try again in {minutes(retry_after)}."


def too_many(request: HttpRequest, retry_after: int, message: str = "") -> HttpResponse:
    response = render(request, "circle/denied.html",
                      {"title": "Please wait", "message": message or wait_message(retry_after)},
                      status=429)
    response["Retry-After"] = str(retry_after)
    return response


def _guarded(view: View, request: HttpRequest, args: Any, kwargs: Any) -> HttpResponse:
    try:
        return view(request, *args, **kwargs)
    except Hidden:
        return not_found(request)
    except Refused as exc:
        return denied(request, exc.message)


def page(view: View) -> View:
    """A page for signed-in people; access refusals become calm 404/403 pages.

    Signed out, a GET goes to the sign-in page (and back after); anything else is
    refused outright, since a form posted without a session cannot be trusted.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            if request.method in ("GET", "HEAD"):
                return redirect_to_login(request.get_full_path(), "/login")
            return denied(request, "Please sign in first.")
        return _guarded(view, request, args, kwargs)

    return wrapped


def public(view: View) -> View:
    """A page anyone may open (sign-in, invitation and connection links)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return _guarded(view, request, args, kwargs)

    return wrapped


def me(request: HttpRequest) -> User:
    """The signed-in person (``page`` made sure there is one)."""
    user = request.user
    assert isinstance(user, User)
    return user


def page_of(request: HttpRequest, items: QuerySet[Any] | list[Any], per_page: int) -> Page:
    """One page of ``items`` from ``?page=`` (a bad or too-high number shows the nearest)."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))
