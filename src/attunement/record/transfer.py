"""Save parsed records into the journal, and read the journal back out as records.

``import_data`` runs in one transaction: if anything fails half way, the journal
is exactly as it was before the import.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.db import transaction

from attunement.checkins.models import Checkin
from attunement.io.records import (
    AbsenceRec,
    CheckinRec,
    CommentRec,
    ContactRec,
    EntryRec,
    FrameRec,
    JournalData,
    SessionRec,
    TherapistRec,
    UnsaidRec,
)
from attunement.record import search, services
from attunement.record.models import (
    Absence,
    Comment,
    Contact,
    Entry,
    FrameItem,
    Session,
    Therapist,
    Unsaid,
)

Progress = Callable[[str, int, int], None]


def _noop(kind: str, done: int, total: int) -> None:
    return None


@transaction.atomic
def import_data(
    data: JournalData, progress: Progress = _noop, *, analyze: bool = True
) -> dict[str, int]:
    """Add every record of ``data`` to the journal in one transaction; returns counts.

    Entries are read for markers in batches at the end (much faster than one by one).
    """
    therapists = {t.key: _therapist(t) for t in data.therapists}
    sessions: dict[str, Session] = {}
    for i, s in enumerate(data.sessions):
        sessions[s.key] = _session(s, therapists)
        progress("sessions", i + 1, len(data.sessions))
    for c in data.contacts:
        Contact.objects.create(
            at=c.at,
            kind=c.kind,
            initiated_by=c.initiated_by,
            answered=c.answered,
            answered_at=c.answered_at,
            feeling_word=c.feeling_word,
            feeling_rating=c.feeling_rating,
            note=c.note,
            key=c.key,
            therapist=therapists.get(c.therapist_key or ""),
        )
    for f in data.frame:
        FrameItem.objects.create(
            kind=f.kind, owner=f.owner, text=f.text, start=f.start, end=f.end, key=f.key
        )
    for a in data.absences:
        Absence.objects.create(
            start=a.start,
            end=a.end,
            note=a.note,
            key=a.key,
            therapist=therapists.get(a.therapist_key or ""),
        )
    made_entries = []
    for i, e in enumerate(data.entries):
        made_entries.append(_entry(e, sessions))
        progress("entries", i + 1, len(data.entries))
    for u in data.unsaid:
        Unsaid.objects.create(
            text=u.text,
            created_at=u.created_at,
            brought_up_at=u.brought_up_at,
            key=u.key,
            session=sessions.get(u.session_key or ""),
        )
    from attunement.checkins import services as checkin_services

    for i, ck in enumerate(data.checkins):
        checkin_services.save_checkin_record(ck, sessions.get(ck.session_key or ""))
        progress("checkins", i + 1, len(data.checkins))
    if analyze:
        from attunement.words import services as words

        words.analyze_entries(made_entries, lambda d, t: progress("analysis", d, t))
        from attunement.insight.services import vectors

        vectors.ensure_vectors(entry_ids=[e.pk for e in made_entries])
    return data.counts()


def _therapist(t: TherapistRec) -> Therapist:
    return Therapist.objects.create(name=t.name, started=t.started, ended=t.ended, key=t.key)


def _session(s: SessionRec, therapists: dict[str, Therapist]) -> Session:
    return Session.objects.create(
        starts_at=s.starts_at,
        status=s.status,
        modality=s.modality,
        note=s.note,
        duration_minutes=s.duration_minutes,
        key=s.key,
        therapist=therapists.get(s.therapist_key or ""),
    )


def _entry(e: EntryRec, sessions: dict[str, Session]) -> Entry:
    entry = services.save_entry(
        analyze=False,
        title=e.title,
        body=e.body,
        written_at=e.written_at,
        tags=e.tags,
        session=sessions.get(e.session_key or ""),
        starred=e.starred,
    )
    entry.source, entry.source_status, entry.key = e.source, e.source_status, e.key
    entry.save(update_fields=["source", "source_status", "key"])
    made: dict[str, Comment] = {}
    for c in _parents_first(e.comments):
        made[c.key] = Comment.objects.create(
            entry=entry,
            parent=made.get(c.parent_key or ""),
            author=c.author,
            author_url=c.author_url,
            posted_at=c.posted_at,
            body=c.body,
            approved=c.approved,
            key=c.key,
        )
    return entry


def _parents_first(comments: list[CommentRec]) -> list[CommentRec]:
    """Order comments so each parent is created before its replies."""
    keys = {c.key for c in comments}
    children: dict[str | None, list[CommentRec]] = {}
    for c in comments:
        parent = c.parent_key if c.parent_key in keys else None
        children.setdefault(parent, []).append(c)
    out: list[CommentRec] = []
    queue = list(children.get(None, []))
    while queue:
        c = queue.pop(0)
        out.append(c)
        queue.extend(children.get(c.key, []))
    return out


def _key(obj: Any, prefix: str) -> str:
    return obj.key or f"{prefix}-{obj.pk}"


def export_data() -> JournalData:
    """The whole journal as plain records (keys are kept or made stable from ids)."""
    th = {t.pk: _key(t, "therapist") for t in Therapist.objects.all()}
    ss = {s.pk: _key(s, "session") for s in Session.objects.all()}
    data = JournalData()
    data.therapists = [
        TherapistRec(th[t.pk], t.name, t.started, t.ended) for t in Therapist.objects.order_by("pk")
    ]
    data.sessions = [
        SessionRec(
            ss[s.pk],
            s.starts_at,
            cast(Any, s.status),
            cast(Any, s.modality),
            s.note,
            th.get(s.therapist_id or 0),
            s.duration_minutes,
        )
        for s in Session.objects.order_by("starts_at", "pk")
    ]
    data.contacts = [
        ContactRec(
            _key(c, "contact"),
            c.at,
            cast(Any, c.kind),
            cast(Any, c.initiated_by),
            c.answered,
            c.answered_at,
            c.feeling_word,
            c.feeling_rating,
            c.note,
            th.get(c.therapist_id or 0),
        )
        for c in Contact.objects.order_by("at", "pk")
    ]
    data.frame = [
        FrameRec(_key(f, "frame"), cast(Any, f.kind), cast(Any, f.owner), f.text, f.start, f.end)
        for f in FrameItem.objects.order_by("start", "pk")
    ]
    data.absences = [
        AbsenceRec(_key(a, "absence"), a.start, a.end, a.note, th.get(a.therapist_id or 0))
        for a in Absence.objects.order_by("start", "pk")
    ]
    data.entries = [
        _entry_rec(e, ss)
        for e in Entry.objects.order_by("written_at", "pk").prefetch_related("tags", "comments")
    ]
    data.unsaid = [
        UnsaidRec(
            _key(u, "unsaid"), u.text, u.created_at, ss.get(u.session_id or 0), u.brought_up_at
        )
        for u in Unsaid.objects.order_by("created_at", "pk")
    ]
    data.checkins = [
        CheckinRec(
            _key(c, "checkin"),
            c.instrument,
            c.completed_at,
            dict(c.answers),
            cast(Any, c.timing),
            ss.get(c.session_id or 0),
            c.note,
        )
        for c in Checkin.objects.order_by("completed_at", "pk")
    ]
    return data


def _entry_rec(e: Entry, ss: dict[int, str]) -> EntryRec:
    comment_keys = {c.pk: _key(c, "comment") for c in e.comments.all()}
    return EntryRec(
        key=_key(e, "entry"),
        title=e.title,
        body=e.body,
        written_at=e.written_at,
        tags=sorted(t.name for t in e.tags.all()),
        session_key=ss.get(e.session_id or 0),
        starred=e.starred,
        source=e.source,
        source_status=e.source_status,
        comments=[
            CommentRec(
                comment_keys[c.pk],
                c.author,
                c.posted_at,
                c.body,
                comment_keys.get(c.parent_id or 0),
                c.approved,
                c.author_url,
            )
            for c in sorted(e.comments.all(), key=lambda c: (c.posted_at, c.pk))
        ],
    )


def reindex() -> int:
    """Rebuild the full-text index."""
    return search.rebuild()
