"""Build the fictional demo year of therapy as plain records.

Everything here is invented: the therapist, the people, the entries. The story
(calendar, frame, contacts, entries, comments) is fixed data in this package;
the seed only decides the noise — check-in answers, which check-ins were done,
the odd video or phone session, and the minutes at which check-ins were filled.

Dates: the canonical year begins on Monday 2025-09-01. For another ``start``
the demo year begins on the first Monday on or after it and everything moves by
whole weeks, so the weekly rhythm holds (holidays move with it). The year is
365 days long. All datetimes are timezone-aware in Europe/London, the
fictional client's own clock.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from attunement.demo import sources
from attunement.demo.checkins import checkins_for
from attunement.io.records import (
    AbsenceRec,
    CommentRec,
    ContactRec,
    EntryRec,
    FrameRec,
    JournalData,
    Modality,
    SessionRec,
    TherapistRec,
    UnsaidRec,
)

TZ = ZoneInfo("Europe/London")
CANONICAL_START = dt.date(2025, 9, 1)
YEAR_DAYS = 365
THERAPIST_KEY = "demo-therapist-1"
DEMO_NOTICE = "Demo journal: a fictional year of therapy. No real people, no real sessions."


@dataclass
class _Clock:
    """Turns canonical wall-clock times into the chosen year's aware datetimes."""

    shift: dt.timedelta

    def day(self, value: object) -> dt.date:
        return sources.to_date(value) + self.shift

    def at(self, value: object) -> dt.datetime:
        return (sources.to_naive(value) + self.shift).replace(tzinfo=TZ)


def demo_year(start: dt.date = CANONICAL_START) -> tuple[dt.date, dt.date]:
    """First and last day (inclusive) of the demo year for a given start."""
    first = start + dt.timedelta(days=(7 - start.weekday()) % 7)
    return first, first + dt.timedelta(days=YEAR_DAYS - 1)


def build_demo_journal(seed: int = 7, start: dt.date = CANONICAL_START) -> JournalData:
    """The whole fictional demo year, the same for the same seed and start."""
    rng = random.Random(seed)
    clock = _Clock(demo_year(start)[0] - CANONICAL_START)
    calendar = sources.load_yaml("calendar.yaml")
    story = sources.load_yaml("story.yaml")
    sessions, by_day = _sessions(calendar, clock, rng)
    return JournalData(
        therapists=[_therapist(calendar)],
        sessions=sessions,
        contacts=_contacts(story, clock),
        frame=_frame(story, clock),
        absences=_absences(calendar, clock),
        entries=_entries(clock, by_day),
        unsaid=_unsaid(story, clock, by_day),
        checkins=checkins_for(calendar, clock.shift, sessions, rng),
    )


def _therapist(calendar: dict[str, Any]) -> TherapistRec:
    info = calendar["therapist"]
    return TherapistRec(THERAPIST_KEY, info["name"], started=sources.to_date(info["started"]))


def _breaks(calendar: dict[str, Any]) -> list[tuple[dt.date, dt.date]]:
    return [
        (sources.to_date(a["start"]), sources.to_date(a["end"]))
        for a in calendar["absences"]
        if a.get("break")
    ]


def _away(calendar: dict[str, Any], day: dt.date) -> bool:
    return any(
        sources.to_date(a["start"]) <= day <= sources.to_date(a["end"])
        for a in calendar["absences"]
    )


def _session_slots(calendar: dict[str, Any]) -> list[tuple[dt.date, str]]:
    """Canonical (day, "HH:MM") of every scheduled session outside the breaks."""
    breaks = _breaks(calendar)
    slots = []
    for offset in range(YEAR_DAYS):
        day = CANONICAL_START + dt.timedelta(days=offset)
        if any(lo <= day <= hi for lo, hi in breaks):
            continue
        for plan in calendar["schedules"]:
            in_plan = sources.to_date(plan["from"]) <= day <= sources.to_date(plan["to"])
            if in_plan and day.weekday() in plan["days"]:
                slots.append((day, str(plan["time"])))
    return slots


def _sessions(
    calendar: dict[str, Any], clock: _Clock, rng: random.Random
) -> tuple[list[SessionRec], dict[dt.date, SessionRec]]:
    """Every session of the year, and a lookup by canonical day."""
    special = {sources.to_date(k): v for k, v in calendar["sessions"].items()}
    sessions: list[SessionRec] = []
    by_day: dict[dt.date, SessionRec] = {}
    for number, (day, time) in enumerate(_session_slots(calendar), start=1):
        extra = special.get(day, {})
        status = extra.get("status", "held")
        drawn = _modality(rng, status)  # drawn always, so overrides don't shift the noise
        note = extra.get("note", "")
        if _away(calendar, day):
            status, note = "cancelled_by_therapist", note or "She was away."
        rec = SessionRec(
            key=f"demo-session-{number:04d}",
            starts_at=clock.at(f"{day.isoformat()} {time}"),
            status=status,
            modality=extra.get("modality") or drawn,
            note=note,
            therapist_key=THERAPIST_KEY,
            duration_minutes=50,
        )
        sessions.append(rec)
        by_day[day] = rec
    return sessions, by_day


def _modality(rng: random.Random, status: str) -> Modality:
    roll = rng.random()
    if status != "held" or roll >= 0.07:
        return "in_person"
    return "video" if roll < 0.05 else "phone"


def _absences(calendar: dict[str, Any], clock: _Clock) -> list[AbsenceRec]:
    return [
        AbsenceRec(
            key=f"demo-absence-{n:02d}",
            start=clock.day(a["start"]),
            end=clock.day(a["end"]),
            note=a.get("note", ""),
            therapist_key=THERAPIST_KEY,
        )
        for n, a in enumerate(calendar["absences"], start=1)
    ]


def _frame(story: dict[str, Any], clock: _Clock) -> list[FrameRec]:
    return [
        FrameRec(
            key=f"demo-frame-{n:02d}",
            kind=f["kind"],
            owner=f["owner"],
            text=f["text"],
            start=clock.day(f["start"]),
            end=clock.day(f["end"]) if f.get("end") else None,
        )
        for n, f in enumerate(story["frame"], start=1)
    ]


def _contacts(story: dict[str, Any], clock: _Clock) -> list[ContactRec]:
    items = sorted(story["contacts"], key=lambda c: sources.to_naive(c["at"]))
    contacts = []
    for n, c in enumerate(items, start=1):
        answered = c.get("answered")
        contacts.append(
            ContactRec(
                key=f"demo-contact-{n:04d}",
                at=clock.at(c["at"]),
                kind=c["kind"],
                initiated_by=c["by"],
                # A time means it was answered then; false means it wasn't; absent
                # means no answer was expected (an invoice, a postcard).
                answered=None if answered is None else answered is not False,
                answered_at=clock.at(answered) if isinstance(answered, str) else None,
                feeling_word=c.get("word", ""),
                feeling_rating=c.get("rating"),
                note=c.get("note", ""),
                therapist_key=THERAPIST_KEY,
            )
        )
    return contacts


def _session_key(by_day: dict[dt.date, SessionRec], day: object, where: str) -> str:
    rec = by_day.get(sources.to_date(day))
    if rec is None:
        raise ValueError(f"{where}: no session on {day}")
    return rec.key


def _unsaid(
    story: dict[str, Any], clock: _Clock, by_day: dict[dt.date, SessionRec]
) -> list[UnsaidRec]:
    notes = []
    for n, u in enumerate(story["unsaid"], start=1):
        key = f"demo-unsaid-{n:02d}"
        session = u.get("session")
        notes.append(
            UnsaidRec(
                key=key,
                text=u["text"],
                created_at=clock.at(u["at"]),
                session_key=_session_key(by_day, session, key) if session else None,
                brought_up_at=clock.at(u["brought_up"]) if u.get("brought_up") else None,
            )
        )
    return notes


def _entries(clock: _Clock, by_day: dict[dt.date, SessionRec]) -> list[EntryRec]:
    loaded = sources.load_entries()
    comments = sources.load_yaml("comments.yaml")
    entries = []
    counter = [0]
    for n, src in enumerate(loaded, start=1):
        key = f"demo-entry-{n:04d}"
        entries.append(
            EntryRec(
                key=key,
                title=src.title,
                body=src.body,
                written_at=clock.at(src.written),
                tags=list(src.tags),
                session_key=_session_key(by_day, src.session, key) if src.session else None,
                starred=src.starred,
                source="demo",
                source_status="publish" if src.slug in comments else "private",
                comments=_comments(comments.get(src.slug, []), clock, counter),
            )
        )
    unknown = set(comments) - {e.slug for e in loaded}
    if unknown:
        raise ValueError(f"comments.yaml: no entry with id {sorted(unknown)}")
    return entries


def _comments(items: list[dict[str, Any]], clock: _Clock, counter: list[int]) -> list[CommentRec]:
    """One entry's comments; ``reply_to`` names a comment's local id in the same thread."""
    keys: dict[str, str] = {}
    out = []
    for c in items:
        counter[0] += 1
        key = f"demo-comment-{counter[0]:04d}"
        keys[str(c["id"])] = key
        parent = c.get("reply_to")
        if parent is not None and str(parent) not in keys:
            raise ValueError(f"comments.yaml: {c['id']} replies to unknown {parent}")
        out.append(
            CommentRec(
                key=key,
                author=c["author"],
                posted_at=clock.at(c["at"]),
                body=c["body"].strip(),
                parent_key=keys[str(parent)] if parent is not None else None,
            )
        )
    return out

