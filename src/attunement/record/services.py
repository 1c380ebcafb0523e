"""Use cases of the record: save an entry, search, add sessions, import, export.

Views and CLI commands call these; each write runs in one transaction.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence

from django.db import connection, transaction
from django.utils import timezone

from attunement.record.models import Entry, Session, Tag

_TAG_SPLIT = re.compile(r"[,#\n]+")


def parse_tags(text: str) -> list[str]:
    """Split "work, dream #session" into clean, unique, lower-case tag names."""
    seen: list[str] = []
    for raw in _TAG_SPLIT.split(text or ""):
        name = " ".join(raw.strip().lower().split())[:80]
        if name and name not in seen:
            seen.append(name)
    return seen


def set_tags(entry: Entry, names: Iterable[str]) -> None:
    """Replace the entry's tags, creating the missing ones."""
    tags = [Tag.objects.get_or_create(name=n)[0] for n in names]
    entry.tags.set(tags)


@transaction.atomic
def save_entry(
    *,
    entry: Entry | None = None,
    title: str,
    body: str,
    written_at: dt.datetime | None = None,
    tags: Sequence[str] = (),
    session: Session | None = None,
    starred: bool | None = None,
    analyze: bool = True,
) -> Entry:
    """Create or update an entry, its tags and its search index in one transaction.

    With ``analyze`` the entry is read for markers at once; imports pass False and
    analyse their entries in one batch.
    """
    entry = entry or Entry()
    entry.title = title.strip()
    entry.body = body
    entry.written_at = written_at or entry.written_at or timezone.now()
    entry.session = session
    if starred is not None:
        entry.starred = starred
    entry.save()
    set_tags(entry, tags)
    from attunement.record import search

    search.index_entry(entry)
    if analyze:
        _after_entry_saved(entry)
    return entry


def _after_entry_saved(entry: Entry) -> None:
    """Run the analyses that follow a write (markers), if they are installed."""
    from attunement.record import hooks

    hooks.entry_saved(entry)


@transaction.atomic
def delete_entry(entry: Entry) -> None:
    """Delete an entry with its comments and its index rows."""
    from attunement.record import search

    search.unindex_entry(entry.pk)
    entry.delete()


def next_session(now: dt.datetime | None = None) -> Session | None:
    """The next planned, not cancelled session."""
    now = now or timezone.now()
    return (
        Session.objects.filter(starts_at__gte=now, status=Session.Status.HELD)
        .order_by("starts_at")
        .first()
    )


@transaction.atomic
def repeat_session(source: Session, *, weeks: int = 0, days: int = 0) -> Session:
    """A copy of a session shifted by days/weeks (same hour, place and therapist)."""
    clone = Session(
        therapist=source.therapist,
        starts_at=source.starts_at + dt.timedelta(weeks=weeks, days=days),
        duration_minutes=source.duration_minutes,
        status=Session.Status.HELD,
        modality=source.modality,
    )
    clone.save()
    return clone


@transaction.atomic
def add_weekly_pattern(
    *,
    first_day: dt.date,
    weeks: int,
    weekdays: Sequence[int],
    at: dt.time,
    modality: str = Session.Modality.IN_PERSON,
    therapist_id: int | None = None,
    duration_minutes: int = 50,
) -> list[Session]:
    """Add sessions on the given weekdays (0=Monday) for a number of weeks.

    Days that already hold a session at that hour are skipped, so running it
    twice does not double the calendar.
    """
    tz = timezone.get_current_timezone()
    made: list[Session] = []
    for offset in range(weeks * 7):
        day = first_day + dt.timedelta(days=offset)
        if day.weekday() not in weekdays:
            continue
        starts = dt.datetime.combine(day, at, tzinfo=tz)
        if Session.objects.filter(starts_at=starts).exists():
            continue
        made.append(
            Session.objects.create(
                starts_at=starts,
                modality=modality,
                therapist_id=therapist_id,
                duration_minutes=duration_minutes,
            )
        )
    return made


def vendor() -> str:
    """The database vendor in use ("sqlite" or "postgresql")."""
    return connection.vendor
