"""Reading the demo year's data files that ship inside this package.

The story lives in data, not code: ``calendar.yaml`` (therapist, schedule,
absences, notable sessions, check-in levels), ``story.yaml`` (frame, contacts,
unsaid notes), ``comments.yaml`` (readers' comments) and ``entries-*.md``
(the journal entries, each a YAML front matter block followed by its text).

Entry file layout, one or more entries per file::

    ---
    id: short-slug            # unique; comments.yaml refers to it
    date: 2025-09-02 21:10    # Europe/London wall-clock time, canonical year
    title: The first week back
    tags: [session]
    session: 2025-09-01       # optional: the date of the session it is about
    starred: false            # optional
    ---
    Text in Markdown...
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml

_PACKAGE = "attunement.demo"
_SEPARATOR = re.compile(r"^---[ \t]*$", re.MULTILINE)


@dataclass(frozen=True)
class EntrySource:
    """One entry as written in the data files, before keys and dates are set."""

    slug: str
    written: dt.datetime  # naive, canonical year, Europe/London wall clock
    title: str
    body: str
    tags: list[str] = field(default_factory=list)
    session: dt.date | None = None
    starred: bool = False


def load_yaml(name: str) -> dict[str, Any]:
    """Load one of the package's YAML data files as a mapping."""
    text = resources.files(_PACKAGE).joinpath(name).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError(f"{name}: expected a mapping at the top level")
    return data


def to_date(value: object) -> dt.date:
    """A YAML date (already parsed) or an ISO date string as a date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def to_naive(value: object) -> dt.datetime:
    """A "YYYY-MM-DD HH:MM" string (or YAML datetime) as a naive datetime."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    return dt.datetime.strptime(str(value), "%Y-%m-%d %H:%M")


def load_entries() -> list[EntrySource]:
    """All entries from every ``entries-*.md`` file, in date order."""
    root = resources.files(_PACKAGE)
    names = sorted(p.name for p in root.iterdir() if _is_entry_file(p.name))
    entries: list[EntrySource] = []
    for name in names:
        entries.extend(_parse_entry_file(name, root.joinpath(name).read_text(encoding="utf-8")))
    return sorted(entries, key=lambda e: e.written)


def _is_entry_file(name: str) -> bool:
    return name.startswith("entries-") and name.endswith(".md")


def _parse_entry_file(name: str, text: str) -> list[EntrySource]:
    # Pieces alternate: [before the first ---, head, body, head, body, ...].
    pieces = _SEPARATOR.split(text)[1:]
    if len(pieces) % 2:
        raise ValueError(f"{name}: front matter and text do not pair up")
    return [
        _entry_from(name, yaml.safe_load(head), body)
        for head, body in zip(pieces[::2], pieces[1::2], strict=True)
    ]


def _entry_from(name: str, head: Any, body: str) -> EntrySource:
    if not isinstance(head, dict) or "id" not in head:
        raise ValueError(f"{name}: an entry's front matter has no id")
    session = head.get("session")
    return EntrySource(
        slug=str(head["id"]),
        written=to_naive(head["date"]),
        title=str(head["title"]),
        body=body.strip() + "\n",
        tags=[str(t) for t in head.get("tags") or []],
        session=to_date(session) if session else None,
        starred=bool(head.get("starred", False)),
    )
