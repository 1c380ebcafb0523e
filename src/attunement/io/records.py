"""Plain records that importers produce and exporters consume.

Parsers in ``attunement.io`` turn bytes into these dataclasses plus a list of
:class:`Problem`; they never touch the database. The record services save a whole
:class:`JournalData` in one transaction, so a file with problems adds nothing.

Every record carries a ``key``: a string unique within one ``JournalData`` that
other records use to point at it (a comment's ``parent_key``, an entry's
``session_key``). Keys are stable across an export and a re-import.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

SessionStatus = Literal["held", "cancelled_by_me", "cancelled_by_therapist", "missed"]
Modality = Literal["in_person", "video", "phone"]
ContactKind = Literal["call", "voicemail", "text", "email", "letter"]
Initiator = Literal["me", "therapist"]
FrameKind = Literal["agreement", "rule"]
FrameOwner = Literal["mine", "therapist", "agreed"]
CheckinTiming = Literal["post", "pre"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, with where it was found."""

    where: str  # e.g. "line 12", "item 3 (<title>)", "entries[4].date"
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


@dataclass
class TherapistRec:
    key: str
    name: str
    started: dt.date | None = None
    ended: dt.date | None = None


@dataclass
class SessionRec:
    key: str
    starts_at: dt.datetime  # timezone-aware
    status: SessionStatus = "held"
    modality: Modality = "in_person"
    note: str = ""
    therapist_key: str | None = None
    duration_minutes: int = 50


@dataclass
class ContactRec:
    key: str
    at: dt.datetime
    kind: ContactKind
    initiated_by: Initiator
    answered: bool | None = None
    answered_at: dt.datetime | None = None
    feeling_word: str = ""
    feeling_rating: int | None = None  # 1..5
    note: str = ""
    therapist_key: str | None = None


@dataclass
class FrameRec:
    """An agreement or rule of the therapy, with the dates it held."""

    key: str
    kind: FrameKind
    owner: FrameOwner
    text: str
    start: dt.date
    end: dt.date | None = None


@dataclass
class AbsenceRec:
    """The therapist away (holiday, illness), from and to inclusive."""

    key: str
    start: dt.date
    end: dt.date
    note: str = ""
    therapist_key: str | None = None


@dataclass
class CommentRec:
    key: str
    author: str
    posted_at: dt.datetime
    body: str  # Markdown (converted from HTML where the source had HTML)
    parent_key: str | None = None
    approved: bool = True
    author_url: str = ""


@dataclass
class EntryRec:
    key: str
    title: str
    body: str  # Markdown
    written_at: dt.datetime
    tags: list[str] = field(default_factory=list)
    session_key: str | None = None
    starred: bool = False
    # Where it came from: "attunement", "wordpress", "jrnl", "dayone", "daylio", "demo".
    source: str = "attunement"
    # The source's own publication state, kept for the record ("publish", "private",
    # "draft"); everything stays private in the journal whatever this says.
    source_status: str = ""
    comments: list[CommentRec] = field(default_factory=list)


@dataclass
class UnsaidRec:
    """Something I couldn't say, to bring to a session."""

    key: str
    text: str
    created_at: dt.datetime
    session_key: str | None = None
    brought_up_at: dt.datetime | None = None


@dataclass
class CheckinRec:
    key: str
    instrument: str  # instrument id, e.g. "attunement-alliance-v1"
    completed_at: dt.datetime
    answers: dict[str, Any]  # item id -> value as answered
    timing: CheckinTiming = "post"
    session_key: str | None = None
    note: str = ""


@dataclass
class JournalData:
    """Everything a journal holds, as plain records."""

    therapists: list[TherapistRec] = field(default_factory=list)
    sessions: list[SessionRec] = field(default_factory=list)
    contacts: list[ContactRec] = field(default_factory=list)
    frame: list[FrameRec] = field(default_factory=list)
    absences: list[AbsenceRec] = field(default_factory=list)
    entries: list[EntryRec] = field(default_factory=list)
    unsaid: list[UnsaidRec] = field(default_factory=list)
    checkins: list[CheckinRec] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """How many records of each kind, for progress and summaries."""
        return {
            "therapists": len(self.therapists),
            "sessions": len(self.sessions),
            "contacts": len(self.contacts),
            "frame": len(self.frame),
            "absences": len(self.absences),
            "entries": len(self.entries),
            "comments": sum(len(e.comments) for e in self.entries),
            "unsaid": len(self.unsaid),
            "checkins": len(self.checkins),
        }


@dataclass
class ParseResult:
    """What a parser returns: the records it could read and the problems it found.

    A service saves ``data`` only when ``problems`` is empty (or the user chose to
    skip the bad parts where the format allows it).
    """

    data: JournalData
    problems: list[Problem] = field(default_factory=list)
    # Non-fatal notes the user should see but that do not block the import
    # (e.g. a reply whose parent comment is missing was kept at the top level).
    warnings: list[Problem] = field(default_factory=list)
    # What the parser left out on purpose, by kind, e.g. {"page": 2, "spam comment": 5}.
    skipped: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems
