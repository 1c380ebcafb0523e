"""CSRF on every state-changing page: refused without the token, accepted with it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from attunement.circle.models import (
    Circle,
    Comment,
    DeviceToken,
    Invitation,
    Membership,
    Notification,
    Post,
    Reaction,
    User,
)
from tests.circle.conftest import PASSWORD, signed_in

NEW_PASSWORD = "another calm long passphrase"

# (who, path with {ids}, form data)
STATE_CHANGING: list[tuple[str | None, str, dict[str, str]]] = [
    (None, "/login", {"username": "writer", "password": PASSWORD}),
    (None, "/invite/{token}", {"username": "new", "display_name": "New",
                               "password": PASSWORD, "password2": PASSWORD}),
    ("writer", "/logout", {}),
    ("writer", "/circles/new", {"name": "Fresh", "kind": "circle"}),
    ("writer", "/circles/{circle}/settings", {"hold_comments": "on"}),
    ("writer", "/circles/{circle}/invite", {"role": "member", "days": "2"}),
    ("writer", "/circles/{circle}/invitations/{invitation}/revoke", {}),
    ("writer", "/circles/{circle}/members/{member}/remove", {}),
    ("member", "/posts/{post}/comment", {"body": "hello"}),
    ("member", "/posts/{post}/react", {"kind": "me_too"}),
    ("member", "/comments/{comment}/edit", {"body": "changed"}),
    ("member", "/comments/{comment}/delete", {}),
    ("writer", "/comments/{comment}/moderate", {"action": "hide"}),
    ("writer", "/posts/{post}/delete", {"confirm": "delete"}),
    ("member", "/notifications/read", {}),
    ("member", "/account", {"display_name": "Renamed", "quiet": "on"}),
    ("member", "/account/password", {"old_password": PASSWORD, "new_password1": NEW_PASSWORD,
                                     "new_password2": NEW_PASSWORD}),
    ("member", "/account/delete", {"comments": "keep", "password": PASSWORD}),
    ("writer", "/connect", {"name": "Laptop"}),
    ("writer", "/connect/devices/{device}/revoke", {}),
]


def state() -> tuple[Any, ...]:
    return (
        sorted(User.objects.values_list("id", "display_name", "quiet", "password")),
        sorted(Circle.objects.values_list("id", "hold_comments")),
        sorted(Membership.objects.values_list("id")),
        sorted(Invitation.objects.values_list("id", "revoked", "used_at")),
        sorted(Comment.objects.values_list("id", "status", "body")),
        sorted(Reaction.objects.values_list("id")),
        sorted(Notification.objects.values_list("id", "read_at")),
        sorted(DeviceToken.objects.values_list("id", "revoked")),
        sorted(Post.objects.values_list("id")),
    )


@pytest.fixture
def ids(circle, post, comment, invitation, writer_device, member, writer) -> dict[str, Any]:
    Notification.objects.create(user=member, kind="comment", text="unread")
    return {"circle": circle.pk, "post": post.pk, "comment": comment.pk,
            "invitation": invitation.obj.pk, "token": invitation.secret,
            "device": writer_device.obj.pk, "member": member.pk}


def _client(who: str | None, request: pytest.FixtureRequest) -> Client:
    return signed_in(request.getfixturevalue(who) if who else None, enforce_csrf=True)


def _csrf_token(c: Client) -> str:
    """Get a token the way a browser does: from a page with a form."""
    c.get("/connect/any")
    return str(c.cookies["csrftoken"].value)


Case = tuple[str | None, str, dict[str, str]]
_ID: Callable[[Case], str] = lambda case: case[1]  # noqa: E731


@pytest.mark.parametrize("case", STATE_CHANGING, ids=_ID)
def test_a_post_without_the_csrf_token_is_refused(case: Case, ids: dict[str, Any],
                                                  request: pytest.FixtureRequest) -> None:
    who, path, data = case
    c = _client(who, request)
    before = state()
    response = c.post(path.format(**ids), data)
    assert response.status_code == 403
    assert "CSRF verification failed" in response.content.decode()
    assert state() == before
    if who is not None:
        assert c.get("/account").status_code == 200  # still signed in (logout refused too)


@pytest.mark.parametrize("case", STATE_CHANGING, ids=_ID)
def test_the_same_post_with_the_token_goes_through(case: Case, ids: dict[str, Any],
                                                   request: pytest.FixtureRequest) -> None:
    who, path, data = case
    c = _client(who, request)
    token = _csrf_token(c)
    before = state()
    response = c.post(path.format(**ids), {**data, "csrfmiddlewaretoken": token})
    assert response.status_code in (200, 302), response.content.decode()[:500]
    if path in ("/login", "/logout"):
        assert (c.get("/account").status_code == 200) == (path == "/login")
    else:
        assert state() != before
