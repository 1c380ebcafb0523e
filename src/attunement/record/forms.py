"""Forms of the record pages: labelled fields, plain help text, sensible defaults."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone

from attunement.record import services
from attunement.record.models import Absence, Contact, Entry, FrameItem, Session, Therapist, Unsaid

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _now_local() -> str:
    return timezone.localtime().strftime("%Y-%m-%dT%H:%M")


class TherapistForm(forms.ModelForm):
    class Meta:
        model = Therapist
        fields = ["name", "started", "ended"]
        widgets = {"started": DATE, "ended": DATE}
        help_texts = {"name": "Any name you use for them; it stays on this machine."}


class SessionForm(forms.ModelForm):
    class Meta:
        model = Session
        fields = ["starts_at", "status", "modality", "duration_minutes", "therapist", "note"]
        widgets = {"starts_at": DATETIME, "note": forms.Textarea(attrs={"rows": 2})}
        labels = {"starts_at": "Date and time", "duration_minutes": "Length (minutes)"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["therapist"].required = False
        if not self.instance.pk and not self.initial.get("starts_at"):
            self.initial["starts_at"] = _now_local()


class WeeklyPatternForm(forms.Form):
    WEEKDAYS = [(i, n) for i, n in enumerate(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"])]
    first_day = forms.DateField(widget=DATE, label="From")
    weeks = forms.IntegerField(min_value=1, max_value=52, initial=4, label="For how many weeks")
    weekdays = forms.TypedMultipleChoiceField(
        choices=WEEKDAYS, coerce=int, widget=forms.CheckboxSelectMultiple, label="On"
    )
    at = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}), label="At")
    modality = forms.ChoiceField(choices=Session.Modality.choices, label="Where")


class ContactForm(forms.ModelForm):
    answered = forms.NullBooleanField(
        required=False,
        widget=forms.Select(
            choices=[("unknown", "Not yet / not known"), ("true", "Yes"), ("false", "No")]
        ),
        label="Was it answered?",
    )

    class Meta:
        model = Contact
        fields = [
            "at",
            "kind",
            "initiated_by",
            "answered",
            "answered_at",
            "feeling_word",
            "feeling_rating",
            "note",
        ]
        widgets = {
            "at": DATETIME,
            "answered_at": DATETIME,
            "note": forms.Textarea(attrs={"rows": 2}),
            "feeling_rating": forms.NumberInput(attrs={"min": 1, "max": 5}),
        }
        labels = {
            "at": "When",
            "initiated_by": "Who reached out",
            "answered_at": "Answered when",
            "feeling_word": "How it felt, in a word",
            "feeling_rating": "How it felt, 1 (awful) to 5 (good)",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance.pk and not self.initial.get("at"):
            self.initial["at"] = _now_local()

    def clean_feeling_rating(self) -> int | None:
        value = self.cleaned_data.get("feeling_rating")
        if value is not None and not 1 <= value <= 5:
            raise forms.ValidationError("Please choose a number from 1 to 5.")
        return value


class FrameItemForm(forms.ModelForm):
    class Meta:
        model = FrameItem
        fields = ["kind", "owner", "text", "start", "end"]
        widgets = {"start": DATE, "end": DATE, "text": forms.Textarea(attrs={"rows": 2})}
        labels = {"owner": "Whose", "text": "The agreement or rule", "end": "Until (optional)"}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("end") and data.get("start") and data["end"] < data["start"]:
            self.add_error("end", "The end is before the start.")
        return data


class AbsenceForm(forms.ModelForm):
    class Meta:
        model = Absence
        fields = ["start", "end", "note"]
        widgets = {"start": DATE, "end": DATE}
        labels = {"start": "Away from", "end": "Back after", "note": "Note (optional)"}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("end") and data.get("start") and data["end"] < data["start"]:
            self.add_error("end", "The end is before the start.")
        return data


class EntryForm(forms.ModelForm):
    tags_text = forms.CharField(
        required=False, label="Tags", help_text="Separated by commas, e.g. session, dream"
    )

    class Meta:
        model = Entry
        fields = ["title", "written_at", "session", "body", "starred"]
        widgets = {
            "written_at": DATETIME,
            "body": forms.Textarea(attrs={"rows": 16, "spellcheck": "true"}),
        }
        labels = {"written_at": "Date", "body": "Entry (Markdown)", "starred": "Hold this"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["session"].required = False
        cast(forms.ModelChoiceField, self.fields["session"]).queryset = Session.objects.order_by(
            "-starts_at"
        )[:60]
        if self.instance.pk:
            self.initial["tags_text"] = ", ".join(self.instance.tags.values_list("name", flat=True))
        elif not self.initial.get("written_at"):
            self.initial["written_at"] = _now_local()

    def save(self, commit: bool = True) -> Entry:
        data = self.cleaned_data
        return services.save_entry(
            entry=self.instance if self.instance.pk else None,
            title=data.get("title", ""),
            body=data.get("body", ""),
            written_at=data.get("written_at"),
            tags=services.parse_tags(data.get("tags_text", "")),
            session=data.get("session"),
            starred=data.get("starred", False),
        )


class UnsaidForm(forms.ModelForm):
    class Meta:
        model = Unsaid
        fields = ["text", "session"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}
        labels = {"text": "What I couldn't say", "session": "From the session (optional)"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["session"].required = False
        cast(forms.ModelChoiceField, self.fields["session"]).queryset = Session.objects.order_by(
            "-starts_at"
        )[:30]
