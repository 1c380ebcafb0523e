"""Stored check-ins: the answers per item and the scores the engine computed."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from attunement.record.models import Session


class Checkin(models.Model):
    class Timing(models.TextChoices):
        POST = "post", "After a session"
        PRE = "pre", "Before a session"

    instrument = models.CharField(max_length=100)
    instrument_version = models.CharField(max_length=30, blank=True, default="")
    timing = models.CharField(max_length=10, choices=Timing.choices, default=Timing.POST)
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="checkins"
    )
    completed_at = models.DateTimeField(default=timezone.now, db_index=True)
    answers = models.JSONField(default=dict)  # item id -> value as answered
    total = models.FloatField(null=True, blank=True)
    alliance = models.FloatField(null=True, blank=True)
    subscales = models.JSONField(default=dict)  # subscale id -> score
    tension = models.BooleanField(null=True, blank=True)
    tension_intensity = models.PositiveSmallIntegerField(null=True, blank=True)
    tension_resolved = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.TextField(blank=True, default="")
    key = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        ordering = ["-completed_at"]


class CheckinItemScore(models.Model):
    """One item's score (after reverse-scoring), so per-item series are queryable."""

    checkin = models.ForeignKey(Checkin, on_delete=models.CASCADE, related_name="item_scores")
    item = models.CharField(max_length=60)
    value = models.FloatField(null=True, blank=True)

    class Meta:
        unique_together = [("checkin", "item")]
