"""Template filters: safe Markdown."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from attunement.web.rendering import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    """Render Markdown safely (see attunement.web.rendering)."""
    return render_markdown(text)
