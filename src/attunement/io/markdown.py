"""Markdown export: one ``.md`` file per entry with YAML front matter.

Each file looks like this (jrnl's YAML export and Obsidian both read it)::

    ---
    title: The week she was away
    date: 2023-08-14 20:41:09+00:00
    tags:
    - breaks
    starred: false
    session: 2023-08-14 09:00:00+01:00   # only when linked to a session
    source: wordpress
    ---

    Body in Markdown...

    ## Comments

    > **Juniper** — 2023-08-15 07:02 UTC
    >
    > The counting of days...
    >
    > > **quietwren** — 2023-08-15 18:30 UTC
    > > ...

Comments are appended to the entry's own file, as nested quotes that follow the
reply structure, so a file stays readable on its own. Names are ``<date>-<slug>.md``
made unique within the export; every file is written atomically.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from pathlib import Path
from typing import Any

import yaml

from attunement.io.atomic import atomic_write
from attunement.io.records import CommentRec, EntryRec, JournalData

MAX_SLUG = 60
_NOT_SLUG = re.compile(r"[^\w]+")


def slugify(title: str) -> str:
    """Lower-case words joined by hyphens; safe as a file name on any system."""
    text = unicodedata.normalize("NFKC", title).casefold()
    slug = _NOT_SLUG.sub("-", text).strip("-_")[:MAX_SLUG].strip("-_")
    return slug or "entry"


def entry_filename(entry: EntryRec, taken: set[str]) -> str:
    """``YYYY-MM-DD-slug.md``, with ``-2``, ``-3``… when the name is taken."""
    base = f"{entry.written_at.date().isoformat()}-{slugify(entry.title)}"
    name, n = f"{base}.md", 1
    # Compared case-insensitively: macOS and Windows file systems usually are.
    while name.casefold() in taken:
        n += 1
        name = f"{base}-{n}.md"
    taken.add(name.casefold())
    return name


def _yaml_time(value: dt.datetime) -> dt.datetime:
    """The datetime, moved to UTC if its offset has seconds (YAML cannot write those)."""
    offset = value.utcoffset() or dt.timedelta(0)
    if offset % dt.timedelta(minutes=1):
        return value.astimezone(dt.UTC)
    return value


_YAML_BREAKS = "\x85\u2028\u2029"


def front_matter(entry: EntryRec, session_times: dict[str, dt.datetime]) -> str:
    """The YAML block (with its ``---`` fences) for one entry."""
    meta: dict[str, Any] = {
        "title": entry.title,
        "date": _yaml_time(entry.written_at),
        "tags": list(entry.tags),
        "starred": entry.starred,
    }
    if entry.session_key and entry.session_key in session_times:
        meta["session"] = _yaml_time(session_times[entry.session_key])
    meta["source"] = entry.source
    # PyYAML writes NEL and the Unicode line/paragraph separators raw when allowed to
    # write Unicode, and reads them back as line breaks: escape everything then.
    texts = [entry.title, *entry.tags]
    plain = not any(c in t for t in texts for c in _YAML_BREAKS)
    dumped = yaml.safe_dump(meta, sort_keys=False, allow_unicode=plain, default_flow_style=False)
    return f"---\n{dumped}---\n"


def _stamp(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%d %H:%M ") + (when.tzname() or "")


def _quote(text: str, depth: int) -> str:
    prefix = "> " * depth
    return "\n".join((prefix + line).rstrip() for line in text.splitlines())


def comments_markdown(comments: list[CommentRec]) -> str:
    """The comment thread as nested block quotes, replies under their parents."""
    children: dict[str | None, list[CommentRec]] = {}
    keys = {c.key for c in comments}
    for comment in sorted(comments, key=lambda c: c.posted_at):
        parent = comment.parent_key if comment.parent_key in keys else None
        children.setdefault(parent, []).append(comment)
    blocks: list[tuple[int, str]] = []

    def walk(parent: str | None, depth: int, seen: frozenset[str]) -> None:
        for comment in children.get(parent, []):
            if comment.key in seen:  # a loop would otherwise never end
                continue
            note = "" if comment.approved else " (not approved)"
            head = f"**{comment.author}** — {_stamp(comment.posted_at)}{note}"
            blocks.append((depth, _quote(f"{head}\n\n{comment.body}", depth)))
            walk(comment.key, depth + 1, seen | {comment.key})

    walk(None, 1, frozenset())
    if not blocks:
        return ""
    out = [blocks[0][1]]
    for depth, text in blocks[1:]:
        # A new thread starts a new quote; a reply stays inside its parent's quote.
        out.append("" if depth == 1 else ("> " * (depth - 1)).rstrip())
        out.append(text)
    return "## Comments\n\n" + "\n".join(out)


def entry_markdown(entry: EntryRec, session_times: dict[str, dt.datetime]) -> str:
    """The whole file for one entry: front matter, body, then comments."""
    text = front_matter(entry, session_times)
    if entry.body.strip():
        text += "\n" + entry.body.strip() + "\n"
    if entry.comments:
        text += "\n" + comments_markdown(entry.comments) + "\n"
    return text


def export_markdown(data: JournalData, out_dir: str | os.PathLike[str]) -> list[Path]:
    """Write one Markdown file per entry into ``out_dir``; return the paths written."""
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    session_times = {s.key: s.starts_at for s in data.sessions}
    taken: set[str] = set()
    written: list[Path] = []
    for entry in sorted(data.entries, key=lambda e: (e.written_at, e.key)):
        path = folder / entry_filename(entry, taken)
        atomic_write(path, entry_markdown(entry, session_times))
        written.append(path)
    return written
