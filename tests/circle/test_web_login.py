"""Signing in and out: the messages, the redirect, and the rate limit on guessing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from attunement.circle import ratelimit
from attunement.circle.models import RateEvent, User
from attunement.circle.views_auth import LOGIN_FAILED
from attunement.circle.views_common import wait_message
from tests.circle.conftest import PASSWORD, csp_problems

LIMIT = ratelimit.LIMITS["login"][0]


def test_the_sign_in_page_renders_under_the_csp(client: Client) -> None:
    response = client.get("/login")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'autocomplete="current-password"' in html
    assert csp_problems(html) == []
    assert "Content-Security-Policy" in response.headers


def test_signing_in_goes_home_or_back_where_you_were(client: Client, writer: User) -> None:
    response = client.post("/login", {"username": "writer", "password": PASSWORD,
                                      "next": "/notifications"})
    assert response.status_code == 302
    assert response["Location"] == "/notifications"
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "javascript:x"])
def test_next_never_leaves_the_site(client: Client, writer: User, target: str) -> None:
    response = client.post("/login", {"username": "writer", "password": PASSWORD,
                                      "next": target})
    assert response["Location"] == "/"


def test_a_wrong_password_says_so_plainly(client: Client, writer: User) -> None:
    response = client.post("/login", {"username": "writer", "password": "not it at all"})
    assert response.status_code == 400
    assert LOGIN_FAILED in response.content.decode()
    assert client.get("/").status_code == 302  # still signed out


def test_an_unknown_name_gets_the_same_answer(client: Client, writer: User) -> None:
    response = client.post("/login", {"username": "nobody", "password": "not it at all"})
    assert response.status_code == 400
    assert LOGIN_FAILED in response.content.decode()


def test_signed_out_pages_send_you_to_sign_in(client: Client) -> None:
    response = client.get("/account")
    assert response.status_code == 302
    assert response["Location"] == "/login?next=/account"


def test_signing_out_is_a_post(writer_client: Client) -> None:
    assert writer_client.get("/logout").status_code == 405
    response = writer_client.post("/logout")
    assert response["Location"] == "/login"
    assert writer_client.get("/").status_code == 302


def test_signed_in_the_sign_in_page_moves_on(writer_client: Client) -> None:
    assert writer_client.get("/login")["Location"] == "/"


def _fail(client: Client, username: str, address: str = "10.0.0.1") -> int:
    return client.post("/login", {"username": username, "password": "wrong guess here"},
                       REMOTE_ADDR=address).status_code


def test_too_many_guesses_from_one_address_are_refused(client: Client, writer: User) -> None:
    for i in range(LIMIT):
        assert _fail(client, f"name{i}") == 400
    response = client.post("/login", {"username": "writer", "password": PASSWORD},
                           REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 429
    assert "Too many attempts; try again in 15 minutes." in response.content.decode()
    assert int(response["Retry-After"]) > 14 * 60
    assert client.get("/").status_code == 302  # the right password did not get in
    other = client.post("/login", {"username": "writer", "password": PASSWORD},
                        REMOTE_ADDR="10.0.0.2")
    assert other.status_code == 302


def test_too_many_guesses_at_one_name_are_refused_from_anywhere(client: Client,
                                                                writer: User) -> None:
    for i in range(LIMIT):
        assert _fail(client, "Writer", address=f"10.1.0.{i}") == 400
    response = client.post("/login", {"username": "writer", "password": PASSWORD},
                           REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 429
    assert "Too many attempts; try again in" in response.content.decode()


def test_the_wait_shrinks_as_attempts_age(client: Client, writer: User) -> None:
    for i in range(LIMIT):
        _fail(client, f"n{i}")
    RateEvent.objects.filter(scope="login").update(at=timezone.now() - timedelta(minutes=13))
    response = client.post("/login", {"username": "x", "password": "y"}, REMOTE_ADDR="10.0.0.1")
    assert "Too many attempts; try again in 2 minutes." in response.content.decode()


def test_signing_in_forgets_the_failures_of_that_name(client: Client, writer: User) -> None:
    for i in range(3):
        _fail(client, "writer", address=f"10.2.0.{i}")
    client.post("/login", {"username": "writer", "password": PASSWORD}, REMOTE_ADDR="10.3.0.1")
    assert not RateEvent.objects.filter(scope="login", key="name:writer").exists()


@pytest.mark.parametrize(("seconds", "text"), [
    (1, "Too many attempts; try again in 1 minute."),
    (60, "Too many attempts; try again in 1 minute."),
    (61, "Too many attempts; try again in 2 minutes."),
    (900, "Too many attempts; try again in 15 minutes."),
])
def test_wait_message(seconds: int, text: str) -> None:
    assert wait_message(seconds) == text


def test_behind_the_proxy_each_person_is_limited_by_their_own_address(
        client: Client, writer: User) -> None:
    """nginx connects from 127.0.0.1 and names the person in X-Real-IP (docs/circle.md)."""
    for i in range(LIMIT):
        client.post("/login", {"username": f"n{i}", "password": "wrong guess here"},
                    REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="203.0.113.7")
    blocked = client.post("/login", {"username": "writer", "password": PASSWORD},
                          REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="203.0.113.7")
    assert blocked.status_code == 429
    other = client.post("/login", {"username": "writer", "password": PASSWORD},
                        REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="203.0.113.8")
    assert other.status_code == 302


def test_x_real_ip_from_elsewhere_is_not_believed() -> None:
    from django.test import RequestFactory

    r = RequestFactory().get("/", REMOTE_ADDR="198.51.100.4", HTTP_X_REAL_IP="10.0.0.1")
    assert ratelimit.client_address(r) == "198.51.100.4"
