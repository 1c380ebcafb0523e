"""Pages of the record: lists with an add form, edit pages, entries, search."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.db import models, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from attunement.parts import linking as parts_linking
from attunement.record import forms as rf
from attunement.record import search as fts
from attunement.record import services
from attunement.record.models import (
    Absence,
    Contact,
    Entry,
    FrameItem,
    Session,
    Therapist,
    Unsaid,
)


@dataclass(frozen=True)
class Kind:
    """One kind of record with a list page and an edit page."""

    slug: str
    model: type[models.Model]
    form: type[forms.ModelForm]
    title: str
    singular: str
    template: str
    page_size: int = 100


KINDS = {
    k.slug: k
    for k in [
        Kind(
            "therapists",
            Therapist,
            rf.TherapistForm,
            "Therapists",
            "therapist",
            "record/therapists.html",
        ),
        Kind(
            "sessions",
            Session,
            rf.SessionForm,
            "Sessions",
            "session",
            "record/sessions.html",
            page_size=150,
        ),
        Kind(
            "contacts",
            Contact,
            rf.ContactForm,
            "Contacts between sessions",
            "contact",
            "record/contacts.html",
        ),
        Kind(
            "frame",
            FrameItem,
            rf.FrameItemForm,
            "The frame",
            "agreement or rule",
            "record/frame.html",
        ),
        Kind(
            "absences",
            Absence,
            rf.AbsenceForm,
            "Therapist absences",
            "absence",
            "record/frame.html",
        ),
        Kind("unsaid", Unsaid, rf.UnsaidForm, "What I couldn't say", "note", "record/unsaid.html"),
    ]
}


def _kind(slug: str) -> Kind:
    if slug not in KINDS:
        raise Http404("No such page.")
    return KINDS[slug]


def kind_list(request: HttpRequest, slug: str) -> HttpResponse:
    """A list of records with the add form on top."""
    kind = _kind(slug)
    form = kind.form(request.POST or None, prefix=slug)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        if slug == "sessions":  # who was in the session (only while parts are on)
            parts_linking.save_from_post(saved, request.POST, "present")
        messages.success(request, f"The {kind.singular} is saved.")
        return redirect(request.path)
    context: dict[str, Any] = {
        "kind": kind,
        "form": form,
        "items": kind.model._default_manager.all()[: kind.page_size],
    }
    if slug in ("frame", "absences"):
        context |= _frame_context(request, slug, form)
    if slug == "sessions":
        context["pattern_form"] = rf.WeeklyPatternForm(prefix="pattern")
        context["last_session"] = Session.objects.order_by("-starts_at").first()
    if slug == "unsaid":
        context["open_items"] = Unsaid.objects.filter(brought_up_at__isnull=True)
        context["done_items"] = Unsaid.objects.filter(brought_up_at__isnull=False)[:50]
    return render(request, kind.template, context)


def _frame_context(request: HttpRequest, slug: str, form: forms.ModelForm) -> dict[str, Any]:
    frame_form = form if slug == "frame" else rf.FrameItemForm(prefix="frame")
    absence_form = form if slug == "absences" else rf.AbsenceForm(prefix="absences")
    today = timezone.localdate()
    items = FrameItem.objects.all()
    return {
        "frame_form": frame_form,
        "absence_form": absence_form,
        "current_frame": [i for i in items if i.end is None or i.end >= today],
        "past_frame": [i for i in items if i.end is not None and i.end < today],
        "absences": Absence.objects.all()[:100],
    }


def kind_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Edit one record; delete it from the same page."""
    kind = _kind(slug)
    obj = get_object_or_404(kind.model, pk=pk)
    if request.method == "POST" and "delete" in request.POST:
        obj.delete()
        messages.success(request, f"The {kind.singular} is deleted.")
        return redirect("kind_list", slug=slug)
    form = kind.form(request.POST or None, instance=obj)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        if slug == "sessions":  # who was in the session (only while parts are on)
            parts_linking.save_from_post(saved, request.POST, "present")
        messages.success(request, "Saved.")
        return redirect("kind_list", slug=slug)
    return render(request, "record/edit.html", {"kind": kind, "form": form, "obj": obj})


@require_POST
def session_repeat(request: HttpRequest) -> HttpResponse:
    """Add the same session again, a chosen number of days after the last one."""
    last = Session.objects.order_by("-starts_at").first()
    if last is None:
        messages.info(request, "There is no session to repeat yet: add the first one below.")
        return redirect("kind_list", slug="sessions")
    days = _int(request.POST.get("days"), default=7, lo=1, hi=31)
    made = services.repeat_session(last, days=days)
    messages.success(
        request, f"Added a session on {timezone.localtime(made.starts_at):%A %d %B, %H:%M}."
    )
    return redirect("kind_list", slug="sessions")


@require_POST
def session_pattern(request: HttpRequest) -> HttpResponse:
    """Add sessions on a weekly pattern (e.g. Mon, Wed, Fri at 8:00 for 6 weeks)."""
    form = rf.WeeklyPatternForm(request.POST, prefix="pattern")
    if not form.is_valid():
        messages.error(request, "Please choose a start day, the weekdays and a time.")
        return redirect("kind_list", slug="sessions")
    d = form.cleaned_data
    made = services.add_weekly_pattern(
        first_day=d["first_day"],
        weeks=d["weeks"],
        weekdays=d["weekdays"],
        at=d["at"],
        modality=d["modality"],
    )
    messages.success(request, f"Added {len(made)} sessions.")
    return redirect("kind_list", slug="sessions")


@require_POST
def unsaid_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a note as brought up (or back on the list)."""
    note = get_object_or_404(Unsaid, pk=pk)
    note.brought_up_at = None if note.brought_up_at else timezone.now()
    note.save(update_fields=["brought_up_at"])
    if getattr(request, "htmx", False):
        return render(request, "record/_unsaid_item.html", {"note": note})
    return redirect(request.POST.get("next") or "kind_list", slug="unsaid")


def _int(value: str | None, *, default: int, lo: int, hi: int) -> int:
    try:
        return max(lo, min(hi, int(value or default)))
    except ValueError:
        return default


def entry_list(request: HttpRequest) -> HttpResponse:
    """All entries, or those matching a search, newest first."""
    q = request.GET.get("q", "").strip()[:200]
    tag = request.GET.get("tag", "").strip()[:80]
    hits = fts.search(q) if q else None
    entries = Entry.objects.prefetch_related("tags")
    if tag:
        entries = entries.filter(tags__name=tag)
    return render(
        request,
        "record/entries.html",
        {"q": q, "tag": tag, "hits": hits, "entries": entries[:200]},
    )


def entry_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Write a new entry or edit one; nothing is written outside the encrypted store."""
    entry = get_object_or_404(Entry, pk=pk) if pk else None
    initial = {}
    if entry is None and request.GET.get("session"):
        initial["session"] = _int(request.GET["session"], default=0, lo=0, hi=2**62)
    form = rf.EntryForm(request.POST or None, instance=entry, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        parts_linking.save_from_post(saved, request.POST, "writing")  # only while parts are on
        messages.success(request, "Your entry is saved.")
        return redirect("entry_detail", pk=saved.pk)
    return render(request, "record/entry_form.html", {"form": form, "entry": entry})


def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One entry with its comments, threaded."""
    entry = get_object_or_404(Entry.objects.prefetch_related("tags"), pk=pk)
    from attunement.web.rendering import comment_tree, flatten
    from attunement.words import panel

    context = {"entry": entry, "comments": flatten(comment_tree(entry.comments.all()))}
    return render(request, "record/entry_detail.html", context | panel.context(entry))


@require_POST
def entry_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete an entry after the confirmation on its page."""
    entry = get_object_or_404(Entry, pk=pk)
    services.delete_entry(entry)
    messages.success(request, "The entry is deleted.")
    return redirect("entry_list")


@require_POST
@transaction.atomic
def entry_star(request: HttpRequest, pk: int) -> HttpResponse:
    """Hold this entry (star) or let it go."""
    entry = get_object_or_404(Entry, pk=pk)
    entry.starred = not entry.starred
    entry.save(update_fields=["starred"])
    return redirect("entry_detail", pk=pk)


def week_start(day: dt.date) -> dt.date:
    """Monday of the week of a day."""
    return day - dt.timedelta(days=day.weekday())
