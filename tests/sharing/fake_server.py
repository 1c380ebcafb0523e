"""A small stand-in for the circle server's JSON API, in a thread on 127.0.0.1.

It keeps what it is sent in memory, follows CIRCLE_API.md for the happy paths, and can
be told to answer the next requests differently (an error status, a Retry-After, a
non-JSON page, a redirect, a slow answer) so every path of the client can be tested.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

GOOD_CODE = "good-code-123456"
TOKEN = "device-token-abcdef"
CIRCLES = [
    {"id": 11, "name": "Evening circle", "kind": "circle", "role": "owner"},
    {"id": 12, "name": "With my therapist", "kind": "therapy", "role": "owner"},
    {"id": 13, "name": "A friend's circle", "kind": "circle", "role": "member"},
]


@dataclass
class Scripted:
    """One canned answer for the next request matching ``path`` (a regex)."""

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    path: str = ".*"
    delay: float = 0.0


@dataclass
class FakeCircle:
    """The server's state and what it was asked."""

    url: str = ""
    codes: set[str] = field(default_factory=lambda: {GOOD_CODE})
    tokens: set[str] = field(default_factory=set)
    circles: list[dict[str, Any]] = field(default_factory=lambda: [dict(c) for c in CIRCLES])
    items: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    comments: list[dict[str, Any]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    script: list[Scripted] = field(default_factory=list)
    user: dict[str, Any] = field(default_factory=lambda: {"id": 7, "display_name": "Lantern"})
    next_token: str = TOKEN  # what the next connect hands out
    page: int = 1000  # comments per answer ("more": true when there are others)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def then(self, status: int, body: Any = None, *, path: str = ".*",
             headers: dict[str, str] | None = None, raw: bytes | None = None,
             delay: float = 0.0, times: int = 1) -> None:
        """Answer the next ``times`` requests matching ``path`` with this."""
        data = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
        for _ in range(times):
            self.script.append(Scripted(status, data, dict(headers or {}), path, delay))

    def paths(self) -> list[str]:
        return [f"{r['method']} {r['path']}" for r in self.requests]


def error(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": code, "message": message, **extra}


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def _handle(self, method: str) -> None:
        fake = self.server.fake
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        path = urlsplit(self.path).path
        with fake.lock:
            fake.requests.append({
                "method": method, "path": self.path, "headers": dict(self.headers),
                "body": json.loads(raw) if raw else None,
            })
            scripted = next((s for s in fake.script if re.search(s.path, path)), None)
            if scripted is not None:
                fake.script.remove(scripted)
        if scripted is not None:
            time.sleep(scripted.delay)
            self._send(scripted.status, scripted.body, scripted.headers)
            return
        status, body = _route(fake, method, self.path, self.headers.get("Authorization", ""),
                              json.loads(raw) if raw else None)
        self._send(status, b"" if body is None else json.dumps(body).encode())

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)


def _route(fake: FakeCircle, method: str, target: str, auth: str,
           body: Any) -> tuple[int, Any]:
    parts = urlsplit(target)
    path = parts.path.removeprefix("/api/v1/")
    if method == "POST" and path == "connect":
        code = (body or {}).get("code")
        if code not in fake.codes:
            return 400, error("invalid_code", "This connection link was already used.")
        fake.codes.discard(code)
        fake.tokens.add(fake.next_token)
        return 201, {"token": fake.next_token, "user": fake.user, "server_name": "Test circle"}
    if auth.removeprefix("Bearer ") not in fake.tokens:
        return 401, error("unauthorized", "This journal's token was revoked.")
    if method == "GET" and path == "me":
        return 200, {"user": fake.user, "circles": fake.circles}
    if method == "DELETE" and path == "me/token":
        fake.tokens.discard(auth.removeprefix("Bearer "))
        return 204, None
    if method == "GET" and path == "comments":
        since = parse_qs(parts.query).get("since", [""])[0]
        start = int(since) if since.isdigit() else 0
        end = min(len(fake.comments), start + fake.page)
        return 200, {"comments": fake.comments[start:end], "cursor": str(end),
                     "more": end < len(fake.comments)}
    match = re.fullmatch(r"(posts|checkins|notes)/([A-Za-z0-9._:-]{1,100})", path)
    if match is None:
        return 404, error("not_found", "No such thing.")
    key = (match.group(1), match.group(2))
    if method == "PUT":
        created = key not in fake.items
        fake.items[key] = body
        return (201 if created else 200), {
            "id": 1, "local_id": key[1], "url": f"/posts/{len(fake.items)}/",
            "circles": (body or {}).get("circles"), "updated": "2026-01-01T10:00:00+00:00",
            "alerts": [],
        }
    if method == "DELETE":
        if fake.items.pop(key, None) is None:
            return 404, error("not_found", "No such thing.")
        return 204, None
    return 405, error("method_not_allowed", "Not here.")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeCircle

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (the timeout test) is expected: no traceback."""


@contextmanager
def running_fake() -> Iterator[FakeCircle]:
    """A fake circle server for the length of a ``with`` block."""
    server = _Server(("127.0.0.1", 0), _Handler)
    fake = FakeCircle(url=f"http://127.0.0.1:{server.server_address[1]}")
    server.fake = fake
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
