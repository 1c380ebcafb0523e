"""Who wrote or was present: the seam the entry, check-in and session pages use.

Items are ``record.Entry``, ``checkins.Checkin`` or ``record.Session``. Choices come
from a form as ``who`` values ``"part:<id>"`` / ``"state:<id>"`` (the picker
template ``parts/_picker.html`` writes them). Nothing here checks whether the feature
is on: callers show the picker only when :func:`attunement.parts.prefs.is_enabled`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from attunement.parts import fronts
from attunement.parts.models import Authorship, FrontState, Part

Role = str  # Authorship.Role.WRITING ("writing") or Authorship.Role.PRESENT ("present")


def _target(item: Any) -> dict[str, Any]:
    """The Authorship field that points at ``item``."""
    from attunement.checkins.models import Checkin
    from attunement.record.models import Entry, Session

    for field, model in (("entry", Entry), ("checkin", Checkin), ("session", Session)):
        if isinstance(item, model):
            return {field: item}
    message = f"Parts can be linked to entries, check-ins and sessions, not {type(item)}"
    raise TypeError(message)


def parse_who(values: Iterable[str]) -> tuple[list[Part], list[FrontState]]:
    """The parts and states named by picker values; unknown or malformed ones are ignored."""
    ids: dict[str, list[int]] = {"part": [], "state": []}
    for value in values:
        kind, _, ident = value.partition(":")
        if kind in ids and ident.isdigit():
            ids[kind].append(int(ident))
    part_ids, state_ids = ids["part"], ids["state"]
    return (
        list(Part.objects.filter(pk__in=part_ids, deletion_due_at__isnull=True)),
        list(FrontState.objects.filter(pk__in=state_ids)),
    )


@transaction.atomic
def set_links(
    item: Any, parts: Iterable[Part], states: Iterable[FrontState] = (), *, role: Role = "writing"
) -> None:
    """Make these parts/states the ones ``role`` for ``item`` (replacing earlier ones)."""
    target = _target(item)
    Authorship.objects.filter(role=role, **target).delete()
    Authorship.objects.bulk_create(
        [Authorship(part=p, role=role, **target) for p in dict.fromkeys(parts)]
        + [Authorship(state=s, role=role, **target) for s in dict.fromkeys(states)]
    )


def links(item: Any, role: Role | None = None) -> list[Authorship]:
    """The authorship rows of ``item`` (optionally of one role), parts first."""
    rows = Authorship.objects.filter(**_target(item)).select_related("part", "state")
    if role is not None:
        rows = rows.filter(role=role)
    return sorted(rows, key=lambda a: (a.part_id is None, a.pk))


def current_who(now: dt.datetime) -> list[str]:
    """Picker values for who is here now, so a new entry starts with the current front."""
    values: list[str] = []
    for period in fronts.open_periods(now):
        values += [f"part:{p.pk}" for p in period.parts.all() if p.deletion_due_at is None]
        values += [f"state:{s.pk}" for s in period.states.all()]
    return list(dict.fromkeys(values))


def who_values(item: Any, role: Role = "writing") -> list[str]:
    """Picker values of the parts/states already linked to ``item``."""
    return [
        f"part:{a.part_id}" if a.part_id is not None else f"state:{a.state_id}"
        for a in links(item, role)
    ]
