"""The record of the therapy: therapists, sessions, contacts, the frame, entries, notes."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Therapist(models.Model):
    name = models.CharField(max_length=200)
    started = models.DateField(null=True, blank=True)
    ended = models.DateField(null=True, blank=True)
    key = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        ordering = ["-started", "name"]

    def __str__(self) -> str:
        return self.name


class Session(models.Model):
    class Status(models.TextChoices):
        HELD = "held", "Held"
        CANCELLED_BY_ME = "cancelled_by_me", "Cancelled by me"
        CANCELLED_BY_THERAPIST = "cancelled_by_therapist", "Cancelled by the therapist"
        MISSED = "missed", "Missed"

    class Modality(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        VIDEO = "video", "Video"
        PHONE = "phone", "Phone"

    therapist = models.ForeignKey(Therapist, null=True, blank=True, on_delete=models.SET_NULL)
    starts_at = models.DateTimeField(db_index=True)
    duration_minutes = models.PositiveSmallIntegerField(default=50)
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.HELD)
    modality = models.CharField(max_length=20, choices=Modality.choices, default=Modality.IN_PERSON)
    note = models.TextField(blank=True, default="")
    key = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.starts_at):%a %d %b %Y, %H:%M}"


class Contact(models.Model):
    class Kind(models.TextChoices):
        CALL = "call", "Call"
        VOICEMAIL = "voicemail", "Voicemail"
        TEXT = "text", "Text message"
        EMAIL = "email", "Email"
        LETTER = "letter", "Letter"

    class Initiator(models.TextChoices):
        ME = "me", "I reached out"
        THERAPIST = "therapist", "My therapist reached out"

    therapist = models.ForeignKey(Therapist, null=True, blank=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(db_index=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    initiated_by = models.CharField(max_length=20, choices=Initiator.choices)
    answered = models.BooleanField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    feeling_word = models.CharField(max_length=60, blank=True, default="")
    feeling_rating = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.TextField(blank=True, default="")
    key = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        ordering = ["-at"]


class FrameItem(models.Model):
    """An agreement or a rule of the therapy, in force from start to end."""

    class Kind(models.TextChoices):
        AGREEMENT = "agreement", "Agreement"
        RULE = "rule", "Rule"

    class Owner(models.TextChoices):
        MINE = "mine", "Mine"
        THERAPIST = "therapist", "My therapist's"
        AGREED = "agreed", "Agreed together"

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.RULE)
    owner = models.CharField(max_length=20, choices=Owner.choices, default=Owner.MINE)
    text = models.TextField()
    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    key = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        ordering = ["-start"]


class Absence(models.Model):
    """The therapist away, from and to (inclusive)."""

    therapist = models.ForeignKey(Therapist, null=True, blank=True, on_delete=models.SET_NULL)
    start = models.DateField()
    end = models.DateField()
    note = models.CharField(max_length=300, blank=True, default="")
    key = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        ordering = ["-start"]


class Tag(models.Model):
    name = models.CharField(max_length=80, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Entry(models.Model):
    title = models.CharField(max_length=300, blank=True, default="")
    body = models.TextField(blank=True, default="")
    written_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="entries")
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="entries"
    )
    starred = models.BooleanField(default=False)
    source = models.CharField(max_length=30, default="attunement")
    source_status = models.CharField(max_length=30, blank=True, default="")
    key = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        ordering = ["-written_at"]
        verbose_name_plural = "entries"

    def __str__(self) -> str:
        return self.title or f"Entry of {timezone.localtime(self.written_at):%d %b %Y}"


class Comment(models.Model):
    """A comment kept with an entry (from an imported blog, or later the circle)."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    author = models.CharField(max_length=200)
    author_url = models.CharField(max_length=500, blank=True, default="")
    posted_at = models.DateTimeField()
    body = models.TextField()
    approved = models.BooleanField(default=True)
    key = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        ordering = ["posted_at", "id"]


class Unsaid(models.Model):
    """Something I couldn't say, kept for the next session."""

    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="unsaid"
    )
    brought_up_at = models.DateTimeField(null=True, blank=True)
    key = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        ordering = ["brought_up_at", "-created_at"]
        verbose_name_plural = "unsaid notes"


class Setting(models.Model):
    """A per-journal setting (supports for the calm card, idle minutes...)."""

    name = models.CharField(max_length=80, unique=True)
    value = models.JSONField(default=dict)
