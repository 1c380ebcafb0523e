"""Checks that the keys in a JournalData are unique and every reference resolves.

Our own exports always pass; a hand-edited or damaged file may not, and saving it
would leave an entry pointing at a session that does not exist or a comment that
answers itself. Problems name the record by section, index and field.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from attunement.io.records import CommentRec, JournalData, Problem


def _unique(section: str, records: Iterable[Any], problems: list[Problem]) -> set[str]:
    keys: set[str] = set()
    for index, record in enumerate(records):
        if record.key in keys:
            message = f"The key {record.key!r} is used twice."
            problems.append(Problem(f"{section}[{index}].key", message))
        keys.add(record.key)
    return keys


def _refs(section: str, records: list[Any], field: str, targets: set[str],
          problems: list[Problem]) -> None:
    for index, record in enumerate(records):
        value = getattr(record, field)
        if value is not None and value not in targets:
            problems.append(Problem(f"{section}[{index}].{field}",
                                    f"It points to {value!r}, which is not in the file."))


def _comment_tree(where: str, comments: list[CommentRec], problems: list[Problem]) -> None:
    by_key = {c.key: c for c in comments}
    _refs(f"{where}.comments", comments, "parent_key", set(by_key), problems)
    for index, comment in enumerate(comments):
        seen = {comment.key}
        parent = by_key.get(comment.parent_key or "")
        while parent is not None:
            if parent.key in seen:
                problems.append(Problem(f"{where}.comments[{index}].parent_key",
                                        "The replies form a loop."))
                break
            seen.add(parent.key)
            parent = by_key.get(parent.parent_key or "")


def check_references(data: JournalData) -> list[Problem]:
    """Duplicate keys and dangling or looping references, as problems."""
    problems: list[Problem] = []
    therapists = _unique("therapists", data.therapists, problems)
    sessions = _unique("sessions", data.sessions, problems)
    for name in ("contacts", "frame", "absences", "entries", "unsaid", "checkins"):
        _unique(name, getattr(data, name), problems)
    _unique("comments", (c for e in data.entries for c in e.comments), problems)
    for name in ("sessions", "contacts", "absences"):
        _refs(name, getattr(data, name), "therapist_key", therapists, problems)
    for name in ("entries", "unsaid", "checkins"):
        _refs(name, getattr(data, name), "session_key", sessions, problems)
    for index, entry in enumerate(data.entries):
        _comment_tree(f"entries[{index}]", entry.comments, problems)
    return problems
