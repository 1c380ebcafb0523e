"""What the circle server holds: people, circles, and only what was shared with them.

A writer owns circles. A ``circle`` circle has members who read and answer the posts
shared with it; a ``therapy`` circle holds the writer and their therapist only, and
carries the shared check-ins, the notes for the next session and the therapist's own
ratings. Everything a writer shares is keyed by the id it has in their local journal
(``local_id``), so publishing again updates it and unsharing removes it.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


def new_token(nbytes: int = 32) -> str:
    """A random URL-safe secret (shown once; only its hash is stored)."""
    return secrets.token_urlsafe(nbytes)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class User(AbstractUser):
    """An account. ``username`` is the sign-in name; ``display_name`` the pseudonym shown.

    ``can_write`` marks a writer: only writers make circles, connect journals and
    publish. Everyone invited arrives without it, so an invitation never hands out the
    right to fill the server (``attune circle add-writer`` sets it).
    """

    display_name = models.CharField(max_length=80)
    quiet = models.BooleanField(default=False, help_text="No notifications while on.")
    can_write = models.BooleanField(
        default=False, help_text="A writer: makes circles, connects journals and publishes.")

    class Meta(AbstractUser.Meta):  # type: ignore[name-defined]
        constraints = [
            # Sign-in names are unique whatever their capitals: "Robin" and "robin" would
            # otherwise be two accounts that look like one.
            models.UniqueConstraint(Lower("username"), name="username_unique_any_case"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username


class Circle(models.Model):
    class Kind(models.TextChoices):
        CIRCLE = "circle", "Circle"
        THERAPY = "therapy", "Therapy (the writer and their therapist)"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="owned_circles")
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CIRCLE)
    hold_comments = models.BooleanField(
        default=False, help_text="Comments wait for the owner's approval before others see them."
    )
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        MEMBER = "member", "Member"
        THERAPIST = "therapist", "Therapist"

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices)
    joined = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["circle", "user"], name="one_membership_per_circle")
        ]


class Invitation(models.Model):
    """A single-use, expiring link that makes whoever opens it a member (or the therapist)."""

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="invitations")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                   related_name="+")
    role = models.CharField(max_length=10, choices=Membership.Role.choices,
                            default=Membership.Role.MEMBER)
    token_hash = models.CharField(max_length=64, unique=True)
    note = models.CharField(max_length=120, blank=True, default="")  # "for my sister"
    created = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    revoked = models.BooleanField(default=False)

    def usable(self, now: datetime | None = None) -> bool:
        moment = now or timezone.now()
        return not self.revoked and self.used_at is None and self.expires_at > moment


class DeviceToken(models.Model):
    """A local journal's credential for the JSON API (``Authorization: Bearer ...``).

    The writer makes a connection link on the server; the journal exchanges its one-time
    ``claim`` code for the token, which only the journal ever sees.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="devices")
    name = models.CharField(max_length=80, default="My journal")
    claim_hash = models.CharField(max_length=64, unique=True)
    claim_expires_at = models.DateTimeField()
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_used = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)


class Post(models.Model):
    """An entry (or an excerpt of one) the writer chose to share."""

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="posts")
    local_id = models.CharField(max_length=100)
    circles = models.ManyToManyField(Circle, related_name="posts")
    title = models.CharField(max_length=300, blank=True, default="")
    body = models.TextField()  # Markdown as written; rendered through nh3 when shown
    written_at = models.DateTimeField()
    is_excerpt = models.BooleanField(default=False)
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-written_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["author", "local_id"], name="one_post_per_local_id")
        ]


class Comment(models.Model):
    class Status(models.TextChoices):
        VISIBLE = "visible", "Visible"
        HELD = "held", "Waiting for approval"
        HIDDEN = "hidden", "Hidden by the writer"
        REMOVED = "removed", "Removed"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="replies")
    # Null once the author deleted their account and chose to leave it as "[removed]".
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="comments")
    body = models.TextField()  # Markdown source
    body_html = models.TextField()  # sanitised with nh3 when saved
    depth = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.VISIBLE)
    created = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    changed = models.DateTimeField(default=timezone.now, db_index=True)  # for sync cursors

    class Meta:
        ordering = ["created", "id"]


class Reaction(models.Model):
    """A gentle answer instead of a vote."""

    class Kind(models.TextChoices):
        THINKING_OF_YOU = "thinking_of_you", "Thinking of you"
        ME_TOO = "me_too", "Me too"
        SENDING_CARE = "sending_care", "Sending care"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="reactions")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "comment", "user", "kind"],
                                    name="one_reaction_of_a_kind",
                                    nulls_distinct=False)
        ]


class Notification(models.Model):
    class Kind(models.TextChoices):
        COMMENT = "comment", "New comment"
        REPLY = "reply", "Reply to you"
        HELD = "held", "Comment waiting for approval"
        POST = "post", "New post"
        REACTION = "reaction", "Reaction"
        ALERT = "alert", "Check-in alert"
        NOTE = "note", "Note for the next session"
        JOINED = "joined", "Someone joined"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notifications")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # What the notification is about. Its words quote shared things (a post's title, a
    # check-in's date, a person's name), so it goes when they go: a deleted post,
    # check-in, alert, circle or account takes its notifications with it.
    post = models.ForeignKey("Post", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+")
    checkin = models.ForeignKey("SharedCheckin", null=True, blank=True,
                                on_delete=models.CASCADE, related_name="+")
    alert = models.ForeignKey("Alert", null=True, blank=True, on_delete=models.CASCADE,
                              related_name="+")
    circle = models.ForeignKey(Circle, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.CASCADE, related_name="+")
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True, default="")
    created = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]


class SharedCheckin(models.Model):
    """A check-in the writer shared with their therapist (a ``therapy`` circle)."""

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="shared_checkins")
    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="checkins")
    local_id = models.CharField(max_length=100)
    instrument = models.CharField(max_length=100)
    instrument_version = models.CharField(max_length=30, blank=True, default="")
    timing = models.CharField(max_length=10, default="post")
    session_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField()
    answers = models.JSONField(default=dict)
    alliance = models.FloatField(null=True, blank=True)
    tension = models.BooleanField(null=True, blank=True)
    tension_intensity = models.PositiveSmallIntegerField(null=True, blank=True)
    tension_resolved = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.TextField(blank=True, default="")
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["completed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["author", "circle", "local_id"],
                                    name="one_checkin_per_local_id")
        ]


class SharedNote(models.Model):
    """Something the writer wants to bring to the next session, sent to the therapist."""

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="shared_notes")
    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="notes")
    local_id = models.CharField(max_length=100)
    text = models.TextField()
    written_at = models.DateTimeField()
    seen_at = models.DateTimeField(null=True, blank=True)  # the therapist marked it read
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-written_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["author", "circle", "local_id"],
                                    name="one_note_per_local_id")
        ]


class TherapistRating(models.Model):
    """The therapist's own view of a session, shown beside the client's check-in."""

    checkin = models.ForeignKey(SharedCheckin, on_delete=models.CASCADE, related_name="ratings")
    therapist = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="ratings")
    answers = models.JSONField(default=dict)
    alliance = models.FloatField(null=True, blank=True)
    tension = models.BooleanField(null=True, blank=True)
    note = models.TextField(blank=True, default="")
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["checkin", "therapist"], name="one_rating_per_checkin")
        ]


class Alert(models.Model):
    """A check-in that dropped by at least the reliable-change amount, or reported tension."""

    class Reason(models.TextChoices):
        DROP = "drop", "Reliable drop in the alliance"
        TENSION = "tension", "Tension reported"

    checkin = models.ForeignKey(SharedCheckin, on_delete=models.CASCADE, related_name="alerts")
    reason = models.CharField(max_length=10, choices=Reason.choices)
    detail = models.CharField(max_length=300)
    created = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["checkin", "reason"], name="one_alert_per_reason")
        ]


class RateEvent(models.Model):
    """One attempt counted by a rate limit (shared by every server worker process)."""

    scope = models.CharField(max_length=40)  # "login", "invite", "comment", "api"
    key = models.CharField(max_length=128)  # who: an IP address or a user id
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["scope", "key", "at"])]
