"""In-app notifications (no email). Quiet mode stores nothing new for that person.

A notification quotes what it is about (a post's title, a check-in's date, a person's
shown name), so every one names its subject: the post, check-in, alert or circle, and
the person who acted. The database removes it with any of them, and
:func:`forget_unreadable` removes the ones a person may no longer see once they left a
circle, so nothing shared outlives the sharing. (A post stays in the one circle it was
shared with, so readers never lose a post any other way than by its deletion.)
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from attunement.circle.models import (
    Alert,
    Circle,
    Membership,
    Notification,
    Post,
    SharedCheckin,
    User,
)


def notify(users: Iterable[User], kind: str, text: str, url: str = "", *,
           actor: User | None = None, post: Post | None = None,
           checkin: SharedCheckin | None = None, alert: Alert | None = None,
           circle: Circle | None = None) -> int:
    """Tell each of ``users`` (never the actor, never someone in quiet mode); return how many.

    ``post``, ``checkin``, ``alert`` and ``circle`` name what it is about: it is deleted
    with them, and with the ``actor``'s account.
    """
    rows = [
        Notification(user=u, kind=kind, text=text[:300], url=url[:300], actor=actor,
                     post=post, checkin=checkin, alert=alert, circle=circle)
        for u in users
        if (actor is None or u.pk != actor.pk) and not u.quiet
    ]
    Notification.objects.bulk_create(rows)
    return len(rows)


def forget_unreadable(user_id: int, circle: Circle) -> int:
    """Delete what ``user_id`` was told through ``circle`` after they left it.

    Everything naming the circle, its check-ins and alerts, and the posts of the circle
    they cannot read any more (a post also shared with a circle they are still in stays).
    """
    still_in = Membership.objects.filter(user_id=user_id).values("circle_id")
    readable = Post.objects.filter(Q(author_id=user_id) | Q(circles__in=still_in)).values("pk")
    gone = (Notification.objects.filter(user_id=user_id)
            .filter(Q(circle=circle) | Q(checkin__circle=circle)
                    | (Q(post__circles=circle) & ~Q(post__in=readable))))
    deleted, _ = Notification.objects.filter(pk__in=gone.values("pk")).delete()
    return deleted
