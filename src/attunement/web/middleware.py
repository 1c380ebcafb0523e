"""Keep the journal locked until unlocked, and lock it again when idle."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from attunement.store import journal, keyring
from attunement.store.errors import JournalLocked

UNLOCK_SESSION_KEY = "attune_unlock"


def remember_unlock(request: HttpRequest) -> None:
    """Give this browser the token of the current unlock."""
    request.session[UNLOCK_SESSION_KEY] = keyring.browser_token()


# Pages that work while the journal is locked or does not exist yet.
OPEN_PREFIXES = ("/welcome", "/unlock", "/recover", "/static/", "/favicon", "/locked")


class JournalLockMiddleware:
    """Redirect to create/unlock when needed; forget the key after idle minutes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self._guarded(request)
        if not request.path.startswith("/static/"):
            # Journal pages must not linger in the browser's cache or back/forward history.
            response.setdefault("Cache-Control", "no-store")
        return response

    def _guarded(self, request: HttpRequest) -> HttpResponse:
        if settings.HOSTED or request.path.startswith(OPEN_PREFIXES):
            return self.get_response(request)
        if not journal.exists():
            return HttpResponseRedirect("/welcome")
        if keyring.is_unlocked() and keyring.idle_seconds() > settings.IDLE_LOCK_MINUTES * 60:
            journal.lock()
            messages.info(request, "The journal locked itself after a quiet while. Welcome back.")
        if not keyring.is_unlocked():
            return _to_unlock(request)
        # An unlocked journal is open to this browser only: another program or user
        # on this computer reaching 127.0.0.1 has no token and must give the passphrase.
        if not keyring.token_matches(request.session.get(UNLOCK_SESSION_KEY)):
            return _to_unlock(request)
        keyring.touch()
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, JournalLocked):
            return _to_unlock(request)
        return None


def _to_unlock(request: HttpRequest) -> HttpResponse:
    target = "/unlock"
    if request.method == "GET" and request.path not in ("/", "/lock"):
        target += "?" + urlencode({"next": request.get_full_path()})
    if getattr(request, "htmx", False):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return HttpResponseRedirect(target)
