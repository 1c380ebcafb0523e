"""Signing in and out: the messages, the redirect, and the rate limits on guessing.

One address may try 10 times in 15 minutes; one account name 100 times from anywhere,
except from a browser that signed in to that account before (a signed "known browser"
cookie), so a stranger's guesses never lock the owner out.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.utils import timezone

from attunement.circle import ratelimit
from attunement.circle.models import RateEvent, User
from attunement.circle.views_auth import KNOWN_AGE, KNOWN_COOKIE, KNOWN_SALT, LOGIN_FAILED
from attunement.circle.views_common import wait_message
from tests.circle.conftest import PASSWORD, csp_problems

LIMIT = ratelimit.LIMITS["login"][0]
NAME_LIMIT = ratelimit.LIMITS["login_name"][0]


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


def _guessed_from_many_places(name: str, n: int = NAME_LIMIT) -> None:
    """``n`` failed attempts at ``name`` in the last minutes, as from many addresses."""
    now = timezone.now()
    RateEvent.objects.bulk_create([
        RateEvent(scope="login_name", key=f"name:{name}", at=now) for _ in range(n)])


def test_the_per_name_limit_is_ten_times_the_per_address_one() -> None:
    assert ratelimit.LIMITS["login"] == (10, 900)
    assert ratelimit.LIMITS["login_name"] == (100, 900)


def test_too_many_guesses_at_one_name_are_refused_from_a_new_browser(client: Client,
                                                                     writer: User) -> None:
    _guessed_from_many_places("writer", NAME_LIMIT - 1)
    assert _fail(client, "Writer", address="10.1.0.1") == 400  # the hundredth, counted
    response = client.post("/login", {"username": "writer", "password": PASSWORD},
                           REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 429
    assert ("Too many attempts to sign in with this name; try again in 15 minutes, or sign "
            "in from a browser you have signed in with before.") in response.content.decode()
    assert int(response["Retry-After"]) > 14 * 60
    assert client.get("/").status_code == 302


def signed(value: str) -> str:
    """``value`` signed as the server signs the known-browser cookie."""
    response = HttpResponse()
    response.set_signed_cookie(KNOWN_COOKIE, value, salt=KNOWN_SALT)
    return response.cookies[KNOWN_COOKIE].value


def _known_browser(writer: User) -> Client:
    """A browser the writer signed in with before (and signed out of)."""
    browser = Client()
    first = browser.post("/login", {"username": "writer", "password": PASSWORD},
                         REMOTE_ADDR="192.0.2.10")
    assert first.status_code == 302
    browser.post("/logout")
    return browser


def test_signing_in_marks_the_browser_as_known(client: Client, writer: User,
                                               settings) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/login", {"username": "writer", "password": PASSWORD})
    cookie = response.cookies[KNOWN_COOKIE]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["max-age"] == 365 * 24 * 60 * 60
    assert not cookie["secure"]  # plain HTTP in tests
    assert KNOWN_SALT == "login"
    request = HttpRequest()
    request.COOKIES[KNOWN_COOKIE] = cookie.value
    assert request.get_signed_cookie(KNOWN_COOKIE, salt=KNOWN_SALT,
                                     max_age=KNOWN_AGE) == str(writer.pk)
    settings.SESSION_COOKIE_SECURE = True  # behind TLS (ATTUNE_BEHIND_TLS=1)
    again = Client().post("/login", {"username": "writer", "password": PASSWORD})
    assert again.cookies[KNOWN_COOKIE]["secure"] is True


def test_one_address_guessing_cannot_lock_the_writer_out(client: Client, writer: User) -> None:
    """Review finding 5: ten wrong passwords from one address every quarter hour used to
    lock the name for good. Now that address only blocks itself."""
    attacker = Client()
    for _ in range(3):  # three windows of 15 minutes
        for _ in range(LIMIT):
            assert _fail(attacker, "writer", address="198.51.100.66") == 400
        assert _fail(attacker, "writer", address="198.51.100.66") == 429
        RateEvent.objects.update(at=timezone.now() - timedelta(minutes=16))
    for _ in range(LIMIT):
        _fail(attacker, "writer", address="198.51.100.66")
    assert _fail(attacker, "writer", address="198.51.100.66") == 429
    response = client.post("/login", {"username": "writer", "password": PASSWORD},
                           REMOTE_ADDR="203.0.113.5")
    assert response.status_code == 302


def test_a_known_browser_gets_in_while_the_name_is_under_attack(writer: User) -> None:
    browser = _known_browser(writer)
    _guessed_from_many_places("writer", NAME_LIMIT + 50)
    stranger = Client().post("/login", {"username": "writer", "password": PASSWORD},
                             REMOTE_ADDR="192.0.2.10")
    assert stranger.status_code == 429
    response = browser.post("/login", {"username": "writer", "password": PASSWORD},
                            REMOTE_ADDR="192.0.2.10")
    assert response.status_code == 302
    assert browser.get("/").status_code == 200


def test_a_known_browser_still_needs_the_password(writer: User) -> None:
    browser = _known_browser(writer)
    _guessed_from_many_places("writer")
    wrong = browser.post("/login", {"username": "writer", "password": "not it at all"})
    assert wrong.status_code == 400
    assert LOGIN_FAILED in wrong.content.decode()
    assert browser.get("/").status_code == 302


def test_a_known_browser_is_still_limited_by_its_address(writer: User) -> None:
    browser = _known_browser(writer)  # one attempt from 192.0.2.10 already
    for _ in range(LIMIT - 1):
        browser.post("/login", {"username": "writer", "password": "wrong guess here"},
                     REMOTE_ADDR="192.0.2.10")
    blocked = browser.post("/login", {"username": "writer", "password": PASSWORD},
                           REMOTE_ADDR="192.0.2.10")
    assert blocked.status_code == 429
    assert "Too many attempts; try again in 15 minutes." in blocked.content.decode()


@pytest.mark.parametrize("cookie", ["forged", "other-account", "tampered"])
def test_only_a_genuine_cookie_for_that_account_bypasses_the_name_limit(
        writer: User, member: User, cookie: str) -> None:
    browser = Client()
    value = {"forged": str(writer.pk), "other-account": signed(str(member.pk)),
             "tampered": signed(str(member.pk)).replace(f"{member.pk}:", f"{writer.pk}:", 1)
             }[cookie]
    browser.cookies[KNOWN_COOKIE] = value
    _guessed_from_many_places("writer")
    response = browser.post("/login", {"username": "writer", "password": PASSWORD})
    assert response.status_code == 429


def test_a_known_browser_for_one_name_is_not_known_for_another(writer: User,
                                                               member: User) -> None:
    browser = _known_browser(writer)
    _guessed_from_many_places("member")
    response = browser.post("/login", {"username": "member", "password": PASSWORD})
    assert response.status_code == 429


def test_the_wait_shrinks_as_attempts_age(client: Client, writer: User) -> None:
    for i in range(LIMIT):
        _fail(client, f"n{i}")
    RateEvent.objects.filter(scope="login").update(at=timezone.now() - timedelta(minutes=13))
    response = client.post("/login", {"username": "x", "password": "y"}, REMOTE_ADDR="10.0.0.1")
    assert "Too many attempts; try again in 2 minutes." in response.content.decode()


def test_signing_in_forgets_the_failures_of_that_name(client: Client, writer: User) -> None:
    for i in range(3):
        _fail(client, "writer", address=f"10.2.0.{i}")
    assert RateEvent.objects.filter(scope="login_name", key="name:writer").count() == 3
    client.post("/login", {"username": "writer", "password": PASSWORD}, REMOTE_ADDR="10.3.0.1")
    assert not RateEvent.objects.filter(scope="login_name", key="name:writer").exists()


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
