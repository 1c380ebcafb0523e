"""Helpers shared by the JSON API tests: a JSON client per token, devices, bodies."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.test import Client
from django.test.client import Client as _Client
from django.utils import timezone

from attunement.circle.models import DeviceToken, User, new_token, token_hash

BASE = "/api/v1/"
WHEN = "2024-05-01T18:30:00+02:00"


class Api:
    """Requests to /api/v1/ carrying one Bearer token (or none)."""

    def __init__(self, token: str | None = None, *, csrf: bool = False) -> None:
        self.token = token
        self.client: _Client = Client(enforce_csrf_checks=csrf)

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token is not None else {}

    def get(self, path: str, params: dict[str, str] | None = None) -> Any:
        return self.client.get(BASE + path, params or {}, headers=self._headers())

    def put(self, path: str, body: Any) -> Any:
        return self.raw("PUT", path, json.dumps(body))

    def post(self, path: str, body: Any) -> Any:
        return self.raw("POST", path, json.dumps(body))

    def delete(self, path: str) -> Any:
        return self.client.delete(BASE + path, headers=self._headers())

    def raw(self, method: str, path: str, data: str | bytes = b"",
            content_type: str = "application/json") -> Any:
        return self.client.generic(method, BASE + path, data, content_type=content_type,
                                   headers=self._headers())


def device_for(user: User, *, revoked: bool = False, name: str = "Journal") -> tuple[
        DeviceToken, str]:
    """A connected journal of ``user`` and its Bearer token."""
    token = new_token()
    now = timezone.now()
    device = DeviceToken.objects.create(
        user=user, name=name, claim_hash=token_hash(new_token()),
        claim_expires_at=now - timedelta(minutes=1), token_hash=token_hash(token),
        claimed_at=now, revoked=revoked)
    return device, token


def claim_code(user: User, *, expires_in: timedelta = timedelta(hours=1),
               revoked: bool = False) -> tuple[DeviceToken, str]:
    """An unclaimed connection link's device row and its one-time code."""
    code = new_token()
    device = DeviceToken.objects.create(
        user=user, claim_hash=token_hash(code),
        claim_expires_at=timezone.now() + expires_in, revoked=revoked)
    return device, code


def error_of(response: Any, status: int, code: str) -> dict[str, Any]:
    """Assert the one error shape and return the body."""
    assert response.status_code == status, (response.status_code, response.content)
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["error"] == code
    assert isinstance(body["message"], str) and body["message"]
    return body


def fields_of(response: Any) -> dict[str, str]:
    """The per-field messages of a 400 invalid answer."""
    return error_of(response, 400, "invalid")["fields"]


def post_body(circles: list[int], **over: Any) -> dict[str, Any]:
    body = {"title": "After Tuesday", "body": "I could *not* say it.", "written_at": WHEN,
            "is_excerpt": False, "circles": circles}
    body.update(over)
    return body


def checkin_body(circle: int, **over: Any) -> dict[str, Any]:
    body = {
        "circle": circle, "instrument": "attunement-alliance-v1", "instrument_version": "1",
        "timing": "post", "session_at": "2024-05-01T17:00:00+02:00",
        "completed_at": WHEN, "answers": {"bond_grasped": 4, "tension": False},
        "alliance": 4.0, "tension": False, "tension_intensity": None,
        "tension_resolved": None, "note": "",
    }
    body.update(over)
    return body


def note_body(circle: int, **over: Any) -> dict[str, Any]:
    body = {"circle": circle, "text": "That I was angry about the holiday.", "written_at": WHEN}
    body.update(over)
    return body
