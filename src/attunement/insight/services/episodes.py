"""The journal's episodes with the writer's decisions applied, and their page shapes.

Detection runs once per change of its inputs (see :mod:`attunement.insight.services.cache`);
the decisions are cheap and applied on top, so a new decision does not re-run detection.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from attunement.analysis.episodes import (
    Confirm,
    Decided,
    Decision,
    Dismiss,
    Edit,
    Episode,
    Merge,
    Split,
    apply_decisions,
)
from attunement.analysis.episodes_decisions import Ref, span
from attunement.checkins.models import Checkin
from attunement.insight.models import EpisodeDecision
from attunement.insight.services import cache
from attunement.record.models import Session

KIND_NAMES = {
    "withdrawal": "moving away",
    "confrontation": "moving against",
    "mixed": "moving away and against",
    "unknown": "kind not clear",
}
STATUS_NAMES = {"repaired": "repaired", "open": "still open", "unrepaired": "not repaired"}
CRITERIA_NAMES = {
    "strict_2sd": "a drop of 2 SD below your usual level",
    "sensitive_1sd": "a drop of 1 SD below your usual level",
    "sudden_loss": "a sudden loss (a large drop that stayed)",
    "self_report": "you reported tension in a check-in",
    "pre_session": "a drop in the before-session rating",
    "words": "more moving-away or moving-against sentences than usual",
}


def detected() -> list[Episode]:
    """The episodes as found, before any decision (cached per change of the inputs)."""
    from attunement.words.episodes import journal_episodes

    return cache.cached("detected", cache.fingerprint(False), journal_episodes)


def session_dates() -> list[dt.date]:
    """Days of held sessions, for counting sessions to repair."""
    return sorted({timezone.localtime(s).date() for s in
                   Session.objects.filter(status=Session.Status.HELD)
                   .values_list("starts_at", flat=True)})


def _ref(episode_id: str, start: Any, end: Any) -> Ref:
    def day(v: Any) -> dt.date | None:
        return dt.date.fromisoformat(v) if isinstance(v, str) and v else v or None

    return Ref(episode_id, day(start), day(end))


def as_decision(d: EpisodeDecision) -> Decision:
    """The stored decision as the analysis's dataclass."""
    ref = _ref(d.episode_id, d.ref_start, d.ref_end)
    if d.action == EpisodeDecision.Action.CONFIRM:
        return Confirm(ref)
    if d.action == EpisodeDecision.Action.DISMISS:
        return Dismiss(ref)
    if d.action == EpisodeDecision.Action.EDIT:
        return Edit(ref, d.start, d.end, d.status or None, d.kind or None)  # type: ignore[arg-type]
    if d.action == EpisodeDecision.Action.SPLIT:
        return Split(ref, d.split_at or dt.date.min)
    return Merge((ref, *(_ref(*o) for o in d.others)))


def decided() -> Decided:
    """Episodes after every stored decision (cached per change of inputs and decisions)."""
    def compute() -> Decided:
        rows = [as_decision(d) for d in EpisodeDecision.objects.all()]
        return apply_decisions(detected(), rows, session_dates=session_dates())

    return cache.cached("decided", cache.fingerprint(True), compute)


def find(episode_id: str) -> Episode | None:
    """The current episode (after decisions) with this id, or a dismissed one."""
    d = decided()
    return next((e for e in [*d.episodes, *d.dismissed] if e.id == episode_id), None)


@transaction.atomic
def record(action: str, ep: Episode, **fields: Any) -> EpisodeDecision:
    """Store one decision about an episode as the writer saw it."""
    start, end = span(ep)
    return EpisodeDecision.objects.create(
        action=action, episode_id=ep.id, ref_start=start, ref_end=end, **fields
    )


def merge_refs(episodes: list[Episode]) -> list[list[Any]]:
    """The JSON of a merge's other episodes: [[id, start, end], ...]."""
    return [[e.id, span(e)[0].isoformat(), span(e)[1].isoformat()] for e in episodes]


def undo_last() -> bool:
    """Forget the most recent decision."""
    last = EpisodeDecision.objects.order_by("-created_at", "-id").first()
    if last is None:
        return False
    last.delete()
    return True


# ---- page shapes ---------------------------------------------------------------------------


@dataclass
class Link:
    """One piece of evidence or repair move, with where it came from."""

    date: dt.date
    text: str
    note: str
    href: str
    source: str


@dataclass
class EpisodeView:
    """An episode with everything the page shows, links resolved."""

    ep: Episode
    kind_name: str
    status_name: str
    criteria: list[str]
    evidence: list[Link] = field(default_factory=list)
    moves: list[Link] = field(default_factory=list)
    last_day: dt.date | None = None


def checkin_links() -> dict[str, int]:
    """Evidence id -> check-in pk (the detector names a check-in by its session, else its pk)."""
    out: dict[str, int] = {}
    rows = list(Checkin.objects.filter(timing="post").values_list("pk", "session_id"))
    for pk, _ in rows:
        out.setdefault(str(pk), pk)
    for pk, sid in rows:
        if sid is not None:
            out[str(sid)] = pk  # a session id wins: that is what ratings() hands the detector
    return out


def source_href(source_id: str, checkins: dict[str, int], source: str = "entry") -> str:
    """The page of a piece of evidence: an entry's sentence or a check-in."""
    if source_id.startswith("entry:"):
        parts = source_id.split(":")
        return f"/entries/{parts[1]}/#s{parts[2]}" if len(parts) == 3 else f"/entries/{parts[1]}/"
    if source == "checkin" and source_id in checkins:
        return f"/checkins/{checkins[source_id]}/"
    return ""


def views(episodes: list[Episode]) -> list[EpisodeView]:
    """Page shapes of episodes, newest first."""
    from attunement.words.panel import subtype_name

    checkins = checkin_links()
    out = []
    for ep in sorted(episodes, key=lambda e: e.start, reverse=True):
        v = EpisodeView(ep, KIND_NAMES.get(ep.kind, ep.kind),
                        STATUS_NAMES.get(ep.status, ep.status),
                        [CRITERIA_NAMES.get(c, c) for c in ep.criteria], last_day=span(ep)[1])
        v.evidence = [Link(e.date, e.text, e.note or (f"score {e.score:.3g}" if e.score else ""),
                           source_href(e.id, checkins, e.source), e.source) for e in ep.evidence]
        v.moves = [Link(m.date, m.text, ("you: " if m.who == "client" else "your therapist: ")
                        + subtype_name(m.subtype), source_href(m.source_id, checkins), "entry")
                   for m in ep.repair_moves]
        out.append(v)
    return out


def open_episodes() -> list[Episode]:
    """Episodes still open after the writer's decisions."""
    return [e for e in decided().episodes if e.status == "open"]
