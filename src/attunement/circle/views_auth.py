"""Signing in and out, and joining through an invitation link."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from attunement.circle import ratelimit
from attunement.circle.accounts import Unavailable, accept_invitation, find_invitation
from attunement.circle.forms import LoginForm, SignupForm
from attunement.circle.models import Invitation, User
from attunement.circle.views_common import me, minutes, public, too_many

LOGIN_FAILED = "That name and password do not match an account."
NAME_WAIT = ("Too many attempts to sign in with this name; try again in {n}, or sign in "
             "from a browser you have signed in with before.")
NAME_TAKEN = "That sign-in name is taken; choose another."
KNOWN_COOKIE = "attune_known"
KNOWN_SALT = "login"
KNOWN_AGE = 365 * 24 * 60 * 60  # a year, in seconds
LINK_GONE = "This invitation link no longer works."


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    safe = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure())
    return target if safe and target.startswith("/") else "/"


def _known_here(request: HttpRequest, username: str) -> bool:
    """Whether this browser signed in to the account called ``username`` before.

    The proof is :data:`KNOWN_COOKIE`, signed with the server's key (so nobody can make
    one) and holding the account's id. It expires after a year.
    """
    value = request.get_signed_cookie(KNOWN_COOKIE, default=None, salt=KNOWN_SALT,
                                      max_age=KNOWN_AGE)
    if not value or not value.isdigit() or len(value) > 18:
        return False
    return User.objects.filter(pk=int(value), username=username).exists()


def _login_limited(request: HttpRequest, username: str) -> HttpResponse | None:
    """Count this attempt per address and per account name; the refusal, or None.

    The per-address limit is the tight one: it stops one machine guessing. The per-name
    limit is ten times looser and only stops many machines guessing one password
    together, and a browser the account signed in with before is exempt from it: a
    stranger's failures can slow a name down, never lock its owner out.
    """
    by_address = ratelimit.check("login", "addr:" + ratelimit.client_address(request))
    if not by_address.allowed:
        return too_many(request, by_address.retry_after)
    if _known_here(request, username):
        return None
    by_name = ratelimit.check("login_name", "name:" + username.lower())
    if not by_name.allowed:
        return too_many(request, by_name.retry_after,
                        NAME_WAIT.format(n=minutes(by_name.retry_after)))
    return None


def _remember_browser(response: HttpResponse, user: User) -> None:
    """Mark this browser as one the account signs in with (see :func:`_known_here`)."""
    response.set_signed_cookie(
        KNOWN_COOKIE, str(user.pk), salt=KNOWN_SALT, max_age=KNOWN_AGE, httponly=True,
        samesite="Lax", secure=bool(getattr(settings, "SESSION_COOKIE_SECURE", False)))


@public
@require_http_methods(["GET", "HEAD", "POST"])
def login_page(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(_next_url(request))
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        refused = _login_limited(request, username)
        if refused is not None:
            return refused
        user = authenticate(request, username=username, password=form.cleaned_data["password"])
        if user is not None:
            ratelimit.reset("login_name", "name:" + username.lower())
            login(request, user)
            response = redirect(_next_url(request))
            _remember_browser(response, user)
            return response
        form.add_error(None, LOGIN_FAILED)
        status = 400
    elif request.method == "POST":
        status = 400
    return render(request, "circle/login.html",
                  {"form": form, "next": _next_url(request)}, status=status)


@require_POST
def logout_page(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, "You are signed out.")
    return redirect("/login")


def _gone(request: HttpRequest) -> HttpResponse:
    return render(request, "circle/invitation_gone.html", status=404)


def _join(request: HttpRequest, token: str, inv: Invitation) -> HttpResponse:
    """The signed-in person joins with their own account."""
    try:
        circle = accept_invitation(token, me(request))
    except Unavailable as exc:
        messages.error(request, exc.message)
        return redirect("/")
    messages.success(request, f"Welcome to {circle.name}.")
    return redirect(f"/circles/{circle.pk}/")


def _signup(request: HttpRequest, token: str, inv: Invitation,
            form: SignupForm) -> HttpResponse | None:
    """A new account and its membership, in one transaction (the request's)."""
    if not form.is_valid():
        return None
    data = form.cleaned_data
    user = User(username=data["username"], display_name=data["display_name"])
    user.set_password(data["password"])
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        # Someone took the name (in any capitals) between the form's check and now.
        form.add_error("username", NAME_TAKEN)
        return None
    try:
        circle = accept_invitation(token, user)
    except Unavailable:
        user.delete()
        return _gone(request)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, f"Welcome to {circle.name}, {user.display_name}.")
    return redirect(f"/circles/{circle.pk}/")


@public
@require_http_methods(["GET", "HEAD", "POST"])
def invitation_page(request: HttpRequest, token: str) -> HttpResponse:
    """Who invites you to what; join with a new account or the one you are signed in with."""
    verdict = ratelimit.check("invite_open", ratelimit.client_address(request))
    if not verdict.allowed:
        return too_many(request, verdict.retry_after)
    inv = find_invitation(token)
    if inv is None:
        return _gone(request)
    signed_in = request.user.is_authenticated
    form = SignupForm(request.POST if request.method == "POST" and not signed_in else None)
    if request.method == "POST":
        if signed_in:
            return _join(request, token, inv)
        done = _signup(request, token, inv, form)
        if done is not None:
            return done
    return render(request, "circle/invitation.html",
                  {"inv": inv, "form": form, "token": token},
                  status=400 if form.is_bound else 200)
