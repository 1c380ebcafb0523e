"""The person's own pages: notifications, account settings, connected journals."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from attunement.circle.access import Hidden, check_writer
from attunement.circle.accounts import (
    Unavailable,
    base_url,
    delete_account,
    devices_of,
    make_connection,
    revoke_all_devices,
    revoke_device,
)
from attunement.circle.forms import ConnectForm, DeleteAccountForm, PasswordForm, ProfileForm
from attunement.circle.views_common import me, page, page_of, public

NOTIFICATIONS_PER_PAGE = 50
DEVICES_DISCONNECTED = ("Journals connected to this account were disconnected; connect them "
                        "again with a new link.")


@page
@require_http_methods(["GET", "HEAD"])
def notifications(request: HttpRequest) -> HttpResponse:
    items = page_of(request, me(request).notifications.all(), NOTIFICATIONS_PER_PAGE)
    return render(request, "circle/notifications.html", {"items": items})


@page
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    """Mark all as read (or the one named in ``id``)."""
    unread = me(request).notifications.filter(read_at__isnull=True)
    one = request.POST.get("id", "")
    if one.isdigit() and len(one) < 19:
        unread = unread.filter(pk=int(one))
    unread.update(read_at=timezone.now())
    return redirect("/notifications")


def _account_page(request: HttpRequest, status: int = 200, **forms: object) -> HttpResponse:
    user = me(request)
    context = {
        "profile_form": ProfileForm(initial={"display_name": user.display_name,
                                             "quiet": user.quiet}),
        "password_form": PasswordForm(user),
        "delete_form": DeleteAccountForm(),
        **forms,
    }
    return render(request, "circle/account.html", context, status=status)


@page
@require_http_methods(["GET", "HEAD", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    """Shown name and quiet mode (GET shows every account form)."""
    if request.method != "POST":
        return _account_page(request)
    form = ProfileForm(request.POST)
    if not form.is_valid():
        return _account_page(request, 400, profile_form=form)
    user = me(request)
    user.display_name = form.cleaned_data["display_name"]
    user.quiet = form.cleaned_data["quiet"]
    user.save(update_fields=["display_name", "quiet"])
    messages.success(request, "Saved." + (" Quiet mode is on: no notifications."
                                          if user.quiet else ""))
    return redirect("/account")


@page
@require_POST
def account_password(request: HttpRequest) -> HttpResponse:
    form = PasswordForm(me(request), request.POST)
    if not form.is_valid():
        return _account_page(request, 400, password_form=form)
    user = form.save()
    update_session_auth_hash(request, user)
    disconnected = revoke_all_devices(user)
    messages.success(request, "Your password is changed." + (
        f" {DEVICES_DISCONNECTED}" if disconnected else ""))
    return redirect("/account")


@page
@require_POST
def account_delete(request: HttpRequest) -> HttpResponse:
    """Remove the account, after the password confirms it is really the person."""
    user = me(request)
    form = DeleteAccountForm(request.POST)
    if form.is_valid() and not user.check_password(form.cleaned_data["password"]):
        form.add_error("password", "That is not your password.")
    if not form.is_valid():
        return _account_page(request, 400, delete_form=form)
    delete_account(user, delete_comments=form.cleaned_data["comments"] == "delete")
    logout(request)
    messages.info(request, "Your account is deleted. Thank you for being here.")
    return redirect("/login")


@page
@require_http_methods(["GET", "HEAD", "POST"])
def connect(request: HttpRequest) -> HttpResponse:
    """Connect a journal: a one-time link (valid an hour) to paste into the journal.

    Writers only: a connected journal publishes.
    """
    user = me(request)
    check_writer(user)
    form = ConnectForm(request.POST or None)
    link = ""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                made = make_connection(user, form.cleaned_data["name"])
            except Unavailable as exc:
                form.add_error(None, exc.message)
                status = 400
            else:
                link = f"{base_url(request)}/connect/{made.code}"
                form = ConnectForm()
        else:
            status = 400
    return render(request, "circle/connect.html", {
        "form": form, "link": link, "devices": devices_of(user), "now": timezone.now(),
    }, status=status)


@page
@require_POST
def device_revoke(request: HttpRequest, device_id: int) -> HttpResponse:
    device = revoke_device(me(request), device_id)
    if device is None:
        raise Hidden()
    messages.success(request, f"{device.name} is disconnected; it can no longer share here.")
    return redirect("/connect")


@public
@require_http_methods(["GET", "HEAD"])
def connect_code(request: HttpRequest, code: str) -> HttpResponse:
    """A connection link opened in a browser: it belongs in the journal, not here.

    The page is the same for every code (it checks none), so it tells nothing.
    """
    return render(request, "circle/connect_code.html", {})
