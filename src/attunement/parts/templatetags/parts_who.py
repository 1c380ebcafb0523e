"""Template tags the entry, session and check-in pages use: the picker and "who wrote".

Both render nothing while the feature is off. Pages outside the parts app include the
small wrappers ``parts/_who_field.html`` and ``parts/_who_line.html`` so that adding
them to a page is one line.
"""

from __future__ import annotations

from typing import Any

from django import template

from attunement.parts import clock, linking
from attunement.parts.models import Authorship

register = template.Library()

LEADS = {
    ("entry", "writing"): "Written by",
    ("entry", "present"): "Present",
    ("checkin", "writing"): "Filled in by",
    ("checkin", "present"): "Present",
    ("session", "writing"): "Writing",
    ("session", "present"): "In the session",
}


@register.inclusion_tag("parts/_who_picker.html", takes_context=True)
def who_picker(
    context: template.Context, item: Any, role: str, legend: str, start_with_front: bool = False
) -> dict[str, Any]:
    """The picker for ``item`` (None for a new one), or nothing while the feature is off."""
    request = context.get("request")
    post = request.POST if request is not None and request.method == "POST" else None
    return {
        "picker": linking.picker(
            item, role, post=post, now=clock.now(), start_with_front=start_with_front
        ),
        "legend": legend,
        "shown_field": linking.SHOWN_FIELD,
    }


def _kind(item: Any) -> str:
    return str(item._meta.model_name) if hasattr(item, "_meta") else ""


@register.inclusion_tag("parts/_who_says.html")
def who_line(item: Any) -> dict[str, Any]:
    """A small line naming who wrote / was present, grouped by role; nothing while off."""
    rows = linking.who(item)
    kind = _kind(item)
    groups: list[tuple[str, list[Authorship]]] = []
    for role in (Authorship.Role.WRITING, Authorship.Role.PRESENT):
        mine = [a for a in rows if a.role == role]
        if mine:
            groups.append((LEADS.get((kind, role), str(role.label)), mine))
    return {"groups": groups}
