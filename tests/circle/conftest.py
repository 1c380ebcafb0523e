"""Shared fixtures for the circle server's tests: one small world, built in code.

The world: a writer who owns a ``circle`` (with a member) and a ``therapy`` circle
(with a therapist), and a second writer whose own circle has an outsider in it. The two
writers have ``can_write``; everyone else is an invited reader without it. Each
has a signed-in test client. Posts, a comment, an open invitation and a connected
journal are separate fixtures so a test pulls in only what it needs.

Conventions the app follows too (see ``attunement.circle.accounts``): the owner of a
circle always has a ``Membership`` row with role ``owner``; a therapy circle holds at
most one therapist.

Every user's password is :data:`PASSWORD`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.utils import timezone

from attunement.circle.models import (
    Circle,
    Comment,
    DeviceToken,
    Invitation,
    Membership,
    Post,
    User,
    new_token,
    token_hash,
)

PASSWORD = "a calm and long passphrase"


@pytest.fixture
def make_user(db) -> Callable[..., User]:  # type: ignore[no-untyped-def]
    """Factory: ``make_user("name", display_name="Shown name", can_write=False)`` with
    :data:`PASSWORD`. Writers (``can_write``) make circles, connect journals and share."""

    def make(username: str, display_name: str = "", *, can_write: bool = False) -> User:
        user = User(username=username, display_name=display_name or username.title(),
                    can_write=can_write)
        user.set_password(PASSWORD)
        user.save()
        return user

    return make


@pytest.fixture
def make_circle(db) -> Callable[..., Circle]:  # type: ignore[no-untyped-def]
    """Factory: ``make_circle(owner, "Name", kind="circle", members=[...], therapist=u)``."""

    def make(owner: User, name: str, kind: str = Circle.Kind.CIRCLE,
             members: tuple[User, ...] | list[User] = (), therapist: User | None = None,
             hold_comments: bool = False) -> Circle:
        c = Circle.objects.create(owner=owner, name=name, kind=kind, hold_comments=hold_comments)
        Membership.objects.create(circle=c, user=owner, role=Membership.Role.OWNER)
        for m in members:
            Membership.objects.create(circle=c, user=m, role=Membership.Role.MEMBER)
        if therapist is not None:
            Membership.objects.create(circle=c, user=therapist, role=Membership.Role.THERAPIST)
        return c

    return make


@pytest.fixture
def make_post(db) -> Callable[..., Post]:  # type: ignore[no-untyped-def]
    """Factory: ``make_post(author, [circles], title=..., body=..., local_id=...)``."""
    counter = iter(range(1, 1_000_000))

    def make(author: User, circles: list[Circle], title: str = "A shared entry",
             body: str = "Today the session felt *far away*.", local_id: str = "") -> Post:
        p = Post.objects.create(
            author=author, local_id=local_id or f"entry-made-{next(counter)}", title=title,
            body=body, written_at=timezone.now(),
        )
        p.circles.set(circles)
        return p

    return make


@pytest.fixture
def make_comment(db) -> Callable[..., Comment]:  # type: ignore[no-untyped-def]
    """Factory: ``make_comment(post, author, "text", parent=None, status="visible")``.

    Stores the body rendered through the app's sanitiser, as the comment page does.
    """
    from attunement.circle.rendering import render_markdown

    def make(post: Post, author: User | None, body: str = "I hold that for you.",
             parent: Comment | None = None, status: str = Comment.Status.VISIBLE) -> Comment:
        return Comment.objects.create(
            post=post, author=author, parent=parent, body=body,
            body_html=str(render_markdown(body)),
            depth=(parent.depth + 1) if parent else 0, status=status,
        )

    return make


# --- the people -------------------------------------------------------------------


@pytest.fixture
def writer(make_user) -> User:  # type: ignore[no-untyped-def]
    """A writer (``can_write``); owns ``circle`` and ``therapy_circle``."""
    return make_user("writer", "Lantern", can_write=True)


@pytest.fixture
def member(make_user) -> User:  # type: ignore[no-untyped-def]
    """A member of ``circle`` (not of the therapy circle)."""
    return make_user("member", "Harbour")


@pytest.fixture
def therapist(make_user) -> User:  # type: ignore[no-untyped-def]
    """The therapist of ``therapy_circle`` (and nothing else)."""
    return make_user("therapist", "Dr. Willow")


@pytest.fixture
def other_writer(make_user) -> User:  # type: ignore[no-untyped-def]
    """A writer; owns ``other_circle``; shares nothing with ``writer``."""
    return make_user("otherwriter", "Kestrel", can_write=True)


@pytest.fixture
def outsider(make_user) -> User:  # type: ignore[no-untyped-def]
    """A member of ``other_circle`` only: must see nothing of ``writer``'s circles."""
    return make_user("outsider", "Bramble")


# --- the circles --------------------------------------------------------------------


@pytest.fixture
def circle(make_circle, writer, member) -> Circle:  # type: ignore[no-untyped-def]
    return make_circle(writer, "Evening circle", members=[member])


@pytest.fixture
def therapy_circle(make_circle, writer, therapist) -> Circle:  # type: ignore[no-untyped-def]
    return make_circle(writer, "With my therapist", kind=Circle.Kind.THERAPY, therapist=therapist)


@pytest.fixture
def other_circle(make_circle, other_writer, outsider) -> Circle:  # type: ignore[no-untyped-def]
    return make_circle(other_writer, "Another circle", members=[outsider])


# --- what was shared --------------------------------------------------------------


@pytest.fixture
def post(make_post, writer, circle) -> Post:  # type: ignore[no-untyped-def]
    """The writer's post shared with ``circle``."""
    return make_post(writer, [circle], title="After Tuesday",
                     body="I could not say it in the room.", local_id="entry-1")


@pytest.fixture
def therapy_post(make_post, writer, therapy_circle) -> Post:  # type: ignore[no-untyped-def]
    """The writer's post shared with the therapist only."""
    return make_post(writer, [therapy_circle], title="For my therapist",
                     body="What I wanted to bring next time.", local_id="entry-2")


@pytest.fixture
def other_post(make_post, other_writer, other_circle) -> Post:  # type: ignore[no-untyped-def]
    return make_post(other_writer, [other_circle], title="Elsewhere",
                     body="A post in another circle.", local_id="entry-9")


@pytest.fixture
def comment(make_comment, post, member) -> Comment:  # type: ignore[no-untyped-def]
    """The member's comment on ``post``."""
    return make_comment(post, member, "I remember when you felt safe with her.")


@dataclass
class Secret:
    """A stored object and the secret shown once for it (only the hash is in the database)."""

    obj: object
    secret: str


@pytest.fixture
def invitation(circle, writer) -> Secret:  # type: ignore[no-untyped-def]
    """An open member invitation to ``circle``; ``.secret`` is the token of its link."""
    token = new_token()
    inv = Invitation.objects.create(
        circle=circle, created_by=writer, role=Membership.Role.MEMBER,
        token_hash=token_hash(token), note="for a friend",
        expires_at=timezone.now() + timedelta(days=7),
    )
    return Secret(inv, token)


@pytest.fixture
def writer_device(writer) -> Secret:  # type: ignore[no-untyped-def]
    """A connected journal of ``writer``; ``.secret`` is its Bearer token."""
    token = new_token()
    device = DeviceToken.objects.create(
        user=writer, name="Laptop journal", claim_hash=token_hash(new_token()),
        claim_expires_at=timezone.now() - timedelta(minutes=1), token_hash=token_hash(token),
        claimed_at=timezone.now(),
    )
    return Secret(device, token)


# --- clients ----------------------------------------------------------------------


def signed_in(user: User | None, *, enforce_csrf: bool = False) -> Client:
    """A test client signed in as ``user`` (signed out when ``None``)."""
    c = Client(enforce_csrf_checks=enforce_csrf)
    if user is not None:
        c.force_login(user)
    return c


@pytest.fixture
def client(db) -> Client:  # type: ignore[no-untyped-def]
    """A signed-out browser (replaces the journal's unlocked client in this profile)."""
    return Client()


@pytest.fixture
def writer_client(writer) -> Client:  # type: ignore[no-untyped-def]
    return signed_in(writer)


@pytest.fixture
def member_client(member) -> Client:  # type: ignore[no-untyped-def]
    return signed_in(member)


@pytest.fixture
def therapist_client(therapist) -> Client:  # type: ignore[no-untyped-def]
    return signed_in(therapist)


@pytest.fixture
def outsider_client(outsider) -> Client:  # type: ignore[no-untyped-def]
    return signed_in(outsider)


# --- page checks --------------------------------------------------------------------


class _CspAudit(HTMLParser):
    """Collects what the Content-Security-Policy (script-src/style-src 'self') would block."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag == "script":
            src = names.get("src") or ""
            if not src.startswith("/static/"):
                self.problems.append(f"script not from /static/: {src!r}")
        if tag == "style":
            self.problems.append("inline <style> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event attribute {name} on <{tag}>")
            if name == "style":
                self.problems.append(f"style attribute on <{tag}>")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower(
            ).startswith(("javascript:", "data:", "vbscript:")):
                self.problems.append(f"{name}={value!r} on <{tag}>")


_CSRF = re.compile(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+')


def without_csrf(html: str) -> str:
    """The page with its per-response CSRF tokens blanked, to compare two pages."""
    return _CSRF.sub(r"\1-", html)


def csp_problems(html: str) -> list[str]:
    """What in a page would break under the circle server's CSP, or be script (empty: fine)."""
    audit = _CspAudit()
    audit.feed(html)
    return audit.problems
