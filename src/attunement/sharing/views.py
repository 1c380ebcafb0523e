"""Pages of sharing: connect, the Share panel's preview and confirmation, states, retry.

Thin calls into :mod:`attunement.sharing.services`. Views that wait on the network run
outside the request's transaction, so a slow server never holds the journal's write lock.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from attunement.checkins.models import Checkin
from attunement.record.models import Entry, Unsaid
from attunement.sharing import forms as sf
from attunement.sharing import payloads, services, state, texts
from attunement.sharing.client import BadLink
from attunement.sharing.listing import describe_items
from attunement.sharing.models import Connection, OutboxItem, Share

SEND_WAIT_SECONDS = 30.0


def _back(request: HttpRequest, default: str = "sharing_home") -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(default)


def _home_context(conn: Connection | None, form: sf.ConnectForm | None = None,
                  error: str = "") -> dict[str, Any]:
    context: dict[str, Any] = {"conn": conn, "form": form, "error": error}
    if conn is None:
        context["form"] = form or sf.ConnectForm()
        return context
    context["items"] = describe_items(conn)
    context["removals"] = services.removals_waiting(conn)
    context["auto_form"] = sf.AutoShareForm(
        conn=conn,
        initial={"auto_share": conn.auto_share_checkins,
                 "therapy_circle": (conn.therapy_circle() or {}).get("id")},
    )
    if conn.refused:
        context["refused_message"] = texts.TOKEN_REFUSED.format(message=conn.refused)
        context["form"] = form or sf.ConnectForm(initial={"device_name": conn.device_name})
    return context


def sharing_home(request: HttpRequest) -> HttpResponse:
    """Connect, or see the connection, the circles, and every shared or waiting item."""
    return render(request, "sharing/home.html", _home_context(services.current()))


@require_POST
@transaction.non_atomic_requests
def connect(request: HttpRequest) -> HttpResponse:
    """Exchange the pasted link for a token; on any problem nothing is stored."""
    form = sf.ConnectForm(request.POST)
    form.is_valid()  # no field can be invalid: parse_link judges the link
    data = form.cleaned_data
    try:
        _conn, message = services.connect(data.get("link", ""), data.get("device_name", ""))
    except (BadLink, services.SharingError) as exc:
        context = _home_context(services.current(), form, exc.message)
        return render(request, "sharing/home.html", context, status=400)
    messages.success(request, message)
    return redirect("sharing_home")


@require_POST
@transaction.non_atomic_requests
def disconnect(request: HttpRequest) -> HttpResponse:
    """Send waiting removals, then disconnect (refused, naming them, if they cannot go)."""
    try:
        message = services.disconnect(force=request.POST.get("force") == "1")
    except services.RemovalsWaiting as exc:
        messages.error(request, exc.message)
    except services.SharingError as exc:
        messages.info(request, exc.message)
    else:
        messages.success(request, message)
    return redirect("sharing_home")


@require_POST
@transaction.non_atomic_requests
def refresh(request: HttpRequest) -> HttpResponse:
    """Ask the server for the current list of circles."""
    try:
        services.refresh(services.require_connection())
    except services.SharingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, texts.REFRESHED)
    return redirect("sharing_home")


@require_POST
@transaction.non_atomic_requests
def send_now(request: HttpRequest) -> HttpResponse:
    """Send what is waiting and fetch comments now."""
    _sync_and_tell(request)
    return _back(request)


def _sync_and_tell(request: HttpRequest) -> None:
    report = services.sync(pull_comments="always", wait=SEND_WAIT_SECONDS)
    if report.locked:
        messages.info(request, texts.SEND_LOCKED)
    elif report.busy:
        messages.info(request, texts.SEND_BUSY)
    elif not report.connected:
        messages.info(request, texts.NOT_CONNECTED)
    else:
        messages.info(request, texts.SENT_SUMMARY.format(
            sent=report.sent, waiting=report.waiting, failed=report.failed,
            comments=report.comments))


def _not_connected(request: HttpRequest) -> HttpResponse:
    messages.info(request, texts.NOT_CONNECTED)
    return redirect("sharing_home")


@require_POST
def auto_share(request: HttpRequest) -> HttpResponse:
    conn = services.current()
    if conn is None:
        return _not_connected(request)
    form = sf.AutoShareForm(request.POST, conn=conn)
    if not form.is_valid():
        messages.error(request, texts.CIRCLE_NOT_YOURS)
        return redirect("sharing_home")
    try:
        message = services.set_auto_share(
            form.cleaned_data["auto_share"], form.cleaned_data["therapy_circle"]
        )
    except services.SharingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, message)
    return redirect("sharing_home")


@require_POST
@transaction.non_atomic_requests
def retry(request: HttpRequest, item_id: int) -> HttpResponse:
    """"Retry now" on a waiting or failed item, then a pass at once."""
    get_object_or_404(OutboxItem, pk=item_id)
    services.retry(item_id)
    messages.info(request, texts.RETRY_QUEUED)
    _sync_and_tell(request)
    return _back(request)


# --- entries ---------------------------------------------------------------------


def entry_share(request: HttpRequest, pk: int) -> HttpResponse:
    """The Share panel as a page of its own (the entry page holds the same form)."""
    entry = get_object_or_404(Entry, pk=pk)
    conn = services.current()
    if conn is None:
        return redirect("sharing_home")
    initial = sf.entry_form_initial(services.entry_shares(pk), entry.body)
    form = sf.EntryShareForm(conn=conn, initial=initial)
    return render(request, "sharing/entry_share.html", {"entry": entry, "form": form})


@require_POST
def entry_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """Show exactly what would leave the machine, before anything is queued."""
    entry = get_object_or_404(Entry, pk=pk)
    conn = services.current()
    if conn is None:
        return _not_connected(request)
    form = sf.EntryShareForm(request.POST, conn=conn)
    if not form.is_valid():
        return render(request, "sharing/entry_share.html",
                      {"entry": entry, "form": form}, status=400)
    return _preview(request, entry, form, conn)


def _preview(request: HttpRequest, entry: Entry, form: sf.EntryShareForm, conn: Connection,
             note: str = "") -> HttpResponse:
    choice = services.EntryChoice(form.cleaned_data["circles"], form.excerpt_or_none())
    try:
        payload = services.entry_preview(entry, choice)
    except services.SharingError as exc:
        form.add_error(None, exc.message)
        return render(request, "sharing/entry_share.html",
                      {"entry": entry, "form": form}, status=400)
    context = {
        "entry": entry,
        "payload": payload,
        "digest": payloads.digest(payload),
        "audience": [sf.circle_label(c) for c in conn.owned_circles()
                     if c["id"] in payload["circles"]],
        "mode": form.cleaned_data["mode"],
        "note": note,
    }
    return render(request, "sharing/entry_preview.html", context)


@require_POST
def entry_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue what the preview showed; if the entry changed meanwhile, preview again."""
    entry = get_object_or_404(Entry, pk=pk)
    conn = services.current()
    if conn is None:
        return _not_connected(request)
    form = sf.EntryShareForm(request.POST, conn=conn)
    if not form.is_valid():
        return render(request, "sharing/entry_share.html",
                      {"entry": entry, "form": form}, status=400)
    choice = services.EntryChoice(form.cleaned_data["circles"], form.excerpt_or_none())
    try:
        shares = services.share_entry(entry, choice, request.POST.get("digest", ""))
    except services.ChangedSincePreview as exc:
        return _preview(request, entry, form, conn, note=exc.message)
    except services.SharingError as exc:
        form.add_error(None, exc.message)
        return render(request, "sharing/entry_share.html",
                      {"entry": entry, "form": form}, status=400)
    messages.success(request, texts.QUEUED_ENTRY.format(audience=state.audience(conn, shares)))
    return redirect("entry_detail", pk=pk)


@require_POST
def entry_unshare(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(Entry, pk=pk)
    if services.unshare(Share.Kind.ENTRY, entry.pk):
        messages.success(request, texts.UNSHARED)
    return redirect("entry_detail", pk=pk)


# --- check-ins and notes -------------------------------------------------------------


@require_POST
def checkin_share(request: HttpRequest, pk: int) -> HttpResponse:
    checkin = get_object_or_404(Checkin, pk=pk)
    try:
        name = services.share_checkin(checkin)
    except services.SharingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, texts.QUEUED_CHECKIN.format(circle=name))
    return redirect("checkin_detail", pk=pk)


@require_POST
def checkin_unshare(request: HttpRequest, pk: int) -> HttpResponse:
    checkin = get_object_or_404(Checkin, pk=pk)
    if services.unshare(Share.Kind.CHECKIN, checkin.pk):
        messages.success(request, texts.UNSHARED)
    return redirect("checkin_detail", pk=pk)


@require_POST
def note_share(request: HttpRequest, pk: int) -> HttpResponse:
    note = get_object_or_404(Unsaid, pk=pk)
    try:
        name = services.share_note(note)
    except services.SharingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, texts.QUEUED_NOTE.format(circle=name))
    return _back(request, "sharing_home")


@require_POST
def note_unshare(request: HttpRequest, pk: int) -> HttpResponse:
    note = get_object_or_404(Unsaid, pk=pk)
    if services.unshare(Share.Kind.NOTE, note.pk):
        messages.success(request, texts.UNSHARED)
    return _back(request, "sharing_home")
