"""Whose writing an insight page looks at: everyone's, or one part's (``?part=<id>``).

A part's scope is the entries it wrote and the check-ins it filled in (its links with
the role "writing"): its alliance series, its marker sentences, its moments of
connection. Episodes are the journal's own (detection and the writer's
decisions are about the whole journal); a part's view keeps those whose evidence or
repair moves come from that part's entries or check-ins.

While the parts feature is off the ``part`` parameter is ignored, silently: the pages
look exactly as they always did.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from attunement.analysis.episodes import Episode
from attunement.checkins.models import Checkin
from attunement.parts import prefs
from attunement.parts.models import Authorship, Part

NOT_FOUND = (
    "There is no part with that number here (it may have been deleted), "
    "so this page shows everyone."
)


@dataclass(frozen=True)
class Scope:
    """One part's entries and check-ins, and the detector's names for those check-ins."""

    part: Part
    entry_ids: frozenset[int]
    checkin_ids: frozenset[int]
    # Episode evidence names a check-in by its session id, else by its own id.
    checkin_keys: frozenset[str]
    digest: str

    def keeps(self, ep: Episode) -> bool:
        """Whether an episode rests, in part, on this part's entries or check-ins."""
        for ev in ep.evidence:
            if ev.source == "checkin" and ev.id in self.checkin_keys:
                return True
            if ev.source == "entry" and _entry_id(ev.id) in self.entry_ids:
                return True
        return any(_entry_id(m.source_id) in self.entry_ids for m in ep.repair_moves)

    @property
    def cache_key(self) -> str:
        """A suffix for cached results: the part and what it is linked to."""
        return f"part:{self.part.pk}:{self.digest}"


def _entry_id(source_id: str) -> int | None:
    """The entry id of "entry:<id>:<sentence>" (None for anything else)."""
    bits = source_id.split(":")
    return int(bits[1]) if len(bits) >= 2 and bits[0] == "entry" and bits[1].isdigit() else None


def for_part(part: Part) -> Scope:
    """The scope of one part, read with two queries."""
    links = list(
        Authorship.objects.filter(part=part, role=Authorship.Role.WRITING).values_list(
            "entry_id", "checkin_id", "pk"
        )
    )
    entry_ids = frozenset(e for e, _, _ in links if e is not None)
    checkin_ids = frozenset(c for _, c, _ in links if c is not None)
    keys = {
        str(session_id or pk)
        for pk, session_id in Checkin.objects.filter(pk__in=checkin_ids).values_list(
            "pk", "session_id"
        )
    }
    digest = hashlib.sha256(repr(sorted(links, key=lambda r: r[2])).encode()).hexdigest()[:16]
    return Scope(part, entry_ids, checkin_ids, frozenset(keys), digest)


def choices() -> list[Part]:
    """Parts to offer in the filter: every part not waiting to be deleted, archived last."""
    parts = list(Part.objects.filter(deletion_due_at__isnull=True))
    return sorted(parts, key=lambda p: (p.is_archived, p.name.casefold(), p.pk))


@dataclass
class Filter:
    """What a page needs to draw the part filter and to narrow its data."""

    enabled: bool = False
    options: list[Part] = field(default_factory=list)
    scope: Scope | None = None
    message: str = ""

    @property
    def shown(self) -> bool:
        """The select is drawn only while the feature is on and there are parts."""
        return self.enabled and bool(self.options)

    @property
    def part(self) -> Part | None:
        return self.scope.part if self.scope is not None else None

    def context(self) -> dict[str, Any]:
        return {"part_filter": self, "part": self.part}


def from_request(raw: str | None) -> Filter:
    """The filter for a page's ``part`` parameter; unknown ids fall back to everyone."""
    if not prefs.is_enabled():
        return Filter()
    found = Filter(enabled=True, options=choices())
    raw = (raw or "").strip()
    if not raw:
        return found
    part = Part.objects.filter(pk=int(raw)).first() if raw.isdigit() and len(raw) < 19 else None
    if part is None:
        found.message = NOT_FOUND
        return found
    if part not in found.options:
        found.options.append(part)  # waiting to be deleted, but still here: keep it choosable
    found.scope = for_part(part)
    return found
