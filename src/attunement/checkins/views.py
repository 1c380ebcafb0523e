"""Check-in pages: a one-minute form that works on a phone, and the list."""

from __future__ import annotations

import contextlib
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from attunement.checkins import engine, services
from attunement.checkins.models import Checkin
from attunement.checkins.schema import Instrument
from attunement.errors import AttuneError
from attunement.record.models import Session


def checkin_list(request: HttpRequest) -> HttpResponse:
    """The latest check-ins with their scores."""
    items = Checkin.objects.select_related("session")[:200]
    return render(request, "checkins/list.html", {"checkins": items})


def _answers_from_post(instrument: Instrument, post: Any) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for item in instrument.items:
        raw = post.get(item.id, "").strip()
        if raw == "":
            continue
        if item.type == "yesno":
            answers[item.id] = raw == "yes"
        elif item.type == "scale":
            try:
                answers[item.id] = float(raw) if "." in raw else int(raw)
            except ValueError:
                answers[item.id] = raw
        else:
            answers[item.id] = raw[:4000]
    return answers


def _recent_session(session_id: str | None) -> Session | None:
    if session_id:
        return Session.objects.filter(pk=session_id).first() if session_id.isdigit() else None
    return Session.objects.filter(starts_at__lte=timezone.now()).order_by("-starts_at").first()


def checkin_new(request: HttpRequest, instrument_id: str = services.DEFAULT_POST) -> HttpResponse:
    """Fill in a check-in; errors come back on the same page with the answers kept."""
    try:
        instrument = services.get_instrument(instrument_id)
    except AttuneError as exc:
        messages.error(request, exc.message)
        return redirect("checkin_list")
    session = _recent_session(request.GET.get("session") or request.POST.get("session"))
    errors: list[str] = []
    answers: dict[str, Any] = {}
    if request.method == "POST":
        answers = _answers_from_post(instrument, request.POST)
        try:
            saved = services.record_checkin(
                instrument.id,
                answers,
                session=session,
                note=request.POST.get("checkin_note", "")[:4000],
            )
        except services.CheckinInvalid as exc:
            errors = exc.message.split("; ")
        else:
            from attunement.parts.linking import save_from_post
            from attunement.sharing.hooks import checkin_recorded

            save_from_post(saved, request.POST, "writing")  # who filled it in (parts on)
            shared = checkin_recorded(saved)  # queued for the therapist if chosen in Sharing
            messages.success(request, f"Thank you. Your check-in is saved. {shared}".strip())
            return redirect("home")
    items = [
        {
            "item": it,
            "text": engine.render_text(it.text),
            "choices": _choices(it),
            "value": answers.get(it.id),
        }
        for it in instrument.items
    ]
    return render(
        request,
        "checkins/form.html",
        {
            "instrument": instrument,
            "items": items,
            "session": session,
            "errors": errors,
            "instruments": services.available(),
        },
    )


def _choices(item: Any) -> list[tuple[str, str]]:
    if item.type == "yesno":
        return [("yes", "Yes"), ("no", "No")]
    if item.type == "scale" and item.min is not None and item.max is not None:
        step = item.step or 1
        values = []
        v = item.min
        while v <= item.max + 1e-9:
            values.append(v)
            v += step
        return [
            (_fmt(v), item.anchors.get(v, item.anchors.get(int(v), "")) or _fmt(v)) for v in values
        ]
    if item.type == "choice":
        return [(str(k), str(label)) for k, label in item.anchors.items()]
    return []


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)


def checkin_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One check-in with every answer, and delete."""
    checkin = get_object_or_404(Checkin, pk=pk)
    if request.method == "POST" and "delete" in request.POST:
        checkin.delete()
        messages.success(request, "The check-in is deleted.")
        return redirect("checkin_list")
    try:
        instrument: Instrument | None = services.get_instrument(checkin.instrument)
    except AttuneError:
        instrument = None
    rows = []
    for item_id, value in checkin.answers.items():
        text = item_id
        if instrument is not None:
            with contextlib.suppress(KeyError):
                text = engine.render_text(instrument.item(item_id).text)
        rows.append((text, value))
    return render(request, "checkins/detail.html", {"checkin": checkin, "rows": rows})
