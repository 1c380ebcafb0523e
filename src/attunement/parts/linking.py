"""The picker on the entry, session and check-in forms, and saving what it says.

The pages of the record and the check-ins call two things: :func:`picker` (through the
``who_picker`` template tag) to draw "who was writing / who was there", and
:func:`save_from_post` after their own save. Both do nothing while the feature is off,
so a form saved then leaves every earlier link as it was: turning the feature off hides
authorship, it never loses it.

The picker writes a hidden ``who_shown`` field. Only a form that carried the picker can
change links: a POST without it (an old page, a script, the feature switched off in
another tab) keeps the links as they were, and an empty picker that *was* shown clears
them, as the person asked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from attunement.parts import authorship, prefs, services
from attunement.parts.models import Authorship, FrontState, Part

SHOWN_FIELD = "who_shown"
WHO_FIELD = "who"


def _is_saved(item: Any) -> bool:
    return item is not None and getattr(item, "pk", None) is not None


def _choices(
    linked: Iterable[Authorship],
) -> tuple[list[Part], list[FrontState]]:
    """Parts and states to offer: the active ones, plus archived ones already linked.

    An archived part stays checked on the entries it wrote; leaving it out of the
    picker would silently drop the link the next time the entry is saved.
    """
    parts, states = services.active_parts(), services.active_states()
    for link in linked:
        if link.part is not None and link.part.deletion_due_at is None and link.part not in parts:
            parts.append(link.part)
        if link.state is not None and link.state not in states:
            states.append(link.state)
    return parts, states


def picker(
    item: Any,
    role: str,
    *,
    post: Any = None,
    now: dt.datetime | None = None,
    start_with_front: bool = False,
) -> dict[str, Any] | None:
    """Context for ``parts/_picker.html``, or None while the feature is off.

    Checked are, in order of precedence: what was just posted (a form shown again
    after an error keeps the choice), the links ``item`` already has, or, for a new
    item with ``start_with_front``, whoever is recorded as here at ``now``.
    """
    if not prefs.is_enabled():
        return None
    linked = authorship.links(item, role) if _is_saved(item) else []
    if post is not None and post.get(SHOWN_FIELD) == "1":
        chosen = set(post.getlist(WHO_FIELD))
    elif _is_saved(item):
        chosen = set(authorship.who_values(item, role))
    elif start_with_front and now is not None:
        chosen = set(authorship.current_who(now))
    else:
        chosen = set()
    pick_parts, pick_states = _choices(linked)
    return {"pick_parts": pick_parts, "pick_states": pick_states, "chosen": chosen}


def save_from_post(item: Any, post: Any, role: str) -> bool:
    """Store the picker's choice for ``item``; False (nothing changed) when it was not shown.

    Links to a part waiting to be deleted are not in the picker, so they are kept as
    they are: cancelling the deletion brings the part back with all its writing.
    """
    if not prefs.is_enabled() or post.get(SHOWN_FIELD) != "1":
        return False
    parts, states = authorship.parse_who(post.getlist(WHO_FIELD))
    waiting = [
        link.part
        for link in authorship.links(item, role)
        if link.part is not None and link.part.deletion_due_at is not None
    ]
    authorship.set_links(item, [*parts, *waiting], states, role=role)
    return True


def who(item: Any, role: str | None = None) -> list[Authorship]:
    """The links to show on an item's page; empty while the feature is off."""
    if not _is_saved(item) or not prefs.is_enabled():
        return []
    return authorship.links(item, role)
