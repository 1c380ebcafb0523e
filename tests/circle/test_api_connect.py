"""Connecting a journal, the Bearer token, and the errors every API path shares."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from attunement.circle import ratelimit
from attunement.circle.models import DeviceToken, token_hash

from .api_support import Api, claim_code, device_for, error_of, fields_of, post_body

# --- POST connect -------------------------------------------------------------------


def test_connect_exchanges_the_code_for_a_working_token(writer, settings) -> None:
    settings.CIRCLE_NAME = "Evening server"
    device, code = claim_code(writer)
    r = Api().post("connect", {"code": code, "device_name": "Laptop journal"})
    assert r.status_code == 201
    body = r.json()
    assert set(body) == {"token", "user", "server_name"}
    assert body["user"] == {"id": writer.pk, "display_name": "Lantern"}
    assert body["server_name"] == "Evening server"
    device.refresh_from_db()
    assert device.token_hash == token_hash(body["token"])  # only the hash is kept
    assert device.claimed_at is not None and device.name == "Laptop journal"
    assert Api(body["token"]).get("me").status_code == 200


def test_a_code_works_once(writer) -> None:
    _, code = claim_code(writer)
    assert Api().post("connect", {"code": code, "device_name": "One"}).status_code == 201
    error_of(Api().post("connect", {"code": code, "device_name": "Two"}), 400, "invalid_code")


@pytest.mark.parametrize("case", ["expired", "revoked", "unknown", "inactive"])
def test_a_code_that_does_not_work_says_so(writer, case) -> None:
    if case == "unknown":
        code = "no-such-code-at-all"
    else:
        _, code = claim_code(writer, expires_in=timedelta(seconds=-1 if case == "expired" else 60),
                             revoked=case == "revoked")
    if case == "inactive":
        writer.is_active = False
        writer.save()
    body = error_of(Api().post("connect", {"code": code, "device_name": "J"}), 400,
                    "invalid_code")
    assert "fields" not in body
    assert not DeviceToken.objects.filter(token_hash__isnull=False).exists()


def test_device_name_keeps_the_servers_name_when_left_out_or_blank(writer) -> None:
    d1, c1 = claim_code(writer)
    d2, c2 = claim_code(writer)
    DeviceToken.objects.filter(pk=d2.pk).update(name="Named on the server")
    assert Api().post("connect", {"code": c1}).status_code == 201
    assert Api().post("connect", {"code": c2, "device_name": "   "}).status_code == 201
    d1.refresh_from_db()
    d2.refresh_from_db()
    assert d1.name == "My journal"  # the model's default
    assert d2.name == "Named on the server"


@pytest.mark.parametrize(("body", "fields"), [
    ({}, {"code": "is required"}),
    ({"code": ""}, {"code": "must not be empty"}),
    ({"code": 12345678}, {"code": "must be a string"}),
    ({"code": "x" * 201}, {"code": "must have at most 200 characters"}),
    ({"code": "abc", "device_name": "n" * 81},
     {"device_name": "must have at most 80 characters"}),
    ({"code": "abc", "token": "x"}, {"token": "is not a field of this request"}),
])
def test_connect_body_is_validated(db, body, fields) -> None:
    assert fields_of(Api().post("connect", body)) == fields


def test_connect_is_rate_limited_per_address(writer, monkeypatch) -> None:
    monkeypatch.setitem(ratelimit.LIMITS, "connect", (2, 900))
    api = Api()
    for _ in range(2):
        error_of(api.post("connect", {"code": "guess-guess-guess"}), 400, "invalid_code")
    _, code = claim_code(writer)
    r = api.post("connect", {"code": code})  # even the right code waits now
    error_of(r, 429, "rate_limited")
    assert int(r["Retry-After"]) >= 1


# --- the Bearer token -----------------------------------------------------------------


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer ", "Basic abc", "Token abc",
                                    "Bearer " + "x" * 201, "Bearer not-a-real-token"])
def test_missing_or_unknown_tokens_are_401(db, header) -> None:
    api = Api()
    kwargs = {} if header is None else {"headers": {"Authorization": header}}
    r = api.client.get("/api/v1/me", **kwargs)
    error_of(r, 401, "unauthorized")
    assert r["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_is_401(writer) -> None:
    device, token = device_for(writer)
    assert Api(token).get("me").status_code == 200
    device.revoked = True
    device.save()
    error_of(Api(token).get("me"), 401, "unauthorized")


def test_an_inactive_account_is_401(writer) -> None:
    _, token = device_for(writer)
    writer.is_active = False
    writer.save()
    error_of(Api(token).get("me"), 401, "unauthorized")


def test_scheme_is_case_insensitive(writer) -> None:
    _, token = device_for(writer)
    r = Api().client.get("/api/v1/me", headers={"Authorization": f"bearer {token}"})
    assert r.status_code == 200


def test_last_used_is_written_at_most_once_a_minute(writer) -> None:
    device, token = device_for(writer)
    recent = timezone.now() - timedelta(seconds=30)
    DeviceToken.objects.filter(pk=device.pk).update(last_used=recent)
    Api(token).get("me")
    device.refresh_from_db()
    assert device.last_used == recent
    old = timezone.now() - timedelta(minutes=2)
    DeviceToken.objects.filter(pk=device.pk).update(last_used=old)
    Api(token).get("me")
    device.refresh_from_db()
    assert device.last_used is not None and device.last_used > old + timedelta(minutes=1)


def test_calls_are_rate_limited_per_device(writer, monkeypatch) -> None:
    monkeypatch.setitem(ratelimit.LIMITS, "api", (3, 60))
    _, token = device_for(writer)
    _, other = device_for(writer)
    for _ in range(3):
        assert Api(token).get("me").status_code == 200
    r = Api(token).get("me")
    error_of(r, 429, "rate_limited")
    assert 1 <= int(r["Retry-After"]) <= 61
    assert Api(other).get("me").status_code == 200  # another journal has its own count


# --- errors every path shares ---------------------------------------------------------


@pytest.mark.parametrize(("method", "path", "allow"), [
    ("GET", "posts/entry-1", "DELETE, PUT"),
    ("POST", "posts/entry-1", "DELETE, PUT"),
    ("POST", "me", "GET"),
    ("DELETE", "comments", "GET"),
    ("GET", "connect", "POST"),
    ("PATCH", "checkins/c-1", "DELETE, PUT"),
    ("OPTIONS", "notes/n-1", "DELETE, PUT"),
    ("PUT", "openapi.json", "GET"),
])
def test_wrong_method_is_405_in_json(writer, method, path, allow) -> None:
    _, token = device_for(writer)
    r = Api(token).raw(method, path, "{}")
    error_of(r, 405, "method_not_allowed")
    assert r["Allow"] == allow


@pytest.mark.parametrize("path", ["", "nothing", "me/", "posts", "posts/", "posts/a/b",
                                  "comments/", "v2/me", "admin/", "connect/abc"])
@pytest.mark.parametrize("method", ["GET", "PUT", "POST", "DELETE"])
def test_unknown_paths_are_404_in_json_never_html(writer, path, method) -> None:
    _, token = device_for(writer)
    r = Api(token).raw(method, path, "{}")
    error_of(r, 404, "not_found")


def test_a_body_over_256_kib_is_413(writer, circle) -> None:
    _, token = device_for(writer)
    big = post_body([circle.pk], body="x" * (300 * 1024))
    r = Api(token).put("posts/entry-1", big)
    error_of(r, 413, "too_large")


def test_the_limit_counts_bytes_not_characters(writer, circle) -> None:
    _, token = device_for(writer)
    # 90,000 three-byte characters: under 256 Ki characters, over 256 KiB as UTF-8.
    body = json.dumps(post_body([circle.pk], body="€" * 90_000), ensure_ascii=False)
    error_of(Api(token).raw("PUT", "posts/entry-1", body.encode("utf-8")), 413, "too_large")


@pytest.mark.parametrize("raw", [
    b"", b"{", b"not json", b"[1, 2]", b'"text"', b"null", b"42",
    b'{"body": NaN}', b'{"x": Infinity}', b"\xff\xfe{}",
    b"[" * 50_000 + b"]" * 50_000,
    b'{"n": ' + b"9" * 5000 + b"}",
])
def test_a_body_that_is_not_a_json_object_is_400(writer, raw) -> None:
    _, token = device_for(writer)
    body = error_of(Api(token).raw("PUT", "posts/entry-1", raw), 400, "invalid")
    assert body["fields"] == {}
    assert "JSON object" in body["message"]


def test_too_many_query_parameters_is_400_not_500(writer) -> None:
    _, token = device_for(writer)
    query = "&".join(f"p{i}=1" for i in range(1200))
    r = Api(token).client.get("/api/v1/comments?" + query,
                              headers={"Authorization": f"Bearer {token}"})
    body = error_of(r, 400, "invalid")
    assert body["message"] == "The request is malformed."


def test_a_body_django_finds_too_big_is_413(writer, circle, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10  # below our own limit: Django refuses first
    _, token = device_for(writer)
    error_of(Api(token).put("posts/entry-1", post_body([circle.pk])), 413, "too_large")


def test_api_needs_no_csrf_token(writer, circle) -> None:
    _, token = device_for(writer)
    r = Api(token, csrf=True).put("posts/entry-1", post_body([circle.pk]))
    assert r.status_code == 201


def test_errors_never_leak_a_traceback_as_html(writer, circle, monkeypatch) -> None:
    from attunement.circle import api

    def boom(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(api, "_owned", boom)
    _, token = device_for(writer)
    api_client = Api(token)
    api_client.client.raise_request_exception = False
    r = api_client.put("posts/entry-1", post_body([circle.pk]))
    body = error_of(r, 500, "server_error")
    assert "secret" not in r.content.decode()
    assert set(body) == {"error", "message"}


# --- DELETE me/token ----------------------------------------------------------------


def test_a_journal_disconnects_itself(writer) -> None:
    device, token = device_for(writer)
    _, other = device_for(writer, name="Phone")
    r = Api(token).delete("me/token")
    assert r.status_code == 204 and r.content == b""
    device.refresh_from_db()
    assert device.revoked
    error_of(Api(token).get("me"), 401, "unauthorized")
    error_of(Api(token).delete("me/token"), 401, "unauthorized")  # once is all it takes
    assert Api(other).get("me").status_code == 200  # the writer's other journal stays


def test_disconnecting_needs_a_token_and_takes_only_delete(writer) -> None:
    error_of(Api().delete("me/token"), 401, "unauthorized")
    _, token = device_for(writer)
    r = Api(token).get("me/token")
    error_of(r, 405, "method_not_allowed")
    assert r["Allow"] == "DELETE"
    assert Api(token).get("me").status_code == 200


def test_a_disconnected_journal_leaves_the_servers_list(writer, writer_client) -> None:  # type: ignore[no-untyped-def]
    _, token = device_for(writer, name="Old laptop")
    assert "Old laptop" in writer_client.get("/connect").content.decode()
    Api(token).delete("me/token")
    assert "Old laptop" not in writer_client.get("/connect").content.decode()
