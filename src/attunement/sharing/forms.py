"""Forms of the Sharing page and the Share panel."""

from __future__ import annotations

from typing import Any

from django import forms

from attunement.sharing.models import Connection, Share


class ConnectForm(forms.Form):
    # No length limits or required flag here: parse_link says what is wrong in words.
    link = forms.CharField(
        label="Connection link",
        required=False,
        help_text='From "Connect a journal" on your circle server. Used once, valid for an hour.',
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                      "placeholder": "https://…/connect/…"}),
    )
    device_name = forms.CharField(
        label="Name of this journal on the server",
        required=False,
        initial="My journal",
        help_text="Shown in your account's list of connected journals (up to 80 characters).",
    )


def circle_label(circle: dict[str, Any]) -> str:
    if circle.get("kind") == "therapy":
        return f"{circle['name']} (my therapist)"
    return str(circle["name"])


class EntryShareForm(forms.Form):
    """Who sees the entry, and whether it is the whole entry or a passage of it."""

    WHOLE, EXCERPT = "whole", "excerpt"

    circles = forms.TypedMultipleChoiceField(
        label="Share with", coerce=int, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one circle, or your therapist."},
    )
    mode = forms.ChoiceField(
        label="What to share",
        choices=[(WHOLE, "The whole entry"), (EXCERPT, "Only a passage (edit it below)")],
        initial=WHOLE,
        widget=forms.RadioSelect,
    )
    excerpt = forms.CharField(
        label="The passage to share",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Keep only what you want to share; change the words if you like. "
        "Used when \"Only a passage\" is chosen.",
    )

    def __init__(self, *args: Any, conn: Connection, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["circles"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [(c["id"], circle_label(c)) for c in conn.owned_circles()]

    def excerpt_or_none(self) -> str | None:
        data = self.cleaned_data
        return data.get("excerpt", "") if data.get("mode") == self.EXCERPT else None


def entry_form_initial(shares: list[Share], body: str) -> dict[str, Any]:
    """The panel starts from the current choice (one share per circle), or the whole entry."""
    if not shares:
        return {"mode": EntryShareForm.WHOLE, "excerpt": body}
    share = shares[0]  # every circle gets the same words
    return {
        "circles": [s.circle_id for s in shares],
        "mode": EntryShareForm.EXCERPT if share.is_excerpt else EntryShareForm.WHOLE,
        "excerpt": share.excerpt if share.is_excerpt else body,
    }


class AutoShareForm(forms.Form):
    auto_share = forms.BooleanField(
        label="Share each new check-in with my therapist after I save it",
        required=False,
    )
    therapy_circle = forms.TypedChoiceField(
        label="My therapist's circle", coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: Any, conn: Connection, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["therapy_circle"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(c["id"], c["name"]) for c in conn.therapy_circles()]
