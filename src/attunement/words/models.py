"""Stored marker readings of entries, and the writer's own corrections."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from attunement.record.models import Entry


class SentenceReading(models.Model):
    """One sentence of an entry with its label, subtype, confidence and evidence."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="readings")
    index = models.PositiveIntegerField()
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    text = models.TextField()
    label = models.CharField(max_length=30, db_index=True)
    subtype = models.CharField(max_length=60, blank=True, default="")
    confidence = models.FloatField()
    evidence = models.JSONField(default=list)  # [[start, end], ...] into the entry body
    probs = models.JSONField(default=dict)
    flags = models.JSONField(default=list)
    model_version = models.CharField(max_length=80)
    analysed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["entry", "index"]
        indexes = [models.Index(fields=["entry", "index"])]


class EntryAnalysis(models.Model):
    """Which model version and body analysed an entry, so upgrades redo only what changed."""

    entry = models.OneToOneField(Entry, on_delete=models.CASCADE, related_name="analysis")
    model_version = models.CharField(max_length=80)
    body_hash = models.CharField(max_length=64)
    corrections_hash = models.CharField(max_length=64, default="")
    analysed_at = models.DateTimeField(default=timezone.now)
    error = models.TextField(blank=True, default="")


class Correction(models.Model):
    """The writer's word on a sentence: confirmed, rejected, or relabelled.

    Kept by sentence text (not by position), so it survives edits elsewhere in the
    entry and re-analysis; similar sentences elsewhere in the journal follow it.
    """

    class Action(models.TextChoices):
        CONFIRM = "confirm", "Confirmed"
        REJECT = "reject", "Rejected"
        RELABEL = "relabel", "Relabelled"

    entry = models.ForeignKey(
        Entry, null=True, blank=True, on_delete=models.SET_NULL, related_name="corrections"
    )
    sentence = models.TextField()
    action = models.CharField(max_length=10, choices=Action.choices)
    label = models.CharField(max_length=30)
    subtype = models.CharField(max_length=60, blank=True, default="")
    embedding = models.BinaryField(null=True, blank=True)  # float32 x 384
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
