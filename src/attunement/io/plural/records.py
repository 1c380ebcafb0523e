"""Plain records of a plural system, as parsers produce them and the writer reads them.

Every record carries a ``key`` unique within one :class:`PluralData` (the id the
source file used), which other records point at (``GroupRec.member_keys``,
``PeriodRec.part_keys``), and ``source_refs``: where the record came from, in the
shape of Pluralport's SourceRef, so importing the same file twice can match rows
instead of adding copies.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from attunement.io.records import Problem

StateKind = Literal["unknown", "blurry", "custom"]


@dataclass(frozen=True)
class SourceRef:
    """An id a record had in the app it came from (app, collection, id, uuid)."""

    app: str
    collection: str
    id: str
    uuid: str | None = None

    def as_dict(self) -> dict[str, str]:
        """The JSON shape, without an empty uuid."""
        out = {"app": self.app, "collection": self.collection, "id": self.id}
        if self.uuid:
            out["uuid"] = self.uuid
        return out

    @classmethod
    def from_dict(cls, raw: Any) -> SourceRef | None:
        """A ref from its JSON shape, or None when it lacks app, collection or id."""
        if not isinstance(raw, dict):
            return None
        app, collection, ident = raw.get("app"), raw.get("collection"), raw.get("id")
        if not all(isinstance(v, str) and v for v in (app, collection, ident)):
            return None
        uuid = raw.get("uuid")
        return cls(str(app), str(collection), str(ident), uuid if isinstance(uuid, str) else None)


@dataclass
class PartRec:
    key: str
    name: str
    pronouns: str = ""
    colour: str = ""  # "#rrggbb" or ""
    description: str = ""
    custom_fields: dict[str, str] = field(default_factory=dict)  # label -> text
    archived: bool = False
    created_at: dt.datetime | None = None
    source_refs: list[SourceRef] = field(default_factory=list)


@dataclass
class StateRec:
    """A front state: "unknown", "blurry", or a custom one (Simply Plural's custom fronts)."""

    key: str
    name: str
    kind: StateKind = "custom"
    description: str = ""
    colour: str = ""
    archived: bool = False
    source_refs: list[SourceRef] = field(default_factory=list)


@dataclass
class GroupRec:
    key: str
    name: str
    description: str = ""
    colour: str = ""
    member_keys: list[str] = field(default_factory=list)
    source_refs: list[SourceRef] = field(default_factory=list)


@dataclass
class PeriodRec:
    """Who was present from ``started_at`` to ``ended_at`` (None: still present)."""

    key: str
    started_at: dt.datetime  # timezone-aware
    ended_at: dt.datetime | None = None
    part_keys: list[str] = field(default_factory=list)
    state_keys: list[str] = field(default_factory=list)
    note: str = ""
    source_refs: list[SourceRef] = field(default_factory=list)


@dataclass
class NoteRec:
    key: str
    body: str
    written_at: dt.datetime
    part_key: str | None = None
    title: str = ""
    colour: str = ""
    source_refs: list[SourceRef] = field(default_factory=list)


@dataclass
class PluralData:
    """Everything about a plural system that Attunement keeps, as plain records."""

    system_name: str = ""
    # The app that wrote the file ("pluralkit", "simply_plural", "attunement", ...).
    producer: str = ""
    parts: list[PartRec] = field(default_factory=list)
    states: list[StateRec] = field(default_factory=list)
    groups: list[GroupRec] = field(default_factory=list)
    periods: list[PeriodRec] = field(default_factory=list)
    notes: list[NoteRec] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """How many records of each kind, for summaries."""
        return {
            "parts": len(self.parts),
            "states": len(self.states),
            "groups": len(self.groups),
            "periods": len(self.periods),
            "notes": len(self.notes),
        }


@dataclass
class PluralResult:
    """What a plural parser returns: the records, and what was wrong or left out.

    Nothing is saved unless ``problems`` is empty.
    """

    data: PluralData = field(default_factory=PluralData)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def skip(self, kind: str, n: int = 1) -> None:
        """Count something left out on purpose."""
        if n:
            self.skipped[kind] = self.skipped.get(kind, 0) + n
