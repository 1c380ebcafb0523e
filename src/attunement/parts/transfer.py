"""Save parsed plural records into the journal, and read the journal back out.

``import_plural`` runs in one transaction: a failure half way leaves the journal as
it was. Rows are matched by source reference (the id a record had in PluralKit,
Simply Plural, or the app that wrote a Pluralport file), so importing the same file
again updates what is there instead of adding copies. A file Attunement wrote
carries this journal's own keys, which are matched (and, in a fresh journal, kept).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from attunement.io.plural.records import (
    GroupRec,
    NoteRec,
    PartRec,
    PeriodRec,
    PluralData,
    SourceRef,
    StateKind,
    StateRec,
)
from attunement.parts.models import FrontPeriod, FrontState, Part, PartGroup, PartNote, new_key

OWN_APP = "attunement"


class _Index:
    """Existing rows of one model, found by any of their source refs or by key."""

    def __init__(self, rows: Iterable[Any]) -> None:
        self.by_ref: dict[tuple[str, str, str], Any] = {}
        self.by_key: dict[str, Any] = {}
        for row in rows:
            self.add(row)

    def add(self, row: Any) -> None:
        self.by_key[row.key] = row
        for ref in row.source_refs or []:
            for k in _ref_keys(SourceRef.from_dict(ref)):
                self.by_ref.setdefault(k, row)

    def find(self, refs: list[SourceRef]) -> Any | None:
        for ref in refs:
            if ref.app == OWN_APP and ref.id in self.by_key:
                return self.by_key[ref.id]
            for k in _ref_keys(ref):
                if k in self.by_ref:
                    return self.by_ref[k]
        return None

    def fresh_key(self, refs: list[SourceRef]) -> str:
        """This journal's key for a new row: the file's own key when we wrote it."""
        own = [r.id for r in refs if r.app == OWN_APP and r.id not in self.by_key]
        return own[0] if own else new_key()


def _ref_keys(ref: SourceRef | None) -> list[tuple[str, str, str]]:
    if ref is None or ref.app == OWN_APP:
        return []
    keys = [(ref.app, ref.collection, ref.id)]
    if ref.uuid:
        keys.append((ref.app, ref.collection, "uuid:" + ref.uuid))
    return keys


def _merged_refs(stored: list[dict[str, str]] | None, new: list[SourceRef]) -> list[dict[str, str]]:
    """Stored refs plus new ones (never our own app: our key is the row's key)."""
    out = list(stored or [])
    seen = {(r.get("app"), r.get("collection"), r.get("id")) for r in out}
    for ref in new:
        if ref.app != OWN_APP and (ref.app, ref.collection, ref.id) not in seen:
            out.append(ref.as_dict())
            seen.add((ref.app, ref.collection, ref.id))
    return out


class _Counts:
    def __init__(self) -> None:
        self.added: dict[str, int] = {}
        self.updated: dict[str, int] = {}

    def note(self, kind: str, created: bool) -> None:
        target = self.added if created else self.updated
        target[kind] = target.get(kind, 0) + 1

    def as_dict(self) -> dict[str, int]:
        out = dict(self.added)
        out.update({f"updated: {k}": n for k, n in self.updated.items()})
        return out


@transaction.atomic
def import_plural(data: PluralData, *, now: dt.datetime) -> dict[str, int]:
    """Add or update everything in ``data``; returns counts of what was added/updated."""
    counts = _Counts()
    part_index = _Index(Part.objects.all())
    parts = {rec.key: _part(rec, part_index, now, counts) for rec in data.parts}
    states = _states(data.states, now, counts)
    group_index = _Index(PartGroup.objects.all())
    for group in data.groups:
        _group(group, group_index, parts, counts)
    _periods(data.periods, parts, states, now, counts)
    note_index = _Index(PartNote.objects.all())
    for note in data.notes:
        _note(note, note_index, parts, counts)
    return counts.as_dict()


def _part(rec: PartRec, index: _Index, now: dt.datetime, counts: _Counts) -> Part:
    row = index.find(rec.source_refs)
    created = row is None
    if row is None:
        row = Part(key=index.fresh_key(rec.source_refs), created_at=rec.created_at or now)
    row.name, row.pronouns, row.colour = rec.name, rec.pronouns, rec.colour
    row.description = rec.description
    row.custom_fields = {**(row.custom_fields or {}), **rec.custom_fields}
    if rec.archived and row.archived_at is None:
        row.archived_at = now
    row.source_refs = _merged_refs(row.source_refs, rec.source_refs)
    row.save()
    index.add(row)
    counts.note("parts", created)
    return row


def _states(recs: list[StateRec], now: dt.datetime, counts: _Counts) -> dict[str, FrontState]:
    index = _Index(FrontState.objects.all())
    builtins = {s.kind: s for s in FrontState.objects.exclude(kind=FrontState.Kind.CUSTOM)}
    found: dict[str, FrontState] = {}
    for rec in recs:
        row = builtins.get(rec.kind) if rec.kind != "custom" else index.find(rec.source_refs)
        created = row is None
        if row is None:
            row = FrontState(key=index.fresh_key(rec.source_refs), kind=rec.kind)
        row.name, row.description, row.colour = rec.name or row.name, rec.description, rec.colour
        if rec.archived and row.archived_at is None:
            row.archived_at = now
        row.source_refs = _merged_refs(row.source_refs, rec.source_refs)
        row.save()
        index.add(row)
        if row.kind != FrontState.Kind.CUSTOM:
            builtins.setdefault(row.kind, row)
        counts.note("states", created)
        found[rec.key] = row
    return found


def _group(rec: GroupRec, index: _Index, parts: dict[str, Part], counts: _Counts) -> None:
    row = index.find(rec.source_refs)
    created = row is None
    if row is None:
        row = PartGroup(key=index.fresh_key(rec.source_refs))
    row.name, row.description, row.colour = rec.name, rec.description, rec.colour
    row.source_refs = _merged_refs(row.source_refs, rec.source_refs)
    row.save()
    index.add(row)
    row.members.add(*[parts[k] for k in rec.member_keys if k in parts])
    counts.note("groups", created)


def _periods(
    recs: list[PeriodRec],
    parts: dict[str, Part],
    states: dict[str, FrontState],
    now: dt.datetime,
    counts: _Counts,
) -> None:
    index = _Index(FrontPeriod.objects.all())
    new: list[tuple[FrontPeriod, PeriodRec]] = []
    for rec in recs:
        row = index.find(rec.source_refs)
        if row is None:
            row = FrontPeriod(key=index.fresh_key(rec.source_refs), created_at=now)
            new.append((row, rec))
        row.started_at, row.ended_at, row.note = rec.started_at, rec.ended_at, rec.note
        row.updated_at = now
        row.source_refs = _merged_refs(row.source_refs, rec.source_refs)
        if row.pk is not None:
            row.save()
            row.parts.set([parts[k] for k in rec.part_keys if k in parts])
            row.states.set([states[k] for k in rec.state_keys if k in states])
            counts.note("front periods", False)
        index.add(row)
    # Front history can run to many thousands of rows: insert those in bulk.
    FrontPeriod.objects.bulk_create([row for row, _ in new], batch_size=500)
    _bulk_links(new, parts, states)
    for _ in new:
        counts.note("front periods", True)


def _bulk_links(
    new: list[tuple[FrontPeriod, PeriodRec]], parts: dict[str, Part], states: dict[str, FrontState]
) -> None:
    if not new:
        return
    keys = [row.key for row, _ in new]
    ids: dict[str, int] = {}
    for i in range(0, len(keys), 500):  # SQLite caps the number of query parameters
        chunk = FrontPeriod.objects.filter(key__in=keys[i : i + 500]).values_list("key", "id")
        ids.update(chunk)
    part_links, state_links = FrontPeriod.parts.through, FrontPeriod.states.through
    part_links.objects.bulk_create(
        [
            part_links(frontperiod_id=ids[row.key], part_id=parts[k].pk)
            for row, rec in new
            for k in dict.fromkeys(rec.part_keys)
            if k in parts
        ],
        batch_size=500,
    )
    state_links.objects.bulk_create(
        [
            state_links(frontperiod_id=ids[row.key], frontstate_id=states[k].pk)
            for row, rec in new
            for k in dict.fromkeys(rec.state_keys)
            if k in states
        ],
        batch_size=500,
    )


def _note(rec: NoteRec, index: _Index, parts: dict[str, Part], counts: _Counts) -> None:
    row = index.find(rec.source_refs)
    created = row is None
    if row is None:
        row = PartNote(key=index.fresh_key(rec.source_refs))
    row.title, row.body, row.written_at, row.colour = (
        rec.title,
        rec.body,
        rec.written_at,
        rec.colour,
    )
    row.part = parts.get(rec.part_key) if rec.part_key else None
    row.source_refs = _merged_refs(row.source_refs, rec.source_refs)
    row.save()
    index.add(row)
    counts.note("notes", created)


# --- export ----------------------------------------------------------------------


def _refs(stored: list[dict[str, str]] | None) -> list[SourceRef]:
    return [r for r in map(SourceRef.from_dict, stored or []) if r]


_KIND: dict[str, StateKind] = {"unknown": "unknown", "blurry": "blurry", "custom": "custom"}


def export_plural() -> PluralData:
    """Everything the parts feature holds, as plain records keyed by this journal's keys."""
    parts = list(Part.objects.order_by("created_at", "id"))
    states = list(FrontState.objects.order_by("kind", "name", "id"))
    data = PluralData(producer=OWN_APP)
    data.parts = [
        PartRec(
            key=p.key,
            name=p.name,
            pronouns=p.pronouns,
            colour=p.colour,
            description=p.description,
            custom_fields=dict(p.custom_fields or {}),
            archived=p.archived_at is not None,
            created_at=p.created_at,
            source_refs=_refs(p.source_refs),
        )
        for p in parts
    ]
    data.states = [
        StateRec(
            key=s.key,
            name=s.name,
            kind=_KIND[s.kind],
            description=s.description,
            colour=s.colour,
            archived=s.archived_at is not None,
            source_refs=_refs(s.source_refs),
        )
        for s in states
    ]
    data.groups = [
        GroupRec(
            key=g.key,
            name=g.name,
            description=g.description,
            colour=g.colour,
            member_keys=[m.key for m in g.members.order_by("created_at", "id")],
            source_refs=_refs(g.source_refs),
        )
        for g in PartGroup.objects.prefetch_related("members").order_by("name", "id")
    ]
    data.periods = [
        PeriodRec(
            key=f.key,
            started_at=f.started_at,
            ended_at=f.ended_at,
            part_keys=[p.key for p in f.parts.all()],
            state_keys=[s.key for s in f.states.all()],
            note=f.note,
            source_refs=_refs(f.source_refs),
        )
        for f in FrontPeriod.objects.prefetch_related("parts", "states").order_by(
            "started_at", "id"
        )
    ]
    data.notes = [
        NoteRec(
            key=n.key,
            body=n.body,
            written_at=n.written_at,
            title=n.title,
            colour=n.colour,
            part_key=n.part.key if n.part else None,
            source_refs=_refs(n.source_refs),
        )
        for n in PartNote.objects.select_related("part").order_by("written_at", "id")
    ]
    return data


LABELS = {
    "parts": ("part", "parts"),
    "states": ("front state", "front states"),
    "groups": ("group", "groups"),
    "front periods": ("front period", "front periods"),
    "notes": ("note", "notes"),
}


def _counted(kind: str, n: int) -> str:
    singular, plural = LABELS.get(kind, (kind, kind))
    return f"{n} {singular if n == 1 else plural}"


def summary(counts: dict[str, int]) -> str:
    """'Imported 4 parts, 12 front periods. Already here ...: 1 group. Left out ...' from counts."""

    def listed(prefix: str) -> list[str]:
        return [
            _counted(k.removeprefix(prefix), n)
            for k, n in counts.items()
            if n and k.startswith(prefix)
        ]

    added = [
        _counted(k, n)
        for k, n in counts.items()
        if n and not k.startswith(("updated: ", "skipped: "))
    ]
    text = "Imported " + (", ".join(added) if added else "nothing new") + "."
    if updated := listed("updated: "):
        text += " Already here and brought up to date: " + ", ".join(updated) + "."
    if skipped := listed("skipped: "):
        text += " Left out on purpose: " + ", ".join(skipped) + "."
    return text
