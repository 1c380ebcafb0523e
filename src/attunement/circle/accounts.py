"""Accounts, circles, invitations and connected journals: what the pages change.

Pages call these after :mod:`attunement.circle.access` said the person may; the
functions keep the invariants: a circle's owner has a membership with role ``owner``;
a therapy circle holds the writer and at most one therapist; an invitation is used
once, before it expires, unless revoked; secrets (invitation tokens, connection codes)
are shown once and only their hashes are stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from attunement.circle.models import (
    Circle,
    Comment,
    DeviceToken,
    Invitation,
    Membership,
    User,
    new_token,
    token_hash,
)
from attunement.circle.notify import forget_unreadable, notify

CLAIM_VALID = timedelta(hours=1)
MAX_DEVICES = 10  # connected journals and open connection links per account
TOO_MANY_DEVICES = (
    f"This account already has {MAX_DEVICES} connected journals and open connection links, "
    "the most it can have. Disconnect one you no longer use (or remove a waiting link) first."
)
MAX_TOKEN_CHARS = 100  # a longer "token" in a link is not one of ours


class Unavailable(Exception):
    """The change cannot be made; ``message`` says why, for the person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def base_url(request: HttpRequest) -> str:
    """The public address links are made with (ATTUNE_BASE_URL, or this request's host)."""
    configured = getattr(settings, "CIRCLE_BASE_URL", "")
    return configured or request.build_absolute_uri("/").rstrip("/")


# --- circles ----------------------------------------------------------------------


def create_circle(owner: User, name: str, kind: str) -> Circle:
    with transaction.atomic():
        circle = Circle.objects.create(owner=owner, name=name, kind=kind)
        Membership.objects.create(circle=circle, user=owner, role=Membership.Role.OWNER)
    return circle


def remove_member(circle: Circle, user_id: int) -> User:
    """Take someone out of a circle (never its owner). Their comments stay; what they
    were told through the circle (post titles, check-in alerts) goes with them."""
    m = Membership.objects.filter(circle=circle, user_id=user_id).select_related("user").first()
    if m is None or m.role == Membership.Role.OWNER:
        raise Unavailable("That person is not a member of this circle.")
    m.delete()
    forget_unreadable(user_id, circle)
    return m.user


# --- invitations ------------------------------------------------------------------


def _has_therapist(circle: Circle) -> bool:
    return circle.memberships.filter(role=Membership.Role.THERAPIST).exists()


def check_invite_role(circle: Circle, role: str) -> None:
    """Members go to circles, one therapist to a therapy circle."""
    if circle.kind == Circle.Kind.THERAPY:
        if role != Membership.Role.THERAPIST:
            raise Unavailable("A therapy circle is for you and your therapist: invite a therapist.")
        if _has_therapist(circle):
            raise Unavailable("This therapy circle already has a therapist.")
        if open_invitations(circle).filter(role=Membership.Role.THERAPIST).exists():
            raise Unavailable(
                "There is already an open invitation for a therapist here; revoke it first."
            )
    elif role != Membership.Role.MEMBER:
        raise Unavailable("A therapist can only be invited to a therapy circle.")


def open_invitations(circle: Circle) -> QuerySet[Invitation]:
    return circle.invitations.filter(
        used_at__isnull=True, revoked=False, expires_at__gt=timezone.now()
    ).order_by("-created")


def make_invitation(circle: Circle, by: User, role: str, note: str, days: int) -> str:
    """Store a new invitation and return its token (shown once, in the link)."""
    check_invite_role(circle, role)
    token = new_token()
    Invitation.objects.create(
        circle=circle, created_by=by, role=role, note=note,
        token_hash=token_hash(token), expires_at=timezone.now() + timedelta(days=days),
    )
    return token


def find_invitation(token: str) -> Invitation | None:
    """The usable invitation behind a link, or ``None`` for any link that no longer works."""
    if not token or len(token) > MAX_TOKEN_CHARS:
        return None
    inv = (Invitation.objects.filter(token_hash=token_hash(token))
           .select_related("circle", "circle__owner").first())
    return inv if inv is not None and inv.usable() else None


@transaction.atomic
def accept_invitation(token: str, user: User) -> Circle:
    """Use the invitation once: ``user`` joins its circle in its role."""
    inv = (Invitation.objects.select_for_update()
           .filter(token_hash=token_hash(token)).first() if len(token) <= MAX_TOKEN_CHARS else None)
    if inv is None or not inv.usable():
        raise Unavailable("This invitation link no longer works.")
    circle = Circle.objects.select_related("owner").get(pk=inv.circle_id)
    if circle.owner_id == user.pk or circle.memberships.filter(user=user).exists():
        raise Unavailable("You are already in this circle.")
    if inv.role == Membership.Role.THERAPIST and _has_therapist(circle):
        raise Unavailable("This therapy circle already has a therapist.")
    Membership.objects.create(circle=circle, user=user, role=inv.role)
    inv.used_at = timezone.now()
    inv.used_by = user
    inv.save(update_fields=["used_at", "used_by"])
    notify([circle.owner], "joined", f"{user} joined {circle.name}.",
           f"/circles/{circle.pk}/", actor=user, circle=circle)
    return circle


def revoke_invitation(circle: Circle, invitation_id: int) -> None:
    inv = circle.invitations.filter(pk=invitation_id, used_at__isnull=True).first()
    if inv is None:
        raise Unavailable("That invitation was already used or is gone.")
    inv.revoked = True
    inv.save(update_fields=["revoked"])


# --- connected journals -----------------------------------------------------------


@dataclass(frozen=True)
class Connection:
    device: DeviceToken
    code: str  # shown once, in the connection link


def live_devices(user_id: int) -> QuerySet[DeviceToken]:
    """The devices that count towards :data:`MAX_DEVICES`: connected ones, and links
    still waiting within their hour (an expired, never-used link can become nothing)."""
    return DeviceToken.objects.filter(user_id=user_id, revoked=False).filter(
        Q(claimed_at__isnull=False) | Q(claim_expires_at__gt=timezone.now()))


@transaction.atomic
def make_connection(user: User, name: str) -> Connection:
    """A device waiting for its journal to exchange the one-time code (valid an hour).

    At most :data:`MAX_DEVICES` per account: each can publish, so unlimited devices
    would multiply the publishing limits. The account's row is locked while counting,
    so two links made at once cannot both take the last place.
    """
    User.objects.select_for_update().filter(pk=user.pk).first()
    if live_devices(user.pk).count() >= MAX_DEVICES:
        raise Unavailable(TOO_MANY_DEVICES)
    code = new_token()
    device = DeviceToken.objects.create(
        user=user, name=name or "My journal", claim_hash=token_hash(code),
        claim_expires_at=timezone.now() + CLAIM_VALID,
    )
    return Connection(device, code)


def devices_of(user: User) -> QuerySet[DeviceToken]:
    return user.devices.filter(revoked=False).order_by("-created")


def revoke_device(user: User, device_id: int) -> DeviceToken | None:
    device = devices_of(user).filter(pk=device_id).first()
    if device is not None:
        device.revoked = True
        device.save(update_fields=["revoked"])
    return device


def revoke_all_devices(user: User) -> int:
    """Disconnect every journal of the account and void its open links (after a password
    change: whoever learnt the old password may have connected one). Returns how many
    connected journals were disconnected."""
    devices = user.devices.filter(revoked=False)
    connected = devices.filter(claimed_at__isnull=False).count()
    devices.update(revoked=True)
    return connected


# --- leaving ----------------------------------------------------------------------


@transaction.atomic
def delete_account(user: User, *, delete_comments: bool) -> None:
    """Remove the account with its memberships, devices, circles and posts.

    Comments elsewhere either lose their words (``delete_comments``: body erased, shown
    as "[removed]" where others' replies hang under them, gone otherwise) or keep their
    words with the author shown as "[removed]". Either way the row stays, so a writer's
    journal syncing comments learns of the change.
    """
    now = timezone.now()
    mine = Comment.objects.filter(author=user)
    if delete_comments:
        mine.update(author=None, body="", body_html="", status=Comment.Status.REMOVED,
                    changed=now)
    else:
        mine.update(author=None, changed=now)
    user.delete()
