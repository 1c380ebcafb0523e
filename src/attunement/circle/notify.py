"""In-app notifications (no email). Quiet mode stores nothing new for that person."""

from __future__ import annotations

from collections.abc import Iterable

from attunement.circle.models import Notification, User


def notify(users: Iterable[User], kind: str, text: str, url: str = "",
           *, actor: User | None = None) -> int:
    """Tell each of ``users`` (never the actor, never someone in quiet mode); return how many."""
    rows = [
        Notification(user=u, kind=kind, text=text[:300], url=url[:300])
        for u in users
        if (actor is None or u.pk != actor.pk) and not u.quiet
    ]
    Notification.objects.bulk_create(rows)
    return len(rows)
