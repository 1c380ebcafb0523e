"""Who's here now: the front tracker, the history, and correcting an earlier period."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from attunement.errors import AttuneError
from attunement.parts import authorship, clock, fronts, services
from attunement.parts.models import FrontEdit, FrontPeriod, FrontState, Part
from attunement.parts.web import feature_required, input_time, local_time

HISTORY_DAYS = (1, 7, 14, 30, 90, 365)


def _picker(chosen: set[str]) -> dict[str, Any]:
    return {
        "pick_parts": services.active_parts(),
        "pick_states": services.active_states(),
        "chosen": chosen,
    }


@feature_required
def here(request: HttpRequest) -> HttpResponse:
    """Who is here now; record a switch, add someone beside, or note that one left."""
    now, error = clock.now(), ""
    if request.method == "POST":
        try:
            _record(request, now)
        except AttuneError as exc:
            error = exc.message
        else:
            messages.success(request, "Noted.")
            return redirect("parts_here")
    return render(
        request,
        "parts/here.html",
        {
            "open": fronts.open_periods(now),
            "recent": FrontPeriod.objects.prefetch_related("parts", "states")[:8],
            "error": error,
            **_picker(set(request.POST.getlist("who")) if error else set()),
        },
        status=400 if error else 200,
    )


def _record(request: HttpRequest, now: dt.datetime) -> None:
    parts, states = authorship.parse_who(request.POST.getlist("who"))
    at = local_time(request.POST.get("at", ""))
    note, action = request.POST.get("note", ""), request.POST.get("action", "switch")
    if action == "join":
        fronts.join(parts, states, now=now, at=at, note=note)
    else:
        fronts.switch(parts, states, now=now, at=at, note=note)


@feature_required
@require_POST
def leave(request: HttpRequest) -> HttpResponse:
    """One part or state left; the others with it stay."""
    parts, states = authorship.parse_who([request.POST.get("who", "")])
    who: Part | FrontState | None = (parts or states or [None])[0]
    try:
        if who is None:
            raise services.PartsError("Choose who left.")
        fronts.leave(who, now=clock.now(), at=local_time(request.POST.get("at", "")))
    except AttuneError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Noted.")
    return redirect("parts_here")


@feature_required
@require_POST
def end(request: HttpRequest, pk: int) -> HttpResponse:
    """End one period now (or at the time given)."""
    period = get_object_or_404(FrontPeriod, pk=pk)
    try:
        fronts.end(period, now=clock.now(), at=local_time(request.POST.get("at", "")))
    except AttuneError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Noted.")
    return redirect("parts_history" if request.POST.get("back") == "history" else "parts_here")


@feature_required
def period_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct an earlier period, or take it out; the log keeps the earlier version."""
    period = get_object_or_404(FrontPeriod.objects.prefetch_related("parts", "states"), pk=pk)
    error = ""
    if request.method == "POST":
        try:
            _correct(request, period)
        except AttuneError as exc:
            error = exc.message
        else:
            messages.success(request, "Corrected. The earlier version stays in the log.")
            return redirect("parts_history")
    chosen = (
        set(request.POST.getlist("who"))
        if error
        else {f"part:{p.pk}" for p in period.parts.all()}
        | {f"state:{s.pk}" for s in period.states.all()}
    )
    picker = _picker(chosen)
    # Someone archived since can still be kept in (or put back into) an old period.
    picker["pick_parts"] = list(Part.objects.filter(deletion_due_at__isnull=True))
    return render(
        request,
        "parts/period.html",
        {
            "period": period,
            "started": input_time(period.started_at),
            "ended": input_time(period.ended_at),
            "edits": _described(period.edits.all()[:20]),
            "error": error,
            **picker,
        },
        status=400 if error else 200,
    )


def _correct(request: HttpRequest, period: FrontPeriod) -> None:
    now, reason = clock.now(), request.POST.get("reason", "")
    if request.POST.get("action") == "remove":
        fronts.remove(period, now=now, reason=reason)
        return
    start = local_time(request.POST.get("started_at", ""), "start")
    if start is None:
        raise services.PartsError("A period needs the time it began.")
    parts, states = authorship.parse_who(request.POST.getlist("who"))
    fronts.correct(
        period,
        started_at=start,
        ended_at=local_time(request.POST.get("ended_at", ""), "end"),
        parts=parts,
        states=states,
        note=request.POST.get("note", ""),
        now=now,
        reason=reason,
    )


@feature_required
def history(request: HttpRequest) -> HttpResponse:
    """Periods over the last days, for everyone or one part, and the log of changes."""
    now = clock.now()
    days = int(request.GET.get("days", "14")) if request.GET.get("days", "").isdigit() else 14
    days = days if days in HISTORY_DAYS else 14
    part = None
    if request.GET.get("part", "").isdigit():
        part = Part.objects.filter(pk=int(request.GET["part"])).first()
    periods = fronts.history(
        now - dt.timedelta(days=days), now + dt.timedelta(minutes=1), part=part
    )
    totals = fronts.minutes_by_part(now - dt.timedelta(days=days), now)
    names = {p.pk: p for p in Part.objects.filter(pk__in=totals)}
    return render(
        request,
        "parts/history.html",
        {
            "periods": periods,
            "days": days,
            "day_choices": HISTORY_DAYS,
            "part": part,
            "parts": Part.objects.all(),
            "totals": sorted(
                ((names[k], round(v / 60, 1)) for k, v in totals.items() if k in names),
                key=lambda t: -t[1],
            ),
            "edits": _described(FrontEdit.objects.select_related("period")[:30]),
            "now": now,
        },
    )


def _described(edits: Any) -> list[dict[str, Any]]:
    """Edit-log rows with their snapshots' ids turned into today's names."""
    edits = list(edits)
    ids: dict[str, set[int]] = {"parts": set(), "states": set()}
    for e in edits:
        for snap in (e.before, e.after):
            for key in ids:
                ids[key] |= set((snap or {}).get(key, []))
    part_names = {p.pk: p.label for p in Part.objects.filter(pk__in=ids["parts"])}
    state_names = {s.pk: s.name for s in FrontState.objects.filter(pk__in=ids["states"])}

    def who(snap: dict[str, Any] | None) -> str:
        if not snap:
            return ""
        names = [part_names.get(i, "a part no longer listed") for i in snap.get("parts", [])]
        names += [state_names.get(i, "a state no longer listed") for i in snap.get("states", [])]
        return ", ".join(names)

    return [
        {
            "edit": e,
            "before": who(e.before),
            "after": who(e.after),
            "before_times": _times(e.before),
            "after_times": _times(e.after),
        }
        for e in edits
    ]


def _times(snap: dict[str, Any] | None) -> tuple[dt.datetime | None, dt.datetime | None] | None:
    if not snap:
        return None
    start = dt.datetime.fromisoformat(snap["started_at"]) if snap.get("started_at") else None
    end = dt.datetime.fromisoformat(snap["ended_at"]) if snap.get("ended_at") else None
    return start, end
