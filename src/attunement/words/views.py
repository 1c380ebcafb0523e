"""Corrections of markers, and one-click contacts from what an entry mentions."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from attunement.record.models import Contact, Entry
from attunement.words import services
from attunement.words.models import SentenceReading


@require_POST
def correct(request: HttpRequest, pk: int, index: int) -> HttpResponse:
    """Confirm, reject or relabel the marker of one sentence (or undo that)."""
    entry = get_object_or_404(Entry, pk=pk)
    if not SentenceReading.objects.filter(entry=entry, index=index).exists():
        raise Http404("No such sentence.")
    action = request.POST.get("action", "")
    try:
        if action == "undo":
            services.undo_correction(entry, index)
        else:
            label, _, subtype = request.POST.get("label", "").partition(":")
            services.correct(entry, index, action, label, subtype)
    except ValueError:
        messages.error(request, "That choice was not understood; nothing was changed.")
    return redirect(f"/entries/{entry.pk}/#s{index}")


@require_POST
def add_contact(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a contact the entry mentions to the record, as the writer confirmed it."""
    entry = get_object_or_404(Entry, pk=pk)
    kind = request.POST.get("kind", "")
    who = request.POST.get("initiated_by", "")
    if kind not in Contact.Kind.values or who not in Contact.Initiator.values:
        messages.error(request, "That contact could not be added.")
        return redirect("entry_detail", pk=pk)
    when = entry.written_at
    day = request.POST.get("when", "")
    if day:
        try:
            d = dt.date.fromisoformat(day)
            when = timezone.make_aware(dt.datetime.combine(d, dt.time(12, 0)))
        except ValueError:
            pass
    answered = {"true": True, "false": False}.get(request.POST.get("answered", ""))
    Contact.objects.create(
        at=when,
        kind=kind,
        initiated_by=who,
        answered=answered,
        note=f"From the entry “{entry}”: {request.POST.get('text', '')[:300]}",
    )
    messages.success(request, "Added to your contacts. You can edit it there.")
    return redirect("entry_detail", pk=pk)
