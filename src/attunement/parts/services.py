"""Parts and groups: create, edit, archive, and the delayed deletion of a part.

Deleting a part is a request, carried out by :func:`purge_due` once the delay in
settings has passed; until then it can be cancelled. Purging removes the part, its
group memberships and its authorship links; entries, check-ins, sessions and notes
it wrote stay (notes lose their link). Every function that depends on time takes
``now``, so tests use a fake clock.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import transaction

from attunement.errors import AttuneError
from attunement.parts import prefs
from attunement.parts.models import FrontEdit, FrontPeriod, FrontState, Part, PartGroup

_COLOUR = re.compile(r"^#?([0-9a-fA-F]{6})$")
MAX_CUSTOM_FIELDS = 50
TOO_MANY_FIELDS = f"A part can have at most {MAX_CUSTOM_FIELDS} extra fields."
BUILTIN_NAMES = {FrontState.Kind.UNKNOWN: "Unknown", FrontState.Kind.BLURRY: "Blurry"}


class PartsError(AttuneError):
    """A request about parts that cannot be carried out; the message says why."""


def clean_colour(value: str) -> str:
    """'#rrggbb' in lower case, '' for none; PartsError for anything else."""
    value = (value or "").strip()
    if not value:
        return ""
    match = _COLOUR.match(value)
    if match is None:
        raise PartsError("A colour is written like #3366cc.")
    return "#" + match.group(1).lower()


def parse_custom_fields(text: str) -> dict[str, str]:
    """'Label: value' lines as {label: value}; blank lines are ignored."""
    found: dict[str, str] = {}
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        label, sep, value = line.partition(":")
        if not sep or not label.strip():
            message = f"Line {n} of the extra fields needs a label, a colon and a value."
            raise PartsError(message)
        found[label.strip()[:100]] = value.strip()
    if len(found) > MAX_CUSTOM_FIELDS:
        raise PartsError(TOO_MANY_FIELDS)
    return found


def format_custom_fields(fields: dict[str, Any]) -> str:
    """The inverse of :func:`parse_custom_fields`, for the edit form."""
    return "\n".join(f"{label}: {value}" for label, value in fields.items())


def save_part(
    part: Part | None,
    *,
    name: str,
    pronouns: str = "",
    colour: str = "",
    description: str = "",
    custom_fields: dict[str, str] | None = None,
    now: dt.datetime,
) -> Part:
    """Create (part=None) or update a part; a name may be left empty."""
    part = part or Part(created_at=now)
    part.name = name.strip()[:200]
    part.pronouns = pronouns.strip()[:100]
    part.colour = clean_colour(colour)
    part.description = description.strip()
    part.custom_fields = dict(custom_fields or {})
    part.save()
    return part


def archive(part: Part, now: dt.datetime) -> None:
    """Take a part out of the pickers; history and authorship keep it."""
    if part.archived_at is None:
        part.archived_at = now
        part.save(update_fields=["archived_at"])


def unarchive(part: Part) -> None:
    part.archived_at = None
    part.save(update_fields=["archived_at"])


def request_deletion(part: Part, now: dt.datetime) -> Part:
    """Ask for a part to be deleted once the delay in force has passed.

    Asking again while a request waits changes nothing: the first due date stands.
    """
    if part.deletion_due_at is None:
        delay = prefs.settle(now).delay_at(now)
        part.deletion_requested_at = now
        part.deletion_due_at = now + dt.timedelta(days=delay)
        part.save(update_fields=["deletion_requested_at", "deletion_due_at"])
    return part


def cancel_deletion(part: Part) -> None:
    """Withdraw a waiting deletion request (possible at any time before it is due)."""
    part.deletion_requested_at = None
    part.deletion_due_at = None
    part.save(update_fields=["deletion_requested_at", "deletion_due_at"])


@transaction.atomic
def purge_due(now: dt.datetime) -> int:
    """Carry out every deletion that is due at ``now``; returns how many parts went.

    Front periods left with nobody in them go too (logged without names); writing
    stays. Also lets a pending shorter delay take effect when its time has come.
    """
    prefs.settle(now)
    due = list(Part.objects.filter(deletion_due_at__lte=now))
    if not due:
        return 0
    affected = list(FrontPeriod.objects.filter(parts__in=due).distinct())
    for part in due:
        part.delete()
    for period in affected:
        if not period.parts.exists() and not period.states.exists():
            FrontEdit.objects.create(
                period=None,
                at=now,
                action=FrontEdit.Action.DELETED,
                reason="Nobody was left in it after a part's deletion was carried out.",
            )
            period.delete()
    return len(due)


def builtin_state(kind: str) -> FrontState:
    """The one "unknown" or "blurry" state, created on first use."""
    state, _ = FrontState.objects.get_or_create(
        kind=kind, defaults={"name": BUILTIN_NAMES[FrontState.Kind(kind)]}
    )
    return state


def save_state(
    state: FrontState | None, *, name: str, description: str = "", colour: str = ""
) -> FrontState:
    """Create (state=None) or rename a custom state (built-in ones can be renamed too)."""
    if not name.strip():
        raise PartsError('A state needs a name, such as "asleep" or "far away".')
    state = state or FrontState(kind=FrontState.Kind.CUSTOM)
    state.name = name.strip()[:200]
    state.description = description.strip()
    state.colour = clean_colour(colour)
    state.save()
    return state


def save_group(
    group: PartGroup | None,
    *,
    name: str,
    description: str = "",
    colour: str = "",
    members: list[Part] | None = None,
) -> PartGroup:
    """Create (group=None) or update a group and who is in it."""
    if not name.strip():
        raise PartsError("A group needs a name.")
    group = group or PartGroup()
    group.name = name.strip()[:200]
    group.description = description.strip()
    group.colour = clean_colour(colour)
    group.save()
    if members is not None:
        group.members.set(members)
    return group


def active_parts() -> list[Part]:
    """Parts for pickers: not archived and not waiting to be deleted."""
    return list(Part.objects.filter(archived_at__isnull=True, deletion_due_at__isnull=True))


def active_states() -> list[FrontState]:
    """States for pickers, with the built-in ones always there."""
    builtins = [builtin_state(kind) for kind in BUILTIN_NAMES]
    own = FrontState.objects.filter(archived_at__isnull=True, kind=FrontState.Kind.CUSTOM)
    return [s for s in builtins if s.archived_at is None] + list(own.order_by("name", "id"))
