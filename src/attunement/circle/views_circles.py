"""Home, circles, invitations and members: the owner's pages and what members see."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from attunement.circle import access, ratelimit
from attunement.circle.accounts import (
    Unavailable,
    base_url,
    create_circle,
    make_invitation,
    open_invitations,
    remove_member,
    revoke_invitation,
)
from attunement.circle.forms import CircleForm, HoldForm, InviteForm
from attunement.circle.models import Circle, Membership, Post
from attunement.circle.views_common import me, page, page_of, wait_message

POSTS_PER_PAGE = 20
HOME_POSTS = 10


def _post_list(posts: QuerySet[Post]) -> QuerySet[Post]:
    """Posts with what a list shows (author, number of readable comments)."""
    return posts.select_related("author").annotate(
        n_comments=Count("comments", filter=Q(comments__status="visible"), distinct=True)
    ).order_by("-written_at", "-id")


@page
@require_http_methods(["GET", "HEAD"])
def home(request: HttpRequest) -> HttpResponse:
    user = me(request)
    circles = list(access.circles_of(user).select_related("owner").order_by("name", "id"))
    for c in circles:
        c.my_role = access.role_in(user, c)  # type: ignore[attr-defined]
    posts = _post_list(access.posts_for(user))
    return render(request, "circle/home.html", {
        "circles": circles,
        "posts": list(posts[:HOME_POSTS]),
        "can_write": user.can_write,
        "is_therapist": any(c.my_role == Membership.Role.THERAPIST  # type: ignore[attr-defined]
                            for c in circles),
    })


@page
@require_http_methods(["GET", "HEAD", "POST"])
def circle_new(request: HttpRequest) -> HttpResponse:
    """A writer makes a circle (anyone else is told calmly that this is for writers)."""
    access.check_writer(me(request))
    form = CircleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        circle = create_circle(me(request), form.cleaned_data["name"], form.cleaned_data["kind"])
        messages.success(request, f"{circle.name} is ready. Invite someone when you wish.")
        return redirect(f"/circles/{circle.pk}/")
    return render(request, "circle/circle_new.html", {"form": form},
                  status=400 if form.is_bound else 200)


@page
@require_http_methods(["GET", "HEAD"])
def circle_detail(request: HttpRequest, circle_id: int) -> HttpResponse:
    user = me(request)
    circle = access.circle_for(user, circle_id)
    is_owner = circle.owner_id == user.pk
    posts = page_of(request, _post_list(Post.objects.filter(circles=circle)), POSTS_PER_PAGE)
    members = (circle.memberships.select_related("user").order_by("role", "joined")
               if is_owner else None)
    return render(request, "circle/circle.html", {
        "circle": circle, "is_owner": is_owner, "posts": posts, "members": members,
        "role": access.role_in(user, circle),
        "hold_form": HoldForm(initial={"hold_comments": circle.hold_comments}),
    })


@page
@require_POST
def circle_settings(request: HttpRequest, circle_id: int) -> HttpResponse:
    circle = access.owned_circle(me(request), circle_id)
    form = HoldForm(request.POST)
    form.is_valid()  # a checkbox: absent means off
    circle.hold_comments = bool(form.cleaned_data.get("hold_comments"))
    circle.save(update_fields=["hold_comments"])
    messages.success(request, "New comments now wait for your approval." if circle.hold_comments
                     else "New comments now appear right away.")
    return redirect(f"/circles/{circle.pk}/")


def _invite_page(request: HttpRequest, circle: Circle, form: InviteForm,
                 link: str = "", status: int = 200) -> HttpResponse:
    return render(request, "circle/invite.html", {
        "circle": circle, "form": form, "link": link,
        "invitations": open_invitations(circle),
    }, status=status)


@page
@require_http_methods(["GET", "HEAD", "POST"])
def invite(request: HttpRequest, circle_id: int) -> HttpResponse:
    """Make an invitation link (shown once) and list the open ones (writers only: an
    account that is no longer a writer keeps its circles but invites no one new)."""
    user = me(request)
    circle = access.owned_circle(user, circle_id)
    access.check_writer(user)
    default_role = (Membership.Role.THERAPIST if circle.kind == Circle.Kind.THERAPY
                    else Membership.Role.MEMBER)
    if request.method != "POST":
        return _invite_page(request, circle, InviteForm(initial={"role": default_role}))
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _invite_page(request, circle, form, status=400)
    verdict = ratelimit.check("invite", f"user:{user.pk}")
    if not verdict.allowed:
        form.add_error(None, wait_message(verdict.retry_after))
        return _invite_page(request, circle, form, status=429)
    data = form.cleaned_data
    try:
        token = make_invitation(circle, user, data["role"], data["note"], data["days"])
    except Unavailable as exc:
        form.add_error("role", exc.message)
        return _invite_page(request, circle, form, status=400)
    link = f"{base_url(request)}/invite/{token}"
    return _invite_page(request, circle, InviteForm(initial={"role": default_role}), link=link)


@page
@require_POST
def invitation_revoke(request: HttpRequest, circle_id: int, invitation_id: int) -> HttpResponse:
    circle = access.owned_circle(me(request), circle_id)
    try:
        revoke_invitation(circle, invitation_id)
    except Unavailable:
        return redirect(f"/circles/{circle.pk}/invite")
    messages.success(request, "The invitation link no longer works.")
    return redirect(f"/circles/{circle.pk}/invite")


@page
@require_POST
def member_remove(request: HttpRequest, circle_id: int, user_id: int) -> HttpResponse:
    circle = access.owned_circle(me(request), circle_id)
    try:
        gone = remove_member(circle, user_id)
    except Unavailable as exc:
        messages.error(request, exc.message)
        return redirect(f"/circles/{circle.pk}/")
    messages.success(request, f"{gone} is no longer in {circle.name}.")
    return redirect(f"/circles/{circle.pk}/")
