"""Parts of a plural system: members, groups, front states, front periods, authorship.

The feature is off unless the person turns it on (``attunement.parts.prefs``);
turning it off hides these tables from every page but never deletes a row.

Who is "present" is recorded as :class:`FrontPeriod` rows: an interval with a start,
an end (``None`` while it is still going on) and the parts and/or states present in
it. Co-fronting is either several parts in one period or overlapping periods (Simply
Plural and Pluralport both store one row per part; PluralKit stores switches, which
the importer turns into periods). Every change to a period is kept in
:class:`FrontEdit`, so a backdated or corrected switch can always be traced.

A part is never deleted at once: ``deletion_requested_at`` / ``deletion_due_at``
hold a request that waits out the delay set in settings, so one part cannot erase
another in a moment; ``services.purge_due(now)`` carries out requests that are due.
Deleting a part never deletes writing: entries, check-ins and notes stay, only the
links to the part go (see :class:`Authorship`, :class:`PartNote`).

``source_refs`` (on parts, groups, states, periods and notes) is a list of
``{"app": ..., "collection": ..., "id": ..., "uuid": ...}`` objects in the shape of
Pluralport's SourceRef: where the row came from, so importing the same file again
updates the row instead of adding a copy. ``key`` is this journal's own stable id,
written as the record id in a Pluralport export.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone


def new_key() -> str:
    """A fresh stable id for a row (a UUID4 string)."""
    return str(uuid.uuid4())


class Part(models.Model):
    """A member of the system, described only as far as the person chose to."""

    key = models.CharField(max_length=100, unique=True, default=new_key)
    # May be empty: nobody is asked to name a part.
    name = models.CharField(max_length=200, blank=True, default="")
    pronouns = models.CharField(max_length=100, blank=True, default="")
    # "#rrggbb" (lower case) or "" for none.
    colour = models.CharField(max_length=7, blank=True, default="")
    description = models.TextField(blank=True, default="")
    # Free fields the person (or an imported file) added: {label: text}, in order.
    custom_fields = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Archived parts stay in history and authorship, but leave the pickers.
    archived_at = models.DateTimeField(null=True, blank=True)
    # A pending deletion: requested at, carried out at or after due (see services).
    deletion_requested_at = models.DateTimeField(null=True, blank=True)
    deletion_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    source_refs = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name, or a neutral stand-in when none was given."""
        return self.name or f"No name given (#{self.pk})"

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def deletion_pending(self) -> bool:
        return self.deletion_due_at is not None


class PartGroup(models.Model):
    """A named set of parts (a subsystem, a role, whatever the person groups by)."""

    key = models.CharField(max_length=100, unique=True, default=new_key)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    colour = models.CharField(max_length=7, blank=True, default="")
    members = models.ManyToManyField(Part, blank=True, related_name="groups")
    source_refs = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class FrontState(models.Model):
    """A state that can be present instead of, or beside, parts.

    Two built-in kinds ("unknown", "blurry") exist once each and are created on
    first use; "custom" states are the person's own (and Simply Plural's custom
    fronts, such as "asleep" or "dissociated").
    """

    class Kind(models.TextChoices):
        UNKNOWN = "unknown", "Unknown"
        BLURRY = "blurry", "Blurry"
        CUSTOM = "custom", "Custom"

    key = models.CharField(max_length=100, unique=True, default=new_key)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CUSTOM)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    colour = models.CharField(max_length=7, blank=True, default="")
    archived_at = models.DateTimeField(null=True, blank=True)
    source_refs = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["kind", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind"], condition=~Q(kind="custom"), name="parts_state_one_builtin"
            )
        ]

    def __str__(self) -> str:
        return self.name


class FrontPeriod(models.Model):
    """Who was present from ``started_at`` until ``ended_at`` (None: still now)."""

    key = models.CharField(max_length=100, unique=True, default=new_key)
    started_at = models.DateTimeField(db_index=True)
    ended_at = models.DateTimeField(null=True, blank=True, db_index=True)
    parts = models.ManyToManyField(Part, blank=True, related_name="front_periods")
    states = models.ManyToManyField(FrontState, blank=True, related_name="front_periods")
    note = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    source_refs = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"Front from {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


class FrontEdit(models.Model):
    """One change to the front log, with the period as it was before and after.

    Snapshots hold part and state ids (never names), so a part deleted later does
    not linger by name in the log.
    """

    class Action(models.TextChoices):
        CREATED = "created", "Recorded"
        BACKDATED = "backdated", "Recorded for an earlier time"
        ENDED = "ended", "Ended"
        CORRECTED = "corrected", "Corrected"
        DELETED = "deleted", "Removed"

    period = models.ForeignKey(
        FrontPeriod, null=True, blank=True, on_delete=models.SET_NULL, related_name="edits"
    )
    at = models.DateTimeField(db_index=True)
    action = models.CharField(max_length=12, choices=Action.choices)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        ordering = ["-at", "-id"]


class PartNote(models.Model):
    """A note kept with a part (Simply Plural and Pluralport notes land here).

    A note is writing: purging its part keeps the note, unattached.
    """

    key = models.CharField(max_length=100, unique=True, default=new_key)
    part = models.ForeignKey(
        Part, null=True, blank=True, on_delete=models.SET_NULL, related_name="notes"
    )
    title = models.CharField(max_length=300, blank=True, default="")
    body = models.TextField(blank=True, default="")
    written_at = models.DateTimeField(default=timezone.now)
    colour = models.CharField(max_length=7, blank=True, default="")
    source_refs = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-written_at", "-id"]


class Authorship(models.Model):
    """Who was writing, or present, for one entry, check-in or session.

    Exactly one of ``entry`` / ``checkin`` / ``session`` is set, and exactly one of
    ``part`` / ``state`` (so "unknown" can be recorded as the writer). Several rows
    per item are allowed: several parts writing together, or present in a session.
    Reverse accessors: ``entry.part_links``, ``checkin.part_links``,
    ``session.part_links``, ``part.authorships``, ``state.authorships``.
    Purging a part removes its rows here; the entry, check-in or session stays.
    """

    class Role(models.TextChoices):
        WRITING = "writing", "Writing"
        PRESENT = "present", "Present"

    part = models.ForeignKey(
        Part, null=True, blank=True, on_delete=models.CASCADE, related_name="authorships"
    )
    state = models.ForeignKey(
        FrontState, null=True, blank=True, on_delete=models.CASCADE, related_name="authorships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.WRITING)
    entry = models.ForeignKey(
        "record.Entry", null=True, blank=True, on_delete=models.CASCADE, related_name="part_links"
    )
    checkin = models.ForeignKey(
        "checkins.Checkin",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="part_links",
    )
    session = models.ForeignKey(
        "record.Session",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="part_links",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(entry__isnull=False, checkin__isnull=True, session__isnull=True)
                    | Q(entry__isnull=True, checkin__isnull=False, session__isnull=True)
                    | Q(entry__isnull=True, checkin__isnull=True, session__isnull=False)
                ),
                name="parts_authorship_one_target",
            ),
            models.CheckConstraint(
                condition=(
                    Q(part__isnull=False, state__isnull=True)
                    | Q(part__isnull=True, state__isnull=False)
                ),
                name="parts_authorship_one_who",
            ),
            *[
                models.UniqueConstraint(
                    fields=[who, "role", target],
                    condition=Q(**{f"{who}__isnull": False, f"{target}__isnull": False}),
                    name=f"parts_authorship_unique_{who}_{target}",
                )
                for who in ("part", "state")
                for target in ("entry", "checkin", "session")
            ],
        ]

    @property
    def who(self) -> Any:
        """The part or the state this row names."""
        return self.part if self.part_id is not None else self.state
