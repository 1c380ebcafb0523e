"""The client of the circle server's JSON API v1 (the contract is CIRCLE_API.md).

The only network code of the local journal, and it runs only for a journal the person
connected. Plain ``urllib.request`` with, on purpose:

- no proxy from the environment: the one destination is the server the person chose;
- no redirects: a Bearer token must never follow a redirect to another address;
- a timeout on every request and a cap on the size of every answer;
- certificate verification with the system's trust store (https), and plain http only
  for a server on this computer (checked when the link is read, :func:`parse_link`).
"""

from __future__ import annotations

import email.utils
import ipaddress
import json
import re
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from attunement.errors import AttuneError
from attunement.sharing import texts

DEFAULT_TIMEOUT = 10.0
MAX_ANSWER_BYTES = 16 * 1024 * 1024
USER_AGENT = "Attunement-journal/1"
_CODE = re.compile(r"[A-Za-z0-9_-]{8,200}")
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


class BadLink(AttuneError):
    """The pasted text is not a usable connection link."""


@dataclass(frozen=True)
class ConnectionLink:
    """A connection link, split into the server's base address and the one-time code."""

    base: str
    code: str

    @property
    def host(self) -> str:
        return urllib.parse.urlsplit(self.base).netloc


class ApiError(AttuneError):
    """A request that did not go through; ``why`` is the short reason shown in states."""

    def __init__(
        self,
        why: str,
        *,
        retryable: bool,
        status: int | None = None,
        code: str = "",
        server_message: str = "",
        retry_after: float | None = None,
        fields: dict[str, str] | None = None,
        detail: str = "",
    ) -> None:
        super().__init__(why)
        self.detail = detail or why
        self.why = why
        self.retryable = retryable
        self.status = status
        self.code = code
        self.server_message = server_message
        self.retry_after = retry_after
        self.fields = fields or {}


def is_loopback(host: str) -> bool:
    """Whether a host name is this computer (the only place plain http is allowed)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def parse_link(text: str) -> ConnectionLink:
    """Read ``https://host[/prefix]/connect/<code>``; raise BadLink with the reason."""
    raw = (text or "").strip()
    if not raw:
        raise BadLink(texts.LINK_EMPTY)
    try:
        parts = urllib.parse.urlsplit(raw)
        host, _port = parts.hostname, parts.port  # .port raises on a bad port
    except ValueError as exc:
        raise BadLink(texts.LINK_MALFORMED) from exc
    scheme = parts.scheme.lower()
    if len(raw) > 2000 or scheme not in ("http", "https") or not host:
        raise BadLink(texts.LINK_MALFORMED)
    if parts.username is not None or parts.password is not None:
        raise BadLink(texts.LINK_MALFORMED)
    match = re.fullmatch(r"(.*)/connect/([^/]+)", parts.path.rstrip("/"))
    if match is None or not _CODE.fullmatch(match.group(2)):
        raise BadLink(texts.LINK_MALFORMED)
    if scheme == "http" and not is_loopback(host):
        raise BadLink(texts.LINK_INSECURE)
    return ConnectionLink(base=f"{scheme}://{parts.netloc}{match.group(1)}", code=match.group(2))


def sentence(text: str) -> str:
    """Text that ends like a sentence, so another can follow it."""
    text = text.strip()
    return text if not text or text[-1] in ".!?…" else text + "."


def clean_text(value: object, limit: int = 300) -> str:
    """A server-given string made safe to show: no controls or bidi overrides, bounded."""
    text = _CONTROLS.sub("", str(value or "")).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # urllib then raises the 3xx as an HTTPError


@dataclass
class CircleClient:
    """Requests to one circle server, as one connected journal (its device token)."""

    base: str
    token: str = ""
    timeout: float = DEFAULT_TIMEOUT
    _opener: urllib.request.OpenerDirector = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.base = self.base.rstrip("/")
        self._opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}),
            _NoRedirect(),
            urllib.request.HTTPSHandler(context=ssl.create_default_context()),
        )

    # --- the endpoints ------------------------------------------------------------

    def connect(self, code: str, device_name: str) -> dict[str, Any]:
        """Exchange a one-time code for this journal's token."""
        body = {"code": code, "device_name": device_name}
        return self._json("POST", "connect", body, auth=False)

    def me(self) -> dict[str, Any]:
        return self._json("GET", "me")

    def put(self, endpoint: str, local_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Create or update ``posts``/``checkins``/``notes`` item ``local_id`` (idempotent)."""
        return self._json("PUT", f"{endpoint}/{_quote(local_id)}", payload)

    def delete(self, endpoint: str, local_id: str) -> None:
        """Remove an item; one the server does not know is already gone (not an error)."""
        try:
            self._request("DELETE", f"{endpoint}/{_quote(local_id)}")
        except ApiError as exc:
            if exc.status != 404:
                raise

    def revoke_token(self) -> None:
        """Ask the server to stop accepting this journal's token (DELETE me/token, 204)."""
        self._request("DELETE", "me/token")

    def comments(self, since: str = "") -> dict[str, Any]:
        query = "?" + urllib.parse.urlencode({"since": since}) if since else ""
        return self._json("GET", "comments" + query)

    # --- the plumbing -------------------------------------------------------------

    def _json(
        self, method: str, path: str, body: dict[str, Any] | None = None, *, auth: bool = True
    ) -> dict[str, Any]:
        raw = self._request(method, path, body, auth=auth)
        try:
            data = json.loads(raw.decode("utf-8")) if raw else {}
        except (UnicodeDecodeError, ValueError) as exc:
            raise ApiError(texts.WHY_NOT_UNDERSTOOD, retryable=True) from exc
        if not isinstance(data, dict):
            raise ApiError(texts.WHY_NOT_UNDERSTOOD, retryable=True)
        return data

    def _request(
        self, method: str, path: str, body: dict[str, Any] | None = None, *, auth: bool = True
    ) -> bytes:
        headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
        data = None
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            headers["Content-Type"] = "application/json; charset=utf-8"
        if auth:
            headers["Authorization"] = f"Bearer {self.token}"
        # The base is http(s) only: parse_link refuses every other scheme.
        req = urllib.request.Request(  # noqa: S310
            f"{self.base}/api/v1/{path}", data=data, method=method, headers=headers
        )
        try:
            with self._opener.open(req, timeout=self.timeout) as resp:
                return _read_capped(resp)
        except urllib.error.HTTPError as exc:
            raise _http_error(exc) from None
        except urllib.error.URLError as exc:
            raise _unreachable(exc.reason) from None
        except OSError as exc:  # a timeout or a connection reset while reading
            raise _unreachable(exc) from None


def _quote(local_id: str) -> str:
    return urllib.parse.quote(local_id, safe="")


def _read_capped(resp: Any) -> bytes:
    data = bytes(resp.read(MAX_ANSWER_BYTES + 1))
    if len(data) > MAX_ANSWER_BYTES:
        raise ApiError(texts.WHY_TOO_BIG, retryable=True)
    return data


def _unreachable(reason: object) -> ApiError:
    return ApiError(_network_why(reason), retryable=True, detail=network_detail(reason))


def _network_why(reason: object) -> str:
    """The short reason a request never reached the server."""
    if isinstance(reason, ssl.SSLCertVerificationError):
        return texts.WHY_CERTIFICATE
    if isinstance(reason, TimeoutError | socket.timeout):
        return texts.WHY_TIMEOUT
    return texts.WHY_UNREACHABLE


def network_detail(reason: object) -> str:
    """A longer reason, for the page where the person pasted the link."""
    if isinstance(reason, ConnectionRefusedError):
        return texts.WHY_REFUSED_CONNECTION
    if isinstance(reason, socket.gaierror):
        return texts.WHY_NO_NAME
    return _network_why(reason)


def _http_error(exc: urllib.error.HTTPError) -> ApiError:
    status = exc.code
    try:
        raw = exc.read(64 * 1024)
        data = json.loads(raw.decode("utf-8")) if raw else {}
    except (OSError, UnicodeDecodeError, ValueError):
        data = {}
    data = data if isinstance(data, dict) else {}
    message = clean_text(data.get("message"))
    fields = data.get("fields") if isinstance(data.get("fields"), dict) else {}
    field_text = {clean_text(k, 60): clean_text(v) for k, v in (fields or {}).items()}
    if 300 <= status < 400:
        return ApiError(texts.WHY_REDIRECT.format(status=status), retryable=False, status=status)
    if status >= 500:
        why = texts.WHY_SERVER_PROBLEM.format(status=status)
        return ApiError(why, retryable=True, status=status, server_message=message)
    if status == 408:
        return ApiError(texts.WHY_TIMEOUT, retryable=True, status=status)
    if status == 429:
        return ApiError(texts.WHY_SLOW_DOWN, retryable=True, status=status,
                        code=clean_text(data.get("error"), 40), server_message=message,
                        retry_after=_retry_after(exc.headers.get("Retry-After")))
    shown = message or texts.WHY_NO_MESSAGE.format(status=status)
    if field_text:
        shown = shown.rstrip() + " " + " ".join(f"({k}: {v})" for k, v in field_text.items())
    return ApiError(
        texts.WHY_REFUSED.format(message=shown),
        retryable=False,
        status=status,
        code=clean_text(data.get("error"), 40),
        server_message=message or shown,
        fields=field_text,
    )


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (a number of seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
