"""What the therapist's pages show, gathered from what each client shared with her.

Who may see what is decided here once (:func:`therapist_circles`): a therapy circle in
which she holds the therapist membership. Episodes are found on the server from the
shared series with the same detector the journal runs (:mod:`attunement.analysis`),
and the chart reuses the journal's timeline layers (:mod:`attunement.insight.charts`).
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from attunement.analysis.episodes import Episode, Rating, detect_episodes
from attunement.analysis.episodes_model import Instrument as ScaleFacts
from attunement.circle.alerts import (
    MIN_EARLIER,
    scale_range,
    sd_floor,
    server_instrument,
    threshold,
)
from attunement.circle.models import Circle, Membership, SharedCheckin, TherapistRating, User
from attunement.insight.charts import FONT, WIDTH, _alliance_layers, _episodes_layer, _x

DEFAULT_INSTRUMENT = "attunement-alliance-v1"
MIN_FOR_OWN_SD = 10  # as the journal's detector (attunement.words.episodes.own_sd)
KIND_NAMES = {"withdrawal": "moving away", "confrontation": "moving against",
              "mixed": "moving away and against", "unknown": "kind not clear"}
STATUS_NAMES = {"repaired": "repaired", "open": "still open", "unrepaired": "not repaired"}
CRITERIA_NAMES = {
    "strict_2sd": "a drop of 2 SD below the client's usual level",
    "sensitive_1sd": "a drop of 1 SD below the client's usual level",
    "sudden_loss": "a sudden loss (a large drop that stayed)",
    "self_report": "the client reported tension",
    "pre_session": "a drop in the before-session rating",
    "words": "the client's words",
}
THERAPIST_COLOUR = "#9c6b1c"


def therapist_circles(user: User) -> QuerySet[Circle]:
    """The therapy circles where this person is the therapist (nothing else, ever)."""
    if not user.is_authenticated:
        return Circle.objects.none()
    return Circle.objects.filter(
        kind=Circle.Kind.THERAPY,
        memberships__user=user, memberships__role=Membership.Role.THERAPIST,
    ).select_related("owner")


def client_rows(user: User) -> list[dict[str, Any]]:
    """One row per client for her home page: latest check-in, open alerts, unread notes."""
    circles = therapist_circles(user).annotate(
        open_alerts=Count("checkins__alerts", filter=Q(checkins__alerts__seen_at__isnull=True),
                          distinct=True),
        unread_notes=Count("notes", filter=Q(notes__seen_at__isnull=True), distinct=True),
    ).order_by("owner__display_name", "id")
    rows = []
    for c in circles:
        latest = (SharedCheckin.objects.filter(circle=c, author=c.owner)
                  .order_by("-completed_at", "-id").first())
        rows.append({"circle": c, "client": c.owner, "latest": latest,
                     "open_alerts": c.open_alerts, "unread_notes": c.unread_notes})
    return rows


def local_day(moment: dt.datetime) -> dt.date:
    """The calendar day of a moment in the server's time zone."""
    return timezone.localtime(moment).date()


@dataclass
class Series:
    """The client's shared check-ins laid out for the page, the chart and the detector."""

    instrument_id: str
    post: list[SharedCheckin]
    pre: list[SharedCheckin]
    pre_by_session: dict[dt.datetime, float] = field(default_factory=dict)
    scale: tuple[float, float] = (1.0, 5.0)
    alpha: float | None = None
    sd: float | None = None


def series(circle: Circle) -> Series:
    """The client's post-session series of their main instrument, and their pre-session ones.

    The main instrument is the one of their latest post-session check-in: scores of
    different instruments are on different scales and never share a line.
    """
    rows = list(SharedCheckin.objects.filter(circle=circle, author=circle.owner)
                .order_by("completed_at", "id"))
    posts = [c for c in rows if c.timing != "pre"]
    main = posts[-1].instrument if posts else DEFAULT_INSTRUMENT
    post = [c for c in posts if c.instrument == main]
    pre = [c for c in rows if c.timing == "pre"]
    pre_by_session = {c.session_at: float(c.alliance) for c in pre
                      if c.session_at is not None and c.alliance is not None}
    s = Series(main, post, pre, pre_by_session)
    inst = server_instrument(main)
    if inst is not None:
        s.scale = scale_range(inst)
        s.alpha, s.sd = inst.reliability.alpha, inst.reliability.sd
    return s


def ratings(s: Series) -> list[Rating]:
    """The detector's input: one rating per scored post-session check-in."""
    return [
        Rating(date=local_day(c.completed_at), score=float(c.alliance),
               pre_score=s.pre_by_session.get(c.session_at) if c.session_at else None,
               tension=c.tension, intensity=c.tension_intensity, resolved=c.tension_resolved,
               session_id=str(c.pk))
        for c in s.post if c.alliance is not None and math.isfinite(c.alliance)
    ]


def own_sd(rs: list[Rating]) -> float | None:
    """The client's spread over the whole series, as the journal computes it (≥10 scores)."""
    scores = [r.score for r in rs if r.valid_score]
    if len(scores) < MIN_FOR_OWN_SD:
        return None
    return float(statistics.pstdev(scores)) or None


def episodes(s: Series) -> list[Episode]:
    """Rupture–repair episodes in the shared series, found as the journal finds them."""
    rs = ratings(s)
    if not rs:
        return []
    lo, hi = s.scale
    facts = ScaleFacts(lo, hi, alpha=s.alpha or 0.9, sd=s.sd or own_sd(rs), name=s.instrument_id)
    return detect_episodes(rs, instrument=facts)


def describe(ep: Episode) -> dict[str, Any]:
    """An episode in the page's words."""
    return {"id": ep.id, "start": ep.start, "end": ep.end,
            "kind": KIND_NAMES.get(ep.kind, ep.kind),
            "status": STATUS_NAMES.get(ep.status, ep.status),
            "criteria": [CRITERIA_NAMES.get(c, c) for c in ep.criteria],
            "lowest": ep.lowest, "sessions_to_repair": ep.sessions_to_repair}


def ratings_by_checkin(therapist: User, checkins: list[SharedCheckin]
                       ) -> dict[int, TherapistRating]:
    """Her own ratings of these check-ins, by check-in id."""
    rows = TherapistRating.objects.filter(therapist=therapist, checkin__in=checkins)
    return {r.checkin_id: r for r in rows}


def _same_scale(checkin: SharedCheckin, scale: tuple[float, float]) -> bool:
    """Whether a before-session score can share the after-session line's axis."""
    inst = server_instrument(checkin.instrument)
    return inst is not None and scale_range(inst) == scale


def chart_data(s: Series, eps: list[Episode], mine: dict[int, TherapistRating],
               today: dt.date) -> dict[str, list[dict[str, Any]]]:
    """Rows for the chart: the client's scores, the episodes, and her own ratings.

    Only finite scores: NaN is not JSON, and one would stop the browser reading the spec.
    """
    alliance = [{"date": local_day(c.completed_at).isoformat(), "score": round(c.alliance, 3),
                 "timing": "after", "href": f"#checkin-{c.pk}"}
                for c in s.post if c.alliance is not None and math.isfinite(c.alliance)]
    alliance += [{"date": local_day(c.completed_at).isoformat(), "score": round(c.alliance, 3),
                  "timing": "before", "href": f"#checkin-{c.pk}"}
                 for c in s.pre if c.alliance is not None and math.isfinite(c.alliance)
                 and _same_scale(c, s.scale)]
    last = max([today, *(e.start for e in eps)])
    episodes_rows = [{"start": e.start.isoformat(),
                      "end": max(e.end or last, e.start + dt.timedelta(days=1)).isoformat(),
                      "end_label": e.end.isoformat() if e.end else "still open",
                      "kind": KIND_NAMES.get(e.kind, e.kind),
                      "status": STATUS_NAMES.get(e.status, e.status),
                      "href": f"#ep-{e.id}"} for e in eps]
    therapist = [{"date": local_day(c.completed_at).isoformat(),
                  "score": round(float(mine[c.pk].alliance or 0.0), 3), "href": f"#checkin-{c.pk}"}
                 for c in s.post if c.pk in mine and mine[c.pk].alliance is not None]
    return {"alliance": alliance, "episodes": episodes_rows, "therapist": therapist}


def _therapist_layer(lo: float, hi: float) -> dict[str, Any]:
    return {
        "data": {"name": "therapist"},
        "mark": {"type": "point", "shape": "diamond", "filled": True, "size": 60,
                 "color": THERAPIST_COLOUR, "cursor": "pointer"},
        "encoding": {
            "x": _x(), "href": {"field": "href"},
            "y": {"field": "score", "type": "quantitative",
                  "scale": {"domain": [lo, hi], "nice": False}},
            "tooltip": [{"field": "date", "type": "temporal", "title": "day"},
                        {"field": "score", "title": "your rating", "format": ".2f"}],
        },
    }


def _overview(lo: float, hi: float) -> dict[str, Any]:
    return {
        "height": 50, "width": WIDTH, "data": {"name": "alliance"},
        "transform": [{"filter": "datum.timing === 'after'"}],
        "params": [{"name": "brush", "select": {"type": "interval", "encodings": ["x"]}}],
        "mark": {"type": "area", "color": "#b9cfc2", "line": {"color": "#2f5d62"}},
        "encoding": {
            "x": _x("Drag here to look closer at a stretch of time", brushed=False),
            "y": {"field": "score", "type": "quantitative", "title": None,
                  "scale": {"domain": [lo, hi], "nice": False}, "axis": {"tickCount": 2}},
        },
    }


def chart_spec(data: dict[str, list[dict[str, Any]]], scale: tuple[float, float]
               ) -> dict[str, Any]:
    """The Vega-Lite spec: the client's alliance, episodes shaded, her ratings as diamonds."""
    lo, hi = scale
    detail = {
        "height": 240, "width": WIDTH,
        "layer": [_episodes_layer(), *_alliance_layers(lo, hi), _therapist_layer(lo, hi)],
        "resolve": {"scale": {"color": "independent"}},
    }
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "description": "The client's alliance per session, episodes, and the therapist's ratings.",
        "datasets": {k: data.get(k, []) for k in ("alliance", "episodes", "therapist")},
        "data": {"name": "alliance"},
        "config": {"font": FONT, "view": {"stroke": None},
                   "axis": {"labelFontSize": 12, "titleFontSize": 12},
                   "legend": {"orient": "top", "labelFontSize": 12}},
        "vconcat": [detail, _overview(lo, hi)],
        "resolve": {"scale": {"color": "independent"}},
        "autosize": {"type": "fit-x", "contains": "padding"},
    }


def drop_rule(s: Series) -> str:
    """How a drop alert is decided for this client right now, in one sentence with numbers."""
    inst = server_instrument(s.instrument_id)
    if inst is None:
        return (f"This server has no definition of the instrument '{s.instrument_id}', so "
                "only a reported tension raises an alert.")
    if inst.reliability.alpha is None:
        return (f"The instrument '{inst.title}' declares no reliability (alpha), so only a "
                "reported tension raises an alert.")
    scores = [float(c.alliance) for c in s.post if c.alliance is not None]
    t = threshold(inst, scores)
    if t is None:
        return (f"Drop alerts start once {MIN_EARLIER} scored check-ins have been shared "
                f"(so far {len(scores)}): the client's own spread needs them. A reported "
                "tension raises an alert from the first check-in.")
    where = ("the instrument's declared SD" if t.source == "declared"
             else f"the client's own SD over their last {t.earlier} check-ins, floor "
                  f"{sd_floor(inst):.2f}")
    assumed = ", assumed" if t.alpha_assumed else ""
    return (f"The next check-in raises an alert if its alliance is at least {t.amount:.2f} "
            f"points below the one before: the reliable-change amount 1.96 × SD {t.sd:.2f} "
            f"× √2 × √(1 − α {t.alpha:g}{assumed}), with the SD from {where}. A reported "
            "tension always raises one.")
