"""Template tags: whether the feature is on (for the nav), the settings card, picker values."""

from __future__ import annotations

from typing import Any

from django import template

from attunement.parts import clock, prefs
from attunement.parts.models import FrontState, Part

register = template.Library()


@register.simple_tag(takes_context=True)
def parts_enabled(context: template.Context) -> bool:
    """True when the parts feature is on; the nav shows its link only then.

    Pages that work while the journal is closed (unlock, welcome) never ask, so
    they never touch the database.
    """
    from attunement.web.middleware import OPEN_PREFIXES

    request = context.get("request")
    if request is None or request.path.startswith(OPEN_PREFIXES):
        return False
    return prefs.is_enabled()


@register.inclusion_tag("parts/_settings_card.html", takes_context=True)
def parts_settings_card(context: template.Context) -> dict[str, Any]:
    """The settings page's card: the feature switch, and (when on) the deletion delay."""
    now = clock.now()
    current = prefs.settle(now)
    return {
        "csrf_token": context.get("csrf_token"),
        "prefs": current,
        # A shorter delay waiting to take effect is what the field shows.
        "shown_days": current.pending_delay_days or current.deletion_delay_days,
        "help": prefs.HELP,
        "min_days": prefs.MIN_DELAY_DAYS,
        "max_days": prefs.MAX_DELAY_DAYS,
    }


@register.filter
def pick_value(item: Part | FrontState) -> str:
    """The picker value of a part or state: "part:<id>" or "state:<id>"."""
    return f"part:{item.pk}" if isinstance(item, Part) else f"state:{item.pk}"


@register.filter
def duration(minutes: float) -> str:
    """'2 h 05 min' from a number of minutes."""
    total = round(minutes)
    hours, mins = divmod(total, 60)
    return f"{hours} h {mins:02d} min" if hours else f"{mins} min"


@register.simple_tag
def period_minutes(period: Any, now: Any) -> float:
    """How long a period has lasted (until now while it goes on), in minutes."""
    finish = period.ended_at or now
    return max((finish - period.started_at).total_seconds() / 60, 0.0)
