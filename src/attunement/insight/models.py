"""Stored choices and vectors of the insight pages: episode decisions, sentence vectors, snoozes."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from attunement.record.models import Entry


class EpisodeDecision(models.Model):
    """The writer's word on an episode, re-applied in order after every re-analysis."""

    class Action(models.TextChoices):
        CONFIRM = "confirm", "Confirmed"
        DISMISS = "dismiss", "Not an episode"
        EDIT = "edit", "Edited"
        MERGE = "merge", "Merged"
        SPLIT = "split", "Split"

    action = models.CharField(max_length=10, choices=Action.choices)
    episode_id = models.CharField(max_length=40)
    ref_start = models.DateField(null=True, blank=True)  # the span the writer saw
    ref_end = models.DateField(null=True, blank=True)
    start = models.DateField(null=True, blank=True)  # edit: new values (blank = unchanged)
    end = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, blank=True, default="")
    kind = models.CharField(max_length=15, blank=True, default="")
    split_at = models.DateField(null=True, blank=True)
    others = models.JSONField(default=list)  # merge: [[id, start, end], ...] of the others
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]


class SentenceVector(models.Model):
    """One sentence of an entry with its embedding (float32 x 384, L2-normalised).

    On SQLite the same vector is also in the sqlite-vec table ``insight_vec`` (rowid = id),
    inside the encrypted file; on PostgreSQL search reads this column.
    """

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="+")
    index = models.PositiveIntegerField()
    start = models.PositiveIntegerField(default=0)
    end = models.PositiveIntegerField(default=0)
    text = models.TextField()
    text_hash = models.CharField(max_length=64, db_index=True)
    vector = models.BinaryField()
    model = models.CharField(max_length=80)

    class Meta:
        ordering = ["entry", "index"]
        unique_together = [("entry", "index")]


class HoldSnooze(models.Model):
    """'Not now' on the home page's hold card: quiet until ``until``."""

    until = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)
