"""What runs after a write: other capabilities register here (markers, episodes).

Kept as a tiny registry so the record does not import the analysis apps.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_entry_saved: list[Callable[[Any], None]] = []


def on_entry_saved(fn: Callable[[Any], None]) -> Callable[[Any], None]:
    """Register a function called with each saved entry, inside its transaction."""
    _entry_saved.append(fn)
    return fn


def entry_saved(entry: Any) -> None:
    """Call every registered function for this entry."""
    for fn in _entry_saved:
        fn(entry)
