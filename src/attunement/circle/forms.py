"""Forms of the circle pages; every refusal is a sentence a person can act on."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError

from attunement.circle.models import Circle, Membership, Reaction, User
from attunement.circle.rendering import strip_bidi

MAX_COMMENT_CHARS = 20_000


def too_long_message(limit: int, got: int) -> str:
    return f"A comment can be at most {limit:,} characters; this one has {got:,}."


class CleanText(forms.CharField):
    """Text from a person: bidi overrides and NUL removed, whitespace trimmed."""

    def to_python(self, value: Any) -> str:
        return strip_bidi(str(super().to_python(value)))


class LoginForm(forms.Form):
    username = forms.CharField(label="Name you sign in with", max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "username"}))
    password = forms.CharField(
        label="Password", strip=False, max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class CircleForm(forms.Form):
    name = CleanText(label="Name of the circle", max_length=120,
                     error_messages={"required": "Give the circle a name."})
    kind = forms.ChoiceField(
        label="Kind", choices=Circle.Kind.choices, initial=Circle.Kind.CIRCLE,
        widget=forms.RadioSelect,
        help_text="A circle is for people you trust; a therapy circle is for you and your "
                  "therapist.",
    )


class HoldForm(forms.Form):
    hold_comments = forms.BooleanField(
        label="Hold new comments until I approve them", required=False)


class InviteForm(forms.Form):
    role = forms.ChoiceField(
        label="Invite as",
        choices=[(Membership.Role.MEMBER, "Member"), (Membership.Role.THERAPIST, "Therapist")],
    )
    note = CleanText(label="Note to remember who it is for (only you see it)", max_length=120,
                     required=False)
    days = forms.IntegerField(
        label="The link works for (days)", min_value=1, max_value=14, initial=7,
        error_messages={"min_value": "Choose between 1 and 14 days.",
                        "max_value": "Choose between 1 and 14 days.",
                        "invalid": "Choose between 1 and 14 days."},
    )


class SignupForm(forms.Form):
    """A new account from an invitation: a sign-in name, a shown name, a password."""

    username = forms.CharField(
        label="Name you sign in with", max_length=150,
        validators=[UnicodeUsernameValidator()],
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
        help_text="Letters, digits and @ . + - _ only. Others never see it.",
    )
    display_name = CleanText(
        label="Name others see", max_length=80,
        help_text="A pseudonym is welcome.",
        error_messages={"required": "Choose a name others will see (a pseudonym is fine)."},
    )
    password = forms.CharField(
        label="Password", strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(
        label="Password again", strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean_username(self) -> str:
        name = str(self.cleaned_data["username"])
        if User.objects.filter(username__iexact=name).exists():
            raise ValidationError("That sign-in name is taken; choose another.")
        return name

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        p1, p2 = data.get("password"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The two passwords are not the same.")
        elif p1:
            probe = User(username=data.get("username") or "",
                         display_name=data.get("display_name") or "")
            try:
                validate_password(p1, probe)
            except ValidationError as exc:
                self.add_error("password", exc)
        return data


class CommentForm(forms.Form):
    body = forms.CharField(label="Your comment", strip=True, widget=forms.Textarea,
                           error_messages={"required": "Write something before sending."})
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1,
                                max_value=2**62)

    def clean_body(self) -> str:
        body = strip_bidi(str(self.cleaned_data["body"]))
        if len(body) > MAX_COMMENT_CHARS:
            raise ValidationError(too_long_message(MAX_COMMENT_CHARS, len(body)))
        if not body.strip():
            raise ValidationError("Write something before sending.")
        return body


class EditCommentForm(CommentForm):
    parent = None  # type: ignore[assignment]


class ModerateForm(forms.Form):
    action = forms.ChoiceField(choices=[(a, a) for a in ("hide", "show", "remove", "approve")],
                               error_messages={"invalid_choice": "Unknown moderation action."})


class ReactionForm(forms.Form):
    kind = forms.ChoiceField(choices=Reaction.Kind.choices,
                             error_messages={"invalid_choice": "Unknown reaction."})


class ProfileForm(forms.Form):
    display_name = CleanText(label="Name others see", max_length=80,
                             error_messages={"required": "Your shown name cannot be empty."})
    quiet = forms.BooleanField(label="Quiet mode: no notifications while on", required=False)


class PasswordForm(PasswordChangeForm):
    """Django's password change, without grabbing focus on a page of several forms."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].widget.attrs.pop("autofocus", None)
        self.fields["old_password"].label = "Current password"
        self.fields["new_password2"].label = "New password again"


class DeleteAccountForm(forms.Form):
    comments = forms.ChoiceField(
        label="Your comments on others' posts",
        choices=[("delete", "Delete their words (a thread keeps a \"[removed]\" mark where "
                            "replies hang under one)"),
                 ("keep", "Keep the words, with the author shown as \"[removed]\"")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what happens to your comments."},
    )
    password = forms.CharField(
        label="Your password, to confirm", strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class ConnectForm(forms.Form):
    name = CleanText(label="Name of this journal (for you to recognise it)", max_length=80,
                     required=False, initial="My journal")
