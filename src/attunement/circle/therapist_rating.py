"""The therapist's post-session rating: her form, checking what she sent, saving it.

The form is data (``therapist_form.yaml``) in the check-in instrument format, so the
same engine validates and scores it: the alliance is the mean of the same four items
the client answers, on the same 1–5 scale, which is what lets the two stand side by side.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from attunement.checkins import engine
from attunement.checkins.schema import Instrument, Item
from attunement.circle.models import SharedCheckin, TherapistRating, User

FORM_PATH = Path(__file__).with_name("therapist_form.yaml")
NOTE_MAX = 4000  # characters; a few paragraphs, which is what a session note is


@functools.cache
def form() -> Instrument:
    """The therapist's rating form (validated once per process)."""
    return engine.load_file(FORM_PATH)


@dataclass
class Checked:
    """A submitted rating after checking: the values to store, or what is wrong by field."""

    answers: dict[str, Any] = field(default_factory=dict)
    alliance: float | None = None
    tension: bool | None = None
    note: str = ""
    errors: dict[str, str] = field(default_factory=dict)


def _note_item(inst: Instrument) -> Item | None:
    return next((it for it in inst.items if it.type == "text"), None)


def check(post: Mapping[str, Any]) -> Checked:
    """Check a submitted rating with the instrument engine; every problem goes to its field."""
    inst = form()
    note_item = _note_item(inst)
    raw = {it.id: str(post.get(it.id, "")) for it in inst.items if it.id in post}
    note = (raw.pop(note_item.id, "") if note_item else "").strip()
    out = Checked(note=note)
    if note_item and len(note) > NOTE_MAX:
        out.errors[note_item.id] = (f"The note is {len(note):,} characters long; "
                                    f"please keep it to {NOTE_MAX:,}.")
    result = engine.score(inst, raw)
    for problem in result.errors:
        out.errors.setdefault(problem.where, _message(problem.message))
    if out.errors:
        return out
    skip = note_item.id if note_item else None
    out.answers = {k: v for k, v in result.values.items() if k != skip}
    out.alliance = result.alliance
    out.tension = result.rupture.tension
    return out


MESSAGE_MAX = 200  # the engine quotes what was sent; a huge paste is not worth repeating


def _message(text: str) -> str:
    """The engine's sentence, as a sentence (a very long quoted answer is cut short)."""
    if len(text) > MESSAGE_MAX:
        text = text[: MESSAGE_MAX - 1] + "…"
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "…")) else ".")


@transaction.atomic
def save(checkin: SharedCheckin, therapist: User, checked: Checked) -> TherapistRating:
    """Create or replace her one rating of this check-in."""
    now = timezone.now()
    rating, _ = TherapistRating.objects.update_or_create(
        checkin=checkin, therapist=therapist,
        defaults={"answers": checked.answers, "alliance": checked.alliance,
                  "tension": checked.tension, "note": checked.note, "updated": now},
        create_defaults={"answers": checked.answers, "alliance": checked.alliance,
                         "tension": checked.tension, "note": checked.note,
                         "created": now, "updated": now},
    )
    return rating


def _as_posted(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def initial(rating: TherapistRating | None) -> dict[str, str]:
    """The values to show in the form: her earlier answers, as the browser sends them."""
    if rating is None:
        return {}
    values = {key: _as_posted(value) for key, value in rating.answers.items()}
    note_item = _note_item(form())
    if note_item:
        values[note_item.id] = rating.note
    return values
