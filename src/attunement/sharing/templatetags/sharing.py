"""Template tags that put the sharing panels into other apps' pages.

``{% load sharing %}`` then ``{% entry_sharing entry %}`` (entry page),
``{% checkin_sharing checkin %}`` (check-in page) or ``{% unsaid_sharing note %}``
(a note for the next session). Each looks up its own state, so the pages that include
them need no change to their views.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from attunement.sharing import listing, render, services
from attunement.sharing.models import Share

register = template.Library()


def _base(context: template.Context) -> dict[str, Any]:
    return {"csrf_token": context.get("csrf_token"), "request": context.get("request")}


@register.inclusion_tag("sharing/_entry_panel.html", takes_context=True)
def entry_sharing(context: template.Context, entry: Any) -> dict[str, Any]:
    """The Share panel and the circle's comments under an entry."""
    return _base(context) | listing.entry_panel(entry, services.current())


@register.inclusion_tag("sharing/_checkin_panel.html", takes_context=True)
def checkin_sharing(context: template.Context, checkin: Any) -> dict[str, Any]:
    """Share one check-in with the therapist, or see its state."""
    return _base(context) | listing.simple_panel(Share.Kind.CHECKIN, checkin.pk,
                                                 services.current())


@register.inclusion_tag("sharing/_note_button.html", takes_context=True)
def unsaid_sharing(context: template.Context, note: Any) -> dict[str, Any]:
    """Send a note for the next session to the therapist, or see its state."""
    return _base(context) | listing.simple_panel(Share.Kind.NOTE, note.pk, services.current())


@register.filter(name="circle_comment")
def circle_comment(html: str) -> SafeString:
    """A comment from the circle, sanitised again here (see attunement.sharing.render)."""
    return render.comment_html(html)
