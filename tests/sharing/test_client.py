"""The HTTP client against a fake circle server: every answer maps to the right error."""

from __future__ import annotations

import email.utils
import socket
import time

import pytest

from attunement.sharing import client as client_mod
from attunement.sharing import texts
from attunement.sharing.client import ApiError, CircleClient
from tests.sharing.fake_server import GOOD_CODE, TOKEN, FakeCircle, error


def _client(fake: FakeCircle, token: str = TOKEN, timeout: float = 5.0) -> CircleClient:
    fake.tokens.add(TOKEN)
    return CircleClient(fake.url, token, timeout=timeout)


def test_connect_sends_the_code_and_name_without_a_token(fake: FakeCircle) -> None:
    answer = CircleClient(fake.url).connect(GOOD_CODE, "Laptop")
    assert answer["token"] == TOKEN
    req = fake.requests[-1]
    assert req["path"] == "/api/v1/connect" and req["method"] == "POST"
    assert req["body"] == {"code": GOOD_CODE, "device_name": "Laptop"}
    assert "Authorization" not in req["headers"]
    assert req["headers"]["Content-Type"] == "application/json; charset=utf-8"


def test_bearer_token_on_every_other_request(fake: FakeCircle) -> None:
    c = _client(fake)
    c.me()
    c.put("posts", "entry-1", {"title": "t"})
    c.delete("posts", "entry-1")
    c.comments("3")
    assert [r["headers"]["Authorization"] for r in fake.requests] == [f"Bearer {TOKEN}"] * 4
    assert fake.paths() == ["GET /api/v1/me", "PUT /api/v1/posts/entry-1",
                            "DELETE /api/v1/posts/entry-1", "GET /api/v1/comments?since=3"]


def test_deleting_what_the_server_does_not_have_is_not_an_error(fake: FakeCircle) -> None:
    _client(fake).delete("posts", "entry-404")
    assert fake.paths() == ["DELETE /api/v1/posts/entry-404"]


def test_a_refusal_carries_the_servers_words_and_fields(fake: FakeCircle) -> None:
    fake.then(400, error("invalid", "Some fields are not right.",
                         fields={"circles": "names a circle you do not own"}))
    with pytest.raises(ApiError) as exc:
        _client(fake).put("posts", "entry-1", {})
    e = exc.value
    assert (e.status, e.code, e.retryable) == (400, "invalid", False)
    assert e.why == ("server refused: Some fields are not right. "
                     "(circles: names a circle you do not own)")


def test_a_refusal_without_words_says_the_status(fake: FakeCircle) -> None:
    fake.then(403, raw=b"<html>Forbidden</html>")
    with pytest.raises(ApiError) as exc:
        _client(fake).me()
    assert exc.value.why == "server refused: HTTP 403"
    assert exc.value.retryable is False


def test_revoked_token_is_a_401(fake: FakeCircle) -> None:
    with pytest.raises(ApiError) as exc:
        CircleClient(fake.url, "not-a-token").me()
    assert exc.value.status == 401
    assert exc.value.server_message == "This journal's token was revoked."
    assert exc.value.retryable is False


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_problems_are_retried(fake: FakeCircle, status: int) -> None:
    fake.then(status, raw=b"oops")
    with pytest.raises(ApiError) as exc:
        _client(fake).me()
    assert exc.value.why == f"the server had a problem (HTTP {status})"
    assert exc.value.retryable is True


def test_408_is_retried(fake: FakeCircle) -> None:
    fake.then(408, raw=b"")
    with pytest.raises(ApiError) as exc:
        _client(fake).me()
    assert (exc.value.why, exc.value.retryable) == (texts.WHY_TIMEOUT, True)


def test_429_is_retried_after_the_servers_wait(fake: FakeCircle) -> None:
    fake.then(429, error("rate_limited", "Too many requests."), headers={"Retry-After": "120"})
    with pytest.raises(ApiError) as exc:
        _client(fake).me()
    assert (exc.value.why, exc.value.retryable, exc.value.retry_after) == (
        texts.WHY_SLOW_DOWN, True, 120.0)


def test_retry_after_as_a_date() -> None:
    later = email.utils.formatdate(time.time() + 300, usegmt=True)
    wait = client_mod._retry_after(later)
    assert wait is not None and 290 < wait <= 300
    assert client_mod._retry_after("soon") is None
    assert client_mod._retry_after(None) is None


def test_an_answer_that_is_not_json_is_not_understood(fake: FakeCircle) -> None:
    fake.then(200, raw=b"<html>captive portal</html>")
    with pytest.raises(ApiError) as exc:
        _client(fake).me()
    assert (exc.value.why, exc.value.retryable) == (texts.WHY_NOT_UNDERSTOOD, True)


def test_an_answer_that_is_a_list_is_not_understood(fake: FakeCircle) -> None:
    fake.then(200, [1, 2])
    with pytest.raises(ApiError) as exc:
        _client(fake).me()
    assert exc.value.why == texts.WHY_NOT_UNDERSTOOD


def test_a_huge_answer_is_cut_off(fake: FakeCircle, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(client_mod, "MAX_ANSWER_BYTES", 1000)
    fake.then(200, raw=b"[" + b"1," * 2000 + b"1]")
    with pytest.raises(ApiError) as exc:
        _client(fake).me()
    assert exc.value.why == texts.WHY_TOO_BIG


def test_redirects_are_not_followed_and_the_token_goes_nowhere_else(fake: FakeCircle) -> None:
    fake.then(302, raw=b"", headers={"Location": fake.url + "/elsewhere"}, path="/me$")
    with pytest.raises(ApiError) as exc:
        _client(fake).me()
    assert exc.value.why == "the server sent the request elsewhere (HTTP 302); connect again"
    assert exc.value.retryable is False
    assert fake.paths() == ["GET /api/v1/me"]


def test_nothing_listening_is_unreachable(closed_url: str) -> None:
    with pytest.raises(ApiError) as exc:
        CircleClient(closed_url, TOKEN).me()
    assert (exc.value.why, exc.value.detail, exc.value.status, exc.value.retryable) == (
        "server unreachable", "connection refused", None, True)


def test_a_slow_server_times_out(fake: FakeCircle) -> None:
    fake.then(200, {"user": {}}, delay=2.0)
    with pytest.raises(ApiError) as exc:
        _client(fake, timeout=0.5).me()
    assert (exc.value.why, exc.value.retryable) == (texts.WHY_TIMEOUT, True)


def test_an_unknown_name_is_said_plainly(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_such_name(*args: object, **kwargs: object) -> None:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_name)  # no real lookup in a test
    with pytest.raises(ApiError) as exc:
        CircleClient("https://no-such-host.invalid", TOKEN).me()
    assert (exc.value.why, exc.value.detail) == ("server unreachable", "no server by that name")


def test_a_proxy_from_the_environment_is_not_used(
    fake: FakeCircle, closed_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("http_proxy", closed_url)
    monkeypatch.setenv("HTTP_PROXY", closed_url)
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    assert _client(fake).me()["user"]["display_name"] == "Lantern"


def test_local_ids_are_quoted_in_paths(fake: FakeCircle) -> None:
    fake.then(404, error("not_found", "No."))
    with pytest.raises(ApiError):
        _client(fake).put("posts", "entry-1/../../me", {})
    assert fake.paths() == ["PUT /api/v1/posts/entry-1%2F..%2F..%2Fme"]
