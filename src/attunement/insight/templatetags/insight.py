"""Small template filters for the insight pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get(mapping: Any, key: Any) -> Any:
    """mapping[key], or the key itself when absent."""
    try:
        return mapping.get(key, key)
    except AttributeError:
        return key
