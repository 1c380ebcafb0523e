"""The data behind the timeline chart: plain rows of dates, values and links.

Everything here is read with a handful of queries (one per table) and the cached episodes,
so five years of three sessions a week takes milliseconds; see bench/bench_insight.py.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from typing import Any

from django.db.models import Count
from django.utils import timezone

from attunement.checkins.models import Checkin
from attunement.insight.services import episodes as eps
from attunement.insight.services.scope import Scope
from attunement.record.models import Absence, Contact, Entry, FrameItem, Session
from attunement.words.models import SentenceReading

MARKER_GROUPS = {
    "withdrawal": "moving away",
    "confrontation": "moving against",
    "client_repair": "repair",
    "therapist_repair": "repair",
}
MIN_CONFIDENCE = 0.5
CANCELLED = {
    Session.Status.CANCELLED_BY_ME: "I cancelled",
    Session.Status.CANCELLED_BY_THERAPIST: "my therapist cancelled",
    Session.Status.MISSED: "missed session",
}


def _day(value: dt.datetime, tz: Any = None) -> str:
    # Looking the zone up once per list, not per row: per row it was most of the time.
    return value.astimezone(tz or timezone.get_current_timezone()).date().isoformat()


def alliance_rows(scope: Scope | None = None) -> list[dict[str, Any]]:
    """One row per check-in with an alliance score (after or before a session).

    With a part's scope, only the check-ins that part filled in: its own series.
    """
    checkins = Checkin.objects.exclude(alliance=None)
    if scope is not None:
        checkins = checkins.filter(pk__in=scope.checkin_ids)
    rows = checkins.order_by("completed_at").values_list("pk", "completed_at", "timing", "alliance")
    tz = timezone.get_current_timezone()
    return [{"date": _day(at, tz), "score": round(float(score or 0.0), 3),
             "timing": "before" if timing == "pre" else "after", "href": f"/checkins/{pk}/"}
            for pk, at, timing, score in rows]


def episode_rows(today: dt.date, scope: Scope | None = None) -> list[dict[str, Any]]:
    """One row per episode (after decisions): start, end (the last data day if open), kind.

    With a part's scope, the episodes resting on that part's entries or check-ins.
    """
    out = []
    for ep in eps.decided().episodes:
        if scope is not None and not scope.keeps(ep):
            continue
        end = ep.end or today
        out.append({"start": ep.start.isoformat(), "end": max(end, ep.start).isoformat(),
                    "end_label": ep.end.isoformat() if ep.end else "still open",
                    "kind": eps.KIND_NAMES.get(ep.kind, ep.kind),
                    "status": eps.STATUS_NAMES.get(ep.status, ep.status),
                    "href": f"/episodes/#ep-{ep.id}"})
    return out


def marker_rows(scope: Scope | None = None) -> list[dict[str, Any]]:
    """Marker sentences per week (Monday) and kind (of one part's entries, with a scope)."""
    readings = SentenceReading.objects.filter(label__in=list(MARKER_GROUPS),
                                              confidence__gte=MIN_CONFIDENCE)
    if scope is not None:
        readings = readings.filter(entry_id__in=scope.entry_ids)
    per_entry = readings.values_list("entry_id", "label").annotate(n=Count("pk"))
    rows = list(per_entry)
    when = dict(Entry.objects.filter(pk__in={e for e, _, _ in rows})
                .values_list("pk", "written_at"))
    counts: Counter[tuple[str, str]] = Counter()
    tz = timezone.get_current_timezone()
    for entry_id, label, n in rows:
        day = when[entry_id].astimezone(tz).date()
        monday = day - dt.timedelta(days=day.weekday())
        counts[(monday.isoformat(), MARKER_GROUPS[label])] += n
    return [{"week": w, "label": lab, "n": n} for (w, lab), n in sorted(counts.items())]


def event_rows() -> list[dict[str, Any]]:
    """Contacts, cancellations and frame changes as dated events with links."""
    out, tz = [], timezone.get_current_timezone()
    for pk, at, who, kind, note in Contact.objects.values_list(
            "pk", "at", "initiated_by", "kind", "note"):
        out.append({"date": _day(at, tz), "href": f"/contacts/{pk}/", "detail": note[:120] or kind,
                    "kind": "I reached out" if who == "me" else "my therapist reached out"})
    for pk, at, status in Session.objects.filter(status__in=list(CANCELLED)).values_list(
            "pk", "starts_at", "status"):
        out.append({"date": _day(at, tz), "kind": CANCELLED[Session.Status(status)], "detail": "",
                    "href": f"/sessions/{pk}/"})
    for pk, start, end, text in FrameItem.objects.values_list("pk", "start", "end", "text"):
        for day, what in ((start, "began: "), (end, "ended: ")):
            if day is not None:
                out.append({"date": day.isoformat(), "kind": "frame change",
                            "detail": what + text[:100], "href": f"/frame/{pk}/"})
    return sorted(out, key=lambda r: (r["date"], r["kind"]))


def range_rows() -> list[dict[str, Any]]:
    """Therapist absences as ranges."""
    return [{"start": s.isoformat(), "end": e.isoformat(), "label": note or "therapist away",
             "href": f"/absences/{pk}/"}
            for pk, s, e, note in Absence.objects.order_by("start").values_list(
                "pk", "start", "end", "note")]


def data(today: dt.date | None = None,
         scope: Scope | None = None) -> dict[str, list[dict[str, Any]]]:
    """Every dataset of the timeline chart; with a part's scope, that part's own.

    Contacts, cancellations, the frame and absences happened to everyone: a part's
    timeline keeps them as they are.
    """
    rows = {"alliance": alliance_rows(scope), "markers": marker_rows(scope),
            "events": event_rows(), "ranges": range_rows()}
    # An open episode is drawn up to the last day with data, not into empty months.
    days = [r.get("date") or r.get("week") or r.get("end") for v in rows.values() for r in v]
    last = max((dt.date.fromisoformat(d) for d in days if d), default=None)
    rows["episodes"] = episode_rows(min(today or timezone.localdate(), last or dt.date.max),
                                    scope)
    return rows


@functools.lru_cache(maxsize=1)
def scale() -> tuple[float, float]:
    """The alliance axis: the default instrument's range."""
    from attunement.checkins import services as checkin_services

    try:
        inst = checkin_services.get_instrument(checkin_services.DEFAULT_POST)
        lo, hi = inst.score_range(inst.alliance)
    except Exception:
        return (1.0, 5.0)
    return (float(lo), float(hi))


def table_rows(d: dict[str, list[dict[str, Any]]]) -> list[dict[str, str]]:
    """The same data as one date-ordered table for screen readers and print."""
    rows = [{"date": r["date"], "what": f"check-in {r['timing']} a session",
             "value": f"alliance {r['score']:.2f}", "href": r["href"]} for r in d["alliance"]]
    rows += [{"date": r["start"], "what": f"episode ({r['kind']})",
              "value": f"until {r['end_label']}; {r['status']}", "href": r["href"]}
             for r in d["episodes"]]
    rows += [{"date": r["week"], "what": f"week: {r['label']} in the words",
              "value": f"{r['n']} sentence{'s' if r['n'] != 1 else ''}", "href": ""}
             for r in d["markers"]]
    rows += [{"date": r["date"], "what": r["kind"], "value": r["detail"], "href": r["href"]}
             for r in d["events"]]
    rows += [{"date": r["start"], "what": "therapist away", "value": f"until {r['end']}",
              "href": r["href"]} for r in d["ranges"]]
    return sorted(rows, key=lambda r: r["date"])
