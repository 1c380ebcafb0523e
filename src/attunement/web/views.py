"""Home, creating and unlocking the journal, settings, import and export pages."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from attunement.checkins.models import Checkin
from attunement.errors import AttuneError
from attunement.record import services, transfer
from attunement.record.models import Entry, Unsaid
from attunement.store import journal
from attunement.store.errors import WrongPassphrase
from attunement.web.middleware import remember_unlock

MAX_UPLOAD_BYTES = 100 * 1024 * 1024
TOO_LARGE = (
    f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB; nothing was imported. "
    "Use `attune import` on the command line for very large files."
)


def home(request: HttpRequest) -> HttpResponse:
    """The next session, what to bring, the last check-ins and the latest entries."""
    from attunement.insight.services.hold import card_context

    return render(
        request,
        "web/home.html",
        {
            **card_context(request),
            "next_session": services.next_session(),
            "to_bring": Unsaid.objects.filter(brought_up_at__isnull=True)[:10],
            "checkins": Checkin.objects.filter(timing="post").select_related("session")[:5],
            "entries": Entry.objects.prefetch_related("tags")[:5],
        },
    )


@never_cache
@transaction.non_atomic_requests
def welcome(request: HttpRequest) -> HttpResponse:
    """Create a journal protected by a passphrase."""
    if journal.exists():
        return redirect("unlock")
    error = ""
    if request.method == "POST":
        passphrase = request.POST.get("passphrase", "")
        if passphrase != request.POST.get("passphrase2", ""):
            error = "The two passphrases are not the same. Please type them again."
        else:
            try:
                recovery = journal.create(passphrase)
            except AttuneError as exc:
                error = exc.message
            else:
                remember_unlock(request)
                return render(request, "web/recovery.html", {"recovery_key": recovery})
    return render(request, "web/welcome.html", {"error": error})


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return "/"


@never_cache
@transaction.non_atomic_requests
def unlock(request: HttpRequest) -> HttpResponse:
    """Unlock with the passphrase; a wrong one leaves everything as it was."""
    if not journal.exists():
        return redirect("welcome")
    error = ""
    if request.method == "POST":
        try:
            journal.unlock(request.POST.get("passphrase", ""))
        except AttuneError as exc:
            error = exc.message
        else:
            remember_unlock(request)
            return redirect(_safe_next(request))
    status = 403 if error else 200
    return render(
        request, "web/unlock.html", {"error": error, "next": _safe_next(request)}, status=status
    )


@never_cache
@transaction.non_atomic_requests
def recover(request: HttpRequest) -> HttpResponse:
    """Unlock with the recovery key and choose a new passphrase."""
    if not journal.exists():
        return redirect("welcome")
    error = ""
    if request.method == "POST":
        new = request.POST.get("passphrase", "")
        if new != request.POST.get("passphrase2", ""):
            error = "The two new passphrases are not the same."
        else:
            try:
                journal.unlock_with_recovery(request.POST.get("recovery_key", ""), new)
            except WrongPassphrase:
                error = "That recovery key does not open this journal. Nothing was changed."
            except AttuneError as exc:
                error = exc.message
            else:
                remember_unlock(request)
                messages.success(request, "Your new passphrase is set. Welcome back.")
                return redirect("home")
    return render(request, "web/recover.html", {"error": error}, status=403 if error else 200)


@require_POST
@transaction.non_atomic_requests
def lock(request: HttpRequest) -> HttpResponse:
    """Close the journal and forget the key."""
    journal.lock()
    return redirect("locked")


@require_POST
@transaction.non_atomic_requests
def keepalive(request: HttpRequest) -> HttpResponse:
    """The page is in use (typing makes no request); the middleware noted it."""
    return HttpResponse(status=204)


@never_cache
@transaction.non_atomic_requests
def locked(request: HttpRequest) -> HttpResponse:
    """The page shown after locking."""
    return render(request, "web/locked.html")


@never_cache
@transaction.non_atomic_requests
def change_passphrase(request: HttpRequest) -> HttpResponse:
    """Re-key the journal under a new passphrase."""
    error = ""
    if request.method == "POST":
        new = request.POST.get("new_passphrase", "")
        if new != request.POST.get("new_passphrase2", ""):
            error = "The two new passphrases are not the same."
        else:
            try:
                journal.rekey(new, old_passphrase=request.POST.get("old_passphrase", ""))
            except WrongPassphrase:
                error = "Your current passphrase was not right. Nothing was changed."
            except AttuneError as exc:
                error = exc.message
            else:
                remember_unlock(request)
                messages.success(
                    request, "Your passphrase is changed, and the journal re-encrypted."
                )
                return redirect("settings")
    return render(request, "web/passphrase.html", {"error": error}, status=403 if error else 200)


def settings_page(request: HttpRequest) -> HttpResponse:
    """Settings: supports for the calm card, the idle lock, the passphrase."""
    from attunement.record.models import Setting

    supports, _ = Setting.objects.get_or_create(name="supports", defaults={"value": {"text": ""}})
    if request.method == "POST":
        supports.value = {"text": request.POST.get("supports", "")[:4000]}
        supports.save()
        messages.success(request, "Saved.")
        return redirect("settings")
    return render(
        request,
        "web/settings.html",
        {
            "supports": supports.value.get("text", ""),
            "idle_minutes": settings.IDLE_LOCK_MINUTES,
            "home": settings.ATTUNE_HOME,
        },
    )


@transaction.non_atomic_requests
def import_page(request: HttpRequest) -> HttpResponse:
    """Import a file; it is parsed fully before anything is saved."""
    from attunement.record import importing as registry

    context: dict[str, Any] = {"formats": registry.IMPORT_FORMATS}
    if request.method == "POST":
        # Checked before the body is read: a huge upload is refused, never held in memory.
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
        if declared > MAX_UPLOAD_BYTES:
            context["problems"] = [TOO_LARGE]
            return render(request, "web/import.html", context, status=413)
        fmt = request.POST.get("format", "")
        upload = request.FILES.get("file")
        if upload is None or fmt not in registry.IMPORT_FORMATS:
            context["problems"] = ["Please choose a format and a file."]
        else:
            try:
                counts = registry.import_bytes(fmt, upload.read(), filename=upload.name or "")
            except AttuneError as exc:
                context["problems"] = getattr(exc, "problems", None) or [exc.message]
                context["failed_message"] = exc.message
            else:
                messages.success(request, registry.summary(counts))
                return redirect("entry_list")
    return render(request, "web/import.html", context)


def export_page(request: HttpRequest) -> HttpResponse:
    """Download the journal as JSON or as Markdown files (zip)."""
    from attunement.io.jsonexport import export_json

    fmt = request.GET.get("format")
    stamp = timezone.localtime().strftime("%Y-%m-%d")
    if fmt == "json":
        body = export_json(transfer.export_data())
        return _download(body, f"attunement-{stamp}.json", "application/json")
    if fmt == "markdown":
        files = _markdown_files(transfer.export_data())
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, content in files.items():
                zf.writestr(name, content)
        return _download(buf.getvalue(), f"attunement-{stamp}-markdown.zip", "application/zip")
    return render(request, "web/export.html")


def _markdown_files(data: Any) -> dict[str, str]:
    """The Markdown export as {file name: text}, for a zip download."""
    from attunement.io.markdown import entry_filename, entry_markdown

    session_times = {s.key: s.starts_at for s in data.sessions}
    taken: set[str] = set()
    return {
        entry_filename(e, taken): entry_markdown(e, session_times)
        for e in sorted(data.entries, key=lambda e: (e.written_at, e.key))
    }


def _download(body: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
