"""Who may see and do what on the circle server: the one place pages ask.

The rules:

- A circle's **owner** (``Circle.owner``) may do everything on it and on their posts:
  read, invite, remove members, moderate every comment on their posts.
- A **member** reads the posts shared with their circle, comments, replies and reacts.
- A **therapist** is a member of one therapy circle: she reads the posts shared with
  that circle and comments; nothing of the writer's other circles reaches her, because
  everything here goes through membership of the circle a post was shared with.
- Anyone else gets "not found" for every circle, post, comment, invitation or device id,
  whether it exists or not (:class:`Hidden` becomes a 404), so guessing ids reveals
  nothing. Someone who can see an object but may not do an action gets :class:`Refused`
  (a 403 saying what they may not do, with nothing of the object in it).

Comment visibility: a visible comment is read by everyone who can read the post; a
held one (waiting for approval) and a hidden one only by its author and the post's
author; a removed one by nobody. Pages keep an unreadable comment as a placeholder
only where readable replies hang under it.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from attunement.circle.models import Circle, Comment, Membership, Post, User

EDIT_WINDOW = timedelta(minutes=15)


class Hidden(Http404):
    """The object does not exist for this person (rendered as a calm "not found")."""


class Refused(Exception):
    """The person can see the object but may not do this; ``message`` says what."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- writers ----------------------------------------------------------------------

NOT_A_WRITER = ("Only writers make circles and connect journals here. Whoever runs this "
                "server decides who is a writer; as a member you read and answer what "
                "writers share with you.")


def check_writer(user: User) -> None:
    """Making circles and connecting journals is for writers (``User.can_write``) only:
    an invitation must never hand out the right to publish and invite."""
    if not user.can_write:
        raise Refused(NOT_A_WRITER)


# --- circles ----------------------------------------------------------------------


def circles_of(user: User) -> QuerySet[Circle]:
    """Every circle the person belongs to, in any role (owners have a membership too)."""
    return Circle.objects.filter(Q(owner=user) | Q(memberships__user=user)).distinct()


def role_in(user: User, circle: Circle) -> str | None:
    """``owner``, ``member``, ``therapist`` or ``None``."""
    if circle.owner_id == user.pk:
        return Membership.Role.OWNER
    m = Membership.objects.filter(circle=circle, user=user).values_list("role", flat=True)
    return m.first()


def circle_for(user: User, circle_id: int) -> Circle:
    """The circle if the person belongs to it; otherwise :class:`Hidden`."""
    c = circles_of(user).filter(pk=circle_id).select_related("owner").first()
    if c is None:
        raise Hidden()
    return c


def owned_circle(user: User, circle_id: int) -> Circle:
    """The circle if the person owns it; members are refused, everyone else sees nothing."""
    c = circle_for(user, circle_id)
    if c.owner_id != user.pk:
        raise Refused("Only the circle's owner can do that.")
    return c


# --- posts ------------------------------------------------------------------------


def posts_for(user: User) -> QuerySet[Post]:
    """Every post the person may read: their own, and those shared with their circles."""
    shared = Post.objects.filter(circles__memberships__user=user).values("pk")
    return Post.objects.filter(Q(author=user) | Q(pk__in=shared))


def post_for(user: User, post_id: int) -> Post:
    p = posts_for(user).filter(pk=post_id).select_related("author").first()
    if p is None:
        raise Hidden()
    return p


def moderates(user: User, post: Post) -> bool:
    """The post's author (the writer who owns its circles) moderates its comments."""
    return post.author_id == user.pk


def holds_comments(post: Post) -> bool:
    """New comments wait for approval when any circle the post is shared with says so."""
    return post.circles.filter(hold_comments=True).exists()


def circles_seen(user: User, post: Post) -> QuerySet[Circle]:
    """The circles of a post this person may know about (never the writer's others)."""
    if post.author_id == user.pk:
        return post.circles.all()
    return post.circles.filter(memberships__user=user).distinct()


# --- comments ---------------------------------------------------------------------


def reads_comment(user: User, post: Post, status: str, author_id: int | None) -> bool:
    """Whether this person may read a comment (see the module docstring)."""
    if status == Comment.Status.VISIBLE:
        return True
    if status in (Comment.Status.HELD, Comment.Status.HIDDEN):
        return post.author_id == user.pk or (author_id is not None and author_id == user.pk)
    return False


def comment_for(user: User, comment_id: int) -> Comment:
    """A comment the person may read, on a post they may read; otherwise :class:`Hidden`."""
    c = Comment.objects.filter(pk=comment_id).select_related("post", "author").first()
    if c is None or not posts_for(user).filter(pk=c.post_id).exists():
        raise Hidden()
    if not reads_comment(user, c.post, c.status, c.author_id):
        raise Hidden()
    return c


def thread_anchor_for(user: User, comment_id: int) -> Comment:
    """A comment to open a thread page at: readable, or a placeholder with readable replies."""
    c = Comment.objects.filter(pk=comment_id).select_related("post", "author").first()
    if c is None or not posts_for(user).filter(pk=c.post_id).exists():
        raise Hidden()
    return c


def check_edit(user: User, comment: Comment) -> None:
    """Only the author edits, and only for 15 minutes after posting."""
    if comment.author_id != user.pk:
        raise Refused("Only the person who wrote a comment can change it.")
    if comment.status in (Comment.Status.REMOVED, Comment.Status.HIDDEN):
        raise Refused("This comment can no longer be changed.")
    if timezone.now() - comment.created > EDIT_WINDOW:
        raise Refused(
            "Comments can be changed for 15 minutes after they are posted; this one is older, "
            "so it stays as it is. You can still delete it."
        )


def check_delete(user: User, comment: Comment) -> None:
    if comment.author_id != user.pk:
        raise Refused("Only the person who wrote a comment can delete it.")


def check_delete_post(user: User, post: Post) -> None:
    """Only the post's writer deletes it (readers get a plain refusal)."""
    if post.author_id != user.pk:
        raise Refused("Only the writer of a post can delete it.")


def check_moderate(user: User, comment: Comment) -> None:
    if not moderates(user, comment.post):
        raise Refused("Only the writer of the post can moderate its comments.")


def check_reply_to(user: User, post: Post, parent: Comment) -> None:
    """A reply answers a readable, still-standing comment on the same post."""
    if parent.post_id != post.pk or not reads_comment(user, post, parent.status, parent.author_id):
        raise Hidden()
    if parent.status in (Comment.Status.REMOVED, Comment.Status.HIDDEN):
        raise Refused("That comment can no longer be answered.")
