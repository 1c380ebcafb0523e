"""What the journal keeps about sharing: the connection, each item's audience, the outbox.

All of it lives in the encrypted journal like everything else; the device token is
as private as the entries it can publish. Nothing here is sent anywhere by itself:
only the outbox is ever sent, and only after the person chose an item and confirmed.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone


class Connection(models.Model):
    """The one circle server this journal is connected to (at most one row)."""

    server_url = models.CharField(max_length=500)  # base, e.g. https://circle.example
    server_name = models.CharField(max_length=200, blank=True, default="")
    token = models.CharField(max_length=500)
    device_name = models.CharField(max_length=80, default="My journal")
    account_id = models.BigIntegerField(null=True, blank=True)
    account_name = models.CharField(max_length=200, blank=True, default="")
    # [{"id", "name", "kind", "role"}] as the server last described them (GET me).
    circles = models.JSONField(default=list)
    circles_checked_at = models.DateTimeField(null=True, blank=True)
    connected_at = models.DateTimeField(default=timezone.now)
    auto_share_checkins = models.BooleanField(default=False)
    therapy_circle_id = models.BigIntegerField(null=True, blank=True)
    comments_cursor = models.CharField(max_length=200, blank=True, default="")
    last_pull_at = models.DateTimeField(null=True, blank=True)
    pull_error = models.CharField(max_length=500, blank=True, default="")
    pull_failures = models.PositiveIntegerField(default=0)
    next_pull_at = models.DateTimeField(null=True, blank=True)
    # Set when the server refused the token itself (401): nothing more is tried.
    refused = models.CharField(max_length=500, blank=True, default="")

    def owned_circles(self) -> list[dict[str, Any]]:
        """The circles this account may share into (the server says: the ones it owns)."""
        return [c for c in self.circles if isinstance(c, dict) and c.get("role") == "owner"]

    def circle_name(self, circle_id: int) -> str:
        c = self.circle(circle_id)
        if c is None:
            return f"circle {circle_id} (no longer listed)"
        return str(c.get("name") or f"circle {circle_id}")

    def circle(self, circle_id: int | None) -> dict[str, Any] | None:
        """The circle with this id as the server last described it, if it still lists it."""
        for c in self.circles:
            if isinstance(c, dict) and c.get("id") == circle_id:
                return c
        return None

    def therapy_circles(self) -> list[dict[str, Any]]:
        return [c for c in self.owned_circles() if c.get("kind") == "therapy"]

    def therapy_circle(self) -> dict[str, Any] | None:
        """The therapy circle check-ins and notes go to: the chosen one, else the only one."""
        found = self.therapy_circles()
        for c in found:
            if c.get("id") == self.therapy_circle_id:
                return c
        return found[0] if found else None


class Share(models.Model):
    """One item shared into one circle (absent = private there).

    An entry shared with two circles has two rows, each its own post on the server with
    its own ``local_id`` ("entry-5.c11", "entry-5.c12"): a post lives in one circle, so
    each circle keeps its own conversation and nobody reads another circle's comments.
    A check-in or a note has one row, for the therapy circle.
    """

    class Kind(models.TextChoices):
        ENTRY = "entry", "Entry"
        CHECKIN = "checkin", "Check-in"
        NOTE = "unsaid", "Note for the next session"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    object_id = models.BigIntegerField()
    circle_id = models.BigIntegerField()
    # The item's id on the server (CIRCLE_API.md); no foreign key, so the record of a
    # share outlives a deleted entry long enough to unpublish it. Entries shared before
    # each circle had its own post may keep their old "entry-5" (see migration 0002).
    local_id = models.CharField(max_length=100, unique=True)
    is_excerpt = models.BooleanField(default=False)
    excerpt = models.TextField(blank=True, default="")
    # Of the last queued payload; empty: never built yet (the next sync pass builds it).
    digest = models.CharField(max_length=64, blank=True, default="")
    remote_url = models.CharField(max_length=500, blank=True, default="")
    chosen_at = models.DateTimeField(default=timezone.now)
    shared_at = models.DateTimeField(null=True, blank=True)  # last confirmed by the server
    ever_sent = models.BooleanField(default=False)  # a PUT was attempted at least once

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id", "circle_id"],
                                    name="one_share_per_item_and_circle")
        ]


class SentPost(models.Model):
    """A post this journal ever tried to publish, kept after it is unshared.

    Comments are pulled only for these (the server is not trusted to say where comments
    belong), and a post that is being removed still receives the removal of its
    comments. It also says which entry and circle a post's comments belong to.
    """

    local_id = models.CharField(max_length=100, unique=True)
    entry_id = models.BigIntegerField()
    circle_id = models.BigIntegerField(null=True, blank=True)  # None: one post, several circles
    first_sent_at = models.DateTimeField(default=timezone.now)


class OutboxItem(models.Model):
    """One request waiting to be sent, in order per ``local_id``."""

    class Op(models.TextChoices):
        PUT = "put", "Publish or update"
        DELETE = "delete", "Remove"

    class Endpoint(models.TextChoices):
        POSTS = "posts", "Post"
        CHECKINS = "checkins", "Check-in"
        NOTES = "notes", "Note"

    class State(models.TextChoices):
        PENDING = "pending", "Waiting to send"
        FAILED = "failed", "Failed (will not retry by itself)"

    op = models.CharField(max_length=10, choices=Op.choices)
    endpoint = models.CharField(max_length=10, choices=Endpoint.choices)
    local_id = models.CharField(max_length=100, db_index=True)
    payload = models.JSONField(default=dict)
    # Bumped whenever a newer version replaces the payload, so a send that was already
    # under way does not mark the newer version as sent.
    revision = models.PositiveIntegerField(default=1)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True, default="")
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)  # HTTP, if any
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]


class CircleComment(models.Model):
    """A comment on a shared entry, pulled from the circle server and kept with the entry.

    Its own model rather than ``record.Comment``: it carries the server's moderation
    status (held, hidden, removed) and its sanitised HTML, and a comment removed on the
    server stays as a "[removed]" placeholder so the replies under it keep their place.
    """

    class Status(models.TextChoices):
        VISIBLE = "visible", "Visible"
        HELD = "held", "Waiting for your approval"
        HIDDEN = "hidden", "Hidden by you"
        REMOVED = "removed", "Removed"

    entry = models.ForeignKey(
        "record.Entry", on_delete=models.CASCADE, related_name="circle_comments"
    )
    remote_id = models.BigIntegerField(unique=True)
    parent_remote_id = models.BigIntegerField(null=True, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    # The circle whose conversation it belongs to (None: a post of the time when one
    # post went to several circles), with its name and kind as known when pulled, so
    # the entry page can still say where it came from after disconnecting.
    circle_id = models.BigIntegerField(null=True, blank=True)
    circle_name = models.CharField(max_length=120, blank=True, default="")
    from_therapy = models.BooleanField(default=False)
    author = models.CharField(max_length=200)
    body_html = models.TextField(blank=True, default="")
    created = models.DateTimeField()
    edited_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.VISIBLE)
    pulled_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created", "remote_id"]
