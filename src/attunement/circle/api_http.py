"""The HTTP side of the JSON API (``/api/v1/``): errors, tokens, limits, bodies.

Every API view (:mod:`attunement.circle.api`) goes through :func:`endpoint`, which
answers wrong methods (405), checks the Bearer token (401), counts the device's calls
(429), reads and decodes the body (413, 400) and turns :class:`ApiError` into the one
error shape: ``{"error", "message"}`` (plus ``"fields"`` for 400 invalid). A journal
never sees an HTML page from this prefix: the catch-all route in
:mod:`attunement.circle.api_urls` answers unknown paths in JSON too.

Tokens never touch sessions or cookies, so CSRF does not apply (csrf_exempt).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from attunement.circle import api_fields, ratelimit
from attunement.circle.accounts import MAX_DEVICES
from attunement.circle.api_fields import Invalid
from attunement.circle.models import DeviceToken, token_hash

log = logging.getLogger(__name__)

# Everything a person may read in an error, in one place.
MESSAGES = {
    "unauthorized": "This journal is not connected: the token is missing, unknown or was "
                    "disconnected on the server. Connect again with a new connection link.",
    "not_found": "There is nothing here.",
    "method_not_allowed": "This address does not accept that method.",
    "too_large": "The request is larger than 256 KiB; share a shorter entry or an excerpt.",
    "rate_limited": "Too many requests from this journal; it will try again shortly.",
    "connect_limited": "Too many connection attempts from this address; try again later.",
    "publish_limited": f"This account shared {ratelimit.LIMITS['publish'][0]} items in the "
                       "last hour, the most it can; the journal sends the rest later.",
    "not_a_writer": "Only a writer's account can connect a journal and share. Whoever runs "
                    "this server decides who is a writer.",
    "too_many_devices": f"This account already has {MAX_DEVICES} connected journals, the "
                        "most it can have. Disconnect one on the server under Connect a "
                        "journal, then make a new link.",
    "not_json": "The request body must be a JSON object (UTF-8).",
    "malformed": "The request is malformed.",
    "invalid": "Some fields are not valid; see fields.",
    "bad_local_id": "must be 1-100 characters of letters, digits, '.', '_', ':' or '-'",
    "invalid_code": "This connection link does not work: it may have been used already, "
                    "expired (links last an hour) or been withdrawn. Make a new one on the "
                    "server under Connect a journal.",
    "server_error": "Something went wrong on the server; the journal will try again later.",
}

LAST_USED_EVERY = timedelta(minutes=1)
MAX_TOKEN = 200
BODY_METHODS = frozenset({"PUT", "POST", "PATCH"})

Handler = Callable[..., HttpResponse]


class ApiError(Exception):
    """An answer other than success, carrying its status and the error body."""

    def __init__(self, status: int, code: str, message: str = "",
                 fields: dict[str, str] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.message = message or MESSAGES.get(code, code)
        self.fields = fields
        self.headers = headers or {}

    def response(self) -> JsonResponse:
        body: dict[str, Any] = {"error": self.code, "message": self.message}
        if self.fields is not None:
            body["fields"] = self.fields
        response = JsonResponse(body, status=self.status)
        for name, value in self.headers.items():
            response[name] = value
        return response


def invalid(fields: dict[str, str], message: str = "") -> ApiError:
    """A 400 naming what is wrong with each field."""
    return ApiError(400, "invalid", message or MESSAGES["invalid"], fields=fields)


def error_response(status: int, code: str, message: str = "") -> JsonResponse:
    return ApiError(status, code, message).response()


def _authenticate(request: HttpRequest) -> DeviceToken:
    """The connected journal the Bearer token belongs to, or 401."""
    scheme, _, token = request.headers.get("Authorization", "").strip().partition(" ")
    token = token.strip()
    challenge = {"WWW-Authenticate": 'Bearer realm="attunement"'}
    if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN:
        raise ApiError(401, "unauthorized", headers=challenge)
    device = (DeviceToken.objects.select_related("user")
              .filter(token_hash=token_hash(token), revoked=False, claimed_at__isnull=False)
              .first())
    if device is None or not device.user.is_active:
        raise ApiError(401, "unauthorized", headers={
            "WWW-Authenticate": 'Bearer realm="attunement", error="invalid_token"'})
    now = timezone.now()
    if device.last_used is None or now - device.last_used >= LAST_USED_EVERY:
        # One write a minute at most: the server's list only says "last used today".
        DeviceToken.objects.filter(pk=device.pk).update(last_used=now)
        device.last_used = now
    return device


def limit(scope: str, key: str, code: str) -> None:
    """Count one call in ``scope`` for ``key``; 429 (with Retry-After) and the message
    ``MESSAGES[code]`` once the limit is reached."""
    verdict = ratelimit.check(scope, key)
    if not verdict.allowed:
        raise ApiError(429, "rate_limited", MESSAGES[code],
                       headers={"Retry-After": str(verdict.retry_after)})


def _read_json(request: HttpRequest) -> dict[str, Any]:
    """The body as a JSON object: 413 past the limit, 400 when it is not a JSON object."""
    limit = int(getattr(settings, "CIRCLE_MAX_BODY_BYTES", 256 * 1024))
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise ApiError(413, "too_large")
    raw = request.body
    if len(raw) > limit:
        raise ApiError(413, "too_large")
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        # ValueError covers bad JSON, NaN/Infinity and integers too long to convert.
        raise invalid({}, MESSAGES["not_json"]) from None
    if not isinstance(data, dict):
        raise invalid({}, MESSAGES["not_json"])
    return data


def _refuse_constant(name: str) -> Any:
    raise ValueError(name + " is not JSON")


def _check_query(request: HttpRequest, known: frozenset[str]) -> None:
    """Refuse query parameters the endpoint does not take (a typo should not go unseen)."""
    unknown = [name for name in request.GET if name not in known]
    if unknown:
        raise invalid({name[:100]: "is not a parameter of this request" for name in unknown})


def endpoint(handlers: dict[str, Handler], *, auth: bool = True,
             address_limit: tuple[str, str] | None = None,
             query: tuple[str, ...] = ()) -> Callable[..., HttpResponse]:
    """One URL's view: method -> handler(request, device, body, **url kwargs).

    ``address_limit`` is the (scope, message key) of a per-address limit for a view
    without a token (connecting); views with a token are limited per device ("api").
    ``query`` names the query parameters it takes; any other is a 400.
    """
    allowed = ", ".join(sorted(handlers))
    known = frozenset(query)

    @csrf_exempt
    def view(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        try:
            handler = handlers.get(request.method or "")
            if handler is None:
                raise ApiError(405, "method_not_allowed", headers={"Allow": allowed})
            device = _authenticate(request) if auth else None
            if device is not None:
                limit("api", f"device:{device.pk}", "rate_limited")
            elif address_limit is not None:
                scope, message = address_limit
                limit(scope, ratelimit.client_address(request), message)
            _check_query(request, known)
            body = _read_json(request) if request.method in BODY_METHODS else {}
            return handler(request, device, body, **kwargs)
        except ApiError as exc:
            return exc.response()
        except Invalid as exc:
            return invalid(exc.fields).response()
        except RequestDataTooBig:
            return error_response(413, "too_large")
        except SuspiciousOperation:
            # Django's own refusals of a request (e.g. over 1,000 query parameters).
            return invalid({}, MESSAGES["malformed"]).response()
        except Exception:
            # A client must always get JSON it can show; the traceback goes to the log.
            log.exception("API error on %s %s", request.method, request.path)
            return error_response(500, "server_error")

    view.should_append_slash = False  # type: ignore[attr-defined]
    view.methods = tuple(sorted(handlers))  # type: ignore[attr-defined]  # for the doc test
    view.public = not auth  # type: ignore[attr-defined]
    return view


@csrf_exempt
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any path under /api/v1/ that names no endpoint (JSON, never Django's HTML page)."""
    return error_response(404, "not_found")


not_found.should_append_slash = False  # type: ignore[attr-defined]


def local_id_or_400(local_id: str) -> str:
    if not api_fields.valid_local_id(local_id):
        raise invalid({"local_id": MESSAGES["bad_local_id"]})
    return local_id


def upsert(model: Any, lookup: dict[str, Any], values: dict[str, Any],
           ) -> tuple[Any, bool]:
    """Create or update the row for ``lookup`` under a row lock; True when created.

    Two journals publishing the same item at once both succeed: the loser of the insert
    race updates the winner's row instead of failing on the unique constraint.
    """
    row = model.objects.select_for_update().filter(**lookup).first()
    if row is None:
        try:
            with transaction.atomic():
                return model.objects.create(**lookup, **values), True
        except IntegrityError:
            row = model.objects.select_for_update().get(**lookup)
    for name, value in values.items():
        setattr(row, name, value)
    row.save()
    return row, False


def delete_or_404(queryset: Any) -> HttpResponse:
    deleted, _ = queryset.delete()
    if not deleted:
        raise ApiError(404, "not_found")
    return HttpResponse(status=204)


def iso(moment: Any) -> str | None:
    return None if moment is None else moment.isoformat()


def json_response(data: dict[str, Any], status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status)

