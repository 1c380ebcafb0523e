"""Pages for parts, groups and states, import and export, and the feature's settings.

Every page answers 404 while the feature is off (``feature_required``), except the
settings form target, which is how the feature is turned on. Wording stays neutral:
nothing here asks anyone to add, name or describe a part.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from attunement.errors import AttuneError
from attunement.parts import clock, prefs, services, sharing_rules, transfer
from attunement.parts.models import FrontState, Part, PartGroup
from attunement.parts.web import feature_required

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


def _part_fields(request: HttpRequest) -> dict[str, Any]:
    post = request.POST
    return {
        "name": post.get("name", ""),
        "pronouns": post.get("pronouns", ""),
        "colour": post.get("colour", ""),
        "description": post.get("description", ""),
        "custom_fields": services.parse_custom_fields(post.get("custom_fields", "")),
    }


@feature_required
def members(request: HttpRequest) -> HttpResponse:
    """The parts listed, archived ones and ones waiting to be deleted apart."""
    error = ""
    if request.method == "POST":
        try:
            part = services.save_part(None, **_part_fields(request), now=clock.now())
        except AttuneError as exc:
            error = exc.message
        else:
            messages.success(request, f"Added {part.label}.")
            return redirect("parts_members")
    parts = list(Part.objects.prefetch_related("groups"))
    return render(
        request,
        "parts/members.html",
        {
            "active": [p for p in parts if not p.is_archived and not p.deletion_pending],
            "archived": [p for p in parts if p.is_archived and not p.deletion_pending],
            "pending": [p for p in parts if p.deletion_pending],
            "error": error,
            "form": request.POST if error else {},
            "custom_fields": request.POST.get("custom_fields", "") if error else "",
        },
        status=400 if error else 200,
    )


def _member_action(request: HttpRequest, part: Part) -> str:
    """Carry out the button pressed on a part's page; returns the message to show."""
    action, now = request.POST.get("action", "save"), clock.now()
    if action == "archive":
        services.archive(part, now)
        return f"{part.label} is archived: kept in history, out of the lists."
    if action == "unarchive":
        services.unarchive(part)
        return f"{part.label} is back in the lists."
    if action == "delete":
        services.request_deletion(part, now)
        due = timezone.localtime(part.deletion_due_at)
        return f"Deletion asked for: on {due:%d %B %Y at %H:%M}, unless cancelled before."
    if action == "cancel_delete":
        services.cancel_deletion(part)
        return "The deletion is cancelled."
    if action == "sharing":
        rule = sharing_rules.Rule(
            circles=request.POST.get("share_circles") == "1",
            therapist=request.POST.get("share_therapist") == "1",
        )
        sharing_rules.set_rule(part, rule)
        return f"Sharing rule saved: what {part.label} writes {rule.summary}."
    services.save_part(part, **_part_fields(request), now=now)
    return "Saved."


@feature_required
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """One part: its details, archive state, deletion request and notes."""
    part = get_object_or_404(Part, pk=pk)
    error = ""
    if request.method == "POST":
        try:
            messages.success(request, _member_action(request, part))
        except AttuneError as exc:
            error = exc.message
        else:
            return redirect("parts_member", pk=part.pk)
    now = clock.now()
    return render(
        request,
        "parts/member.html",
        {
            "part": part,
            "custom_fields": request.POST.get("custom_fields")
            if error
            else services.format_custom_fields(part.custom_fields),
            "error": error,
            "delay_days": prefs.settle(now).delay_at(now),
            "notes": part.notes.all()[:50],
            "writing_count": part.authorships.count(),
            "share_rule": sharing_rules.rule_for(part),
        },
        status=400 if error else 200,
    )


@feature_required
def groups(request: HttpRequest) -> HttpResponse:
    """Groups of parts, and a form to add one."""
    return _group_page(request, None)


@feature_required
def group_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _group_page(request, get_object_or_404(PartGroup, pk=pk))


def _group_page(request: HttpRequest, group: PartGroup | None) -> HttpResponse:
    error = ""
    if request.method == "POST":
        try:
            if group is not None and request.POST.get("action") == "delete":
                group.delete()  # a group holds no writing: its parts stay as they are
                messages.success(request, "The group is removed; its parts stay.")
                return redirect("parts_groups")
            ids = [int(v) for v in request.POST.getlist("members") if v.isdigit()]
            group = services.save_group(
                group,
                name=request.POST.get("name", ""),
                description=request.POST.get("description", ""),
                colour=request.POST.get("colour", ""),
                members=list(Part.objects.filter(pk__in=ids)),
            )
        except AttuneError as exc:
            error = exc.message
        else:
            messages.success(request, "Saved.")
            return redirect("parts_groups")
    return render(
        request,
        "parts/groups.html",
        {
            "group": group,
            "groups": PartGroup.objects.prefetch_related("members"),
            "parts": Part.objects.filter(deletion_due_at__isnull=True),
            "chosen": set(group.members.values_list("pk", flat=True)) if group else set(),
            "error": error,
        },
        status=400 if error else 200,
    )


@feature_required
def states(request: HttpRequest) -> HttpResponse:
    """Front states: the built-in "unknown" and "blurry", and the person's own."""
    error = ""
    if request.method == "POST":
        try:
            _state_action(request)
        except AttuneError as exc:
            error = exc.message
        else:
            messages.success(request, "Saved.")
            return redirect("parts_states")
    return render(
        request,
        "parts/states.html",
        {
            "states": [
                *services.active_states(),
                *FrontState.objects.filter(archived_at__isnull=False),
            ],
            "error": error,
        },
        status=400 if error else 200,
    )


def _state_action(request: HttpRequest) -> None:
    pk = request.POST.get("state", "")
    state = get_object_or_404(FrontState, pk=int(pk)) if pk.isdigit() else None
    action = request.POST.get("action", "save")
    if state is not None and action in ("archive", "unarchive"):
        state.archived_at = clock.now() if action == "archive" else None
        state.save(update_fields=["archived_at"])
        return
    services.save_state(
        state,
        name=request.POST.get("name", ""),
        description=request.POST.get("description", ""),
        colour=request.POST.get("colour", ""),
    )


@feature_required
@transaction.non_atomic_requests
def import_page(request: HttpRequest) -> HttpResponse:
    """Import a PluralKit, Simply Plural or Pluralport file, all or nothing."""
    from attunement.io.plural import FORMATS
    from attunement.parts import importing

    context: dict[str, Any] = {"formats": FORMATS}
    if request.method == "POST":
        upload = request.FILES.get("file")
        fmt = request.POST.get("format", "auto")
        if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_UPLOAD_BYTES:
            context["problems"] = [importing.TOO_LARGE]
            return render(request, "parts/import.html", context, status=413)
        if upload is None or (fmt != "auto" and fmt not in FORMATS):
            context["problems"] = ["Please choose a file (and its format, or let Attunement tell)."]
        else:
            try:
                counts = importing.import_file(fmt, upload.read(), now=clock.now())
            except AttuneError as exc:
                context["problems"] = getattr(exc, "problems", None) or [exc.message]
            else:
                messages.success(request, transfer.summary(counts))
                return redirect("parts_members")
        return render(request, "parts/import.html", context, status=400)
    return render(request, "parts/import.html", context)


@feature_required
def export_page(request: HttpRequest) -> HttpResponse:
    """Download everything about parts as a Pluralport file."""
    from attunement.parts import importing

    body = importing.export_bytes(now=clock.now())
    stamp = timezone.localtime(clock.now()).strftime("%Y-%m-%d")
    response = HttpResponse(body, content_type="application/json")
    response["Content-Disposition"] = (
        f'attachment; filename="attunement-parts-{stamp}.pluralport.json"'
    )
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def settings_save(request: HttpRequest) -> HttpResponse:
    """The settings page's parts card: the feature on/off, and the deletion delay."""
    now = clock.now()
    on = request.POST.get("enabled") == "1"
    prefs.set_enabled(on)
    text = request.POST.get("deletion_delay_days", "").strip()
    # Only a value the person changed counts: saving the card as it was shown must
    # neither cancel nor restart a shorter delay that is waiting to take effect.
    if on and text and text != request.POST.get("shown_delay_days", "").strip():
        try:
            prefs.change_delay(int(text), now)
        except ValueError:
            messages.error(request, prefs.BadDelay.message)
            return redirect("settings")
        except AttuneError as exc:
            messages.error(request, exc.message)
            return redirect("settings")
    messages.success(request, "Saved.")
    return redirect("settings")
