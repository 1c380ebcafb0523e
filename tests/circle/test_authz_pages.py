"""Authorisation matrix of the pages: every role × object × action, and guessed ids.

Roles: the owner (writer), a member of the writer's circle, the writer's therapist, a
member of another writer's circle ("outsider"), and someone signed out. Objects: the
circle, the therapy circle, posts in each, comments, a held comment, an invitation, a
membership, a connected journal, and the other writer's circle and post. Actions:
read, list, comment, edit, delete, moderate, where the object has them.

An allowed action succeeds (and a write changes something); a denied one answers
403/404 (signed out: the sign-in page for a GET, 403 for a POST), changes nothing, and
its response holds none of the world's private words. A denied id answers exactly as
an id that does not exist, so guessing ids tells nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from attunement.circle.models import (
    Circle,
    Comment,
    DeviceToken,
    Invitation,
    Membership,
    Post,
    Reaction,
)
from tests.circle.conftest import signed_in, without_csrf

ROLES = ["owner", "member", "therapist", "outsider", "anonymous"]
ROLE_USER = {"owner": "writer", "member": "member", "therapist": "therapist",
             "outsider": "outsider", "anonymous": None}

# Words only the people allowed may ever see (names of things, bodies, notes).
SECRETS = [
    "Evening circle", "With my therapist", "After Tuesday", "I could not say it in the room",
    "For my therapist", "What I wanted to bring", "I remember when you felt safe",
    "Held back words", "Therapist answer", "for a friend", "Laptop journal", "Elsewhere",
    "A post in another circle", "Another circle", "Harbour", "Lantern",
]


@pytest.fixture
def world(circle, therapy_circle, other_circle, post, therapy_post, other_post,
          comment, invitation, writer_device, make_user, make_comment, therapist, member):
    """Every object of the matrix, by name, plus ids nobody has."""
    second = make_user("second", "Second member")
    Membership.objects.create(circle=circle, user=second, role=Membership.Role.MEMBER)
    held = make_comment(post, second, "Held back words", status=Comment.Status.HELD)
    therapy_comment = make_comment(therapy_post, therapist, "Therapist answer")
    membership = Membership.objects.get(circle=circle, user=member)
    return {
        "circle": circle, "therapy": therapy_circle, "other_circle": other_circle,
        "post": post, "therapy_post": therapy_post, "other_post": other_post,
        "comment": comment, "held": held, "therapy_comment": therapy_comment,
        "invitation": invitation.obj, "membership": membership,
        "device": writer_device.obj, "member": member,
    }


def snapshot() -> tuple[Any, ...]:
    """Everything a denied request must leave exactly as it was."""
    return (
        sorted(Comment.objects.values_list("id", "status", "body", "edited_at")),
        sorted(Reaction.objects.values_list("id", "kind")),
        sorted(Invitation.objects.values_list("id", "revoked", "used_at")),
        sorted(Membership.objects.values_list("id", "circle_id", "user_id", "role")),
        sorted(Circle.objects.values_list("id", "hold_comments", "name")),
        sorted(DeviceToken.objects.values_list("id", "revoked", "name")),
        sorted(Post.objects.values_list("id", "title")),
    )


@dataclass(frozen=True)
class Case:
    obj: str
    action: str
    method: str
    url: Callable[[dict[str, Any], int | None], str]  # (world, id override) -> url
    allowed: frozenset[str]
    data: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    marker: str = ""  # for list actions: the words that appear only when allowed


def _c(obj: str, action: str, method: str, pattern: str, allowed: set[str], key: str,
       data: Callable[[dict[str, Any]], dict[str, Any]] | None = None, marker: str = "") -> Case:
    def url(w: dict[str, Any], override: int | None) -> str:
        return pattern.format(id=override if override is not None else w[key].pk,
                              post=w["post"].pk, circle=w["circle"].pk,
                              member=w["member"].pk)
    return Case(obj, action, method, url, frozenset(allowed), data, marker)


OWNER = {"owner"}
CIRCLE_PEOPLE = {"owner", "member"}
THERAPY_PEOPLE = {"owner", "therapist"}

CASES = [
    # the writer's circle
    _c("circle", "read", "GET", "/circles/{id}/", CIRCLE_PEOPLE, "circle"),
    _c("circle", "list", "GET", "/", CIRCLE_PEOPLE, "circle", marker="Evening circle"),
    _c("circle", "edit", "POST", "/circles/{id}/settings", OWNER, "circle",
       lambda w: {"hold_comments": "on"}),
    _c("circle", "moderate", "POST", "/circles/{id}/invite", OWNER, "circle",
       lambda w: {"role": "member", "days": "3", "note": "x"}),
    # the therapy circle
    _c("therapy", "read", "GET", "/circles/{id}/", THERAPY_PEOPLE, "therapy"),
    _c("therapy", "list", "GET", "/", THERAPY_PEOPLE, "therapy", marker="With my therapist"),
    _c("therapy", "edit", "POST", "/circles/{id}/settings", OWNER, "therapy",
       lambda w: {"hold_comments": "on"}),
    # another writer's circle: the outsider's, nobody else's
    _c("other_circle", "read", "GET", "/circles/{id}/", {"outsider"}, "other_circle"),
    _c("other_circle", "list", "GET", "/", {"outsider"}, "other_circle", marker="Another circle"),
    # posts
    _c("post", "read", "GET", "/posts/{id}/", CIRCLE_PEOPLE, "post"),
    _c("post", "list", "GET", "/", CIRCLE_PEOPLE, "post", marker="After Tuesday"),
    _c("post", "comment", "POST", "/posts/{id}/comment", CIRCLE_PEOPLE, "post",
       lambda w: {"body": "a new comment"}),
    _c("post", "edit", "POST", "/posts/{id}/react", CIRCLE_PEOPLE, "post",
       lambda w: {"kind": "sending_care"}),
    _c("post", "delete", "GET", "/posts/{id}/delete", OWNER, "post"),
    _c("post", "delete", "POST", "/posts/{id}/delete", OWNER, "post",
       lambda w: {"confirm": "delete"}),
    _c("therapy_post", "read", "GET", "/posts/{id}/", THERAPY_PEOPLE, "therapy_post"),
    _c("therapy_post", "list", "GET", "/", THERAPY_PEOPLE, "therapy_post",
       marker="For my therapist"),
    _c("therapy_post", "comment", "POST", "/posts/{id}/comment", THERAPY_PEOPLE, "therapy_post",
       lambda w: {"body": "a new comment"}),
    _c("other_post", "read", "GET", "/posts/{id}/", {"outsider"}, "other_post"),
    _c("other_post", "comment", "POST", "/posts/{id}/comment", {"outsider"}, "other_post",
       lambda w: {"body": "a new comment"}),
    # comments
    _c("comment", "read", "GET", "/comments/{id}/thread", CIRCLE_PEOPLE, "comment"),
    _c("comment", "read", "GET", "/comments/{id}/", CIRCLE_PEOPLE, "comment"),
    _c("comment", "list", "GET", "/posts/{post}/", CIRCLE_PEOPLE, "comment",
       marker="I remember when you felt safe"),
    _c("comment", "comment", "POST", "/posts/{post}/comment", CIRCLE_PEOPLE, "comment",
       lambda w: {"body": "a reply", "parent": w["comment"].pk}),
    _c("comment", "edit", "GET", "/comments/{id}/edit", {"member"}, "comment"),
    _c("comment", "edit", "POST", "/comments/{id}/edit", {"member"}, "comment",
       lambda w: {"body": "changed words"}),
    _c("comment", "delete", "POST", "/comments/{id}/delete", {"member"}, "comment"),
    _c("comment", "moderate", "POST", "/comments/{id}/moderate", OWNER, "comment",
       lambda w: {"action": "hide"}),
    # a held comment: its author ("second", not a matrix role) and the owner only
    _c("held", "read", "GET", "/comments/{id}/thread", OWNER, "held"),
    _c("held", "list", "GET", "/posts/{post}/", OWNER, "held", marker="Held back words"),
    _c("held", "comment", "POST", "/posts/{post}/comment", OWNER, "held",
       lambda w: {"body": "a reply", "parent": w["held"].pk}),
    _c("held", "moderate", "POST", "/comments/{id}/moderate", OWNER, "held",
       lambda w: {"action": "approve"}),
    _c("held", "delete", "POST", "/comments/{id}/delete", set(), "held"),
    _c("held", "edit", "POST", "/comments/{id}/edit", set(), "held",
       lambda w: {"body": "changed"}),
    # the therapist's comment on the therapy post
    _c("therapy_comment", "read", "GET", "/comments/{id}/thread", THERAPY_PEOPLE,
       "therapy_comment"),
    _c("therapy_comment", "edit", "POST", "/comments/{id}/edit", {"therapist"},
       "therapy_comment", lambda w: {"body": "changed"}),
    _c("therapy_comment", "delete", "POST", "/comments/{id}/delete", {"therapist"},
       "therapy_comment"),
    _c("therapy_comment", "moderate", "POST", "/comments/{id}/moderate", OWNER,
       "therapy_comment", lambda w: {"action": "remove"}),
    # invitations, memberships, connected journals
    _c("invitation", "list", "GET", "/circles/{circle}/invite", OWNER, "invitation"),
    _c("invitation", "delete", "POST", "/circles/{circle}/invitations/{id}/revoke", OWNER,
       "invitation"),
    _c("membership", "list", "GET", "/circles/{circle}/", OWNER, "membership",
       marker="/members/{member}/remove"),
    _c("membership", "delete", "POST", "/circles/{circle}/members/{member}/remove", OWNER,
       "membership"),
    _c("device", "list", "GET", "/connect", OWNER, "device", marker="Laptop journal"),
    _c("device", "delete", "POST", "/connect/devices/{id}/revoke", OWNER, "device"),
]

def normalised(body: bytes) -> str:
    return without_csrf(body.decode())


def client_for(role: str, request: pytest.FixtureRequest) -> Client:
    name = ROLE_USER[role]
    user = request.getfixturevalue(name) if name else None
    return signed_in(user)


def send(c: Client, case: Case, w: dict[str, Any], override: int | None = None) -> Any:
    url = case.url(w, override)
    if case.method == "GET":
        return c.get(url)
    return c.post(url, case.data(w) if case.data else {})


def _visible_secrets(text: str, own: set[str]) -> list[str]:
    return [s for s in SECRETS if s in text and s not in own]


def _assert_denied(role: str, case: Case, response: Any, before: tuple[Any, ...]) -> None:
    text = response.content.decode()
    if role == "anonymous" and case.method == "GET":
        assert response.status_code == 302
        assert response["Location"].startswith("/login?next=")
    else:
        assert response.status_code in (403, 404), (response.status_code, text[:300])
    assert _visible_secrets(text, set()) == []
    assert snapshot() == before


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.obj}-{c.action}-{c.method}")
def test_matrix(role: str, case: Case, world: dict[str, Any],
                request: pytest.FixtureRequest) -> None:
    c = client_for(role, request)
    before = snapshot()
    response = send(c, case, world)
    allowed = role in case.allowed
    if case.marker:  # a listing: always reachable when signed in; shows the object or not
        marker = case.marker.format(member=world["member"].pk)
        if role == "anonymous":
            return _assert_denied(role, case, response, before)
        if allowed or response.status_code == 200:
            text = response.content.decode()
            assert (marker in text) == allowed, (role, case.obj, marker)
            return None
        return _assert_denied(role, case, response, before)
    if not allowed:
        return _assert_denied(role, case, response, before)
    assert response.status_code in (200, 302), (response.status_code,
                                                response.content.decode()[:400])
    if case.method == "POST":
        assert snapshot() != before
    return None


# Who may read each object: a 403 (rather than 404) only ever goes to one of them.
READERS = {c.obj: c.allowed for c in CASES if c.action == "read"}
READERS.update({"invitation": CIRCLE_PEOPLE, "membership": CIRCLE_PEOPLE, "device": OWNER})


DENIED = [
    pytest.param(role, case, id=f"{case.obj}-{case.action}-{case.method}-{role}")
    for case in CASES if not case.marker
    for role in ("owner", "member", "therapist", "outsider") if role not in case.allowed
]


@pytest.mark.parametrize(("role", "case"), DENIED)
def test_a_denied_id_answers_like_one_that_does_not_exist(
        role: str, case: Case, world: dict[str, Any], request: pytest.FixtureRequest) -> None:
    """Same status, same page, for "not yours" and "no such thing" (and huge ids)."""
    c = client_for(role, request)
    real = send(c, case, world)
    guessed = send(c, case, world, override=987_654_321)
    huge = send(c, case, world, override=10**17)
    assert guessed.status_code == huge.status_code
    assert normalised(guessed.content) == normalised(huge.content)
    if real.status_code == 403:  # "you may not do this" only to someone who sees the object
        assert role in READERS[case.obj]
    else:
        assert real.status_code == guessed.status_code
        assert normalised(real.content) == normalised(guessed.content)


@pytest.mark.parametrize("url", [
    "/circles/99999999999999999999999/", "/posts/123456789012345678901234567890/",
    "/comments/-1/edit", "/comments/1e3/thread", "/posts/0x10/",
])
def test_ids_outside_the_pattern_are_not_found(url: str, writer_client: Client) -> None:
    assert writer_client.get(url).status_code == 404
