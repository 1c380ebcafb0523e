"""A shared check-in history for the therapist's tests, built in code.

Fourteen weekly after-session check-ins: a steady level, then a session with tension and
a deep fall, then a repair; the therapist has rated two of them, and the client sent a
note for the next session.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from attunement.circle import alerts
from attunement.circle.models import (
    Circle,
    SharedCheckin,
    SharedNote,
    TherapistRating,
    User,
)

START = datetime(2025, 1, 6, 17, 0, tzinfo=UTC)
SCORES = [4.25, 4.5, 4.25, 4.5, 4.25, 4.5, 4.25, 4.5, 2.0, 2.5, 4.25, 4.5, 4.25, 4.5]
TENSION_AT = 8  # the session of the fall


def answers_for(score: float, tension: bool) -> dict[str, object]:
    """Answers of attunement-alliance-v1 whose mean is ``score`` (a multiple of 0.25)."""
    total = round(score * 4)
    base, extra = divmod(total, 4)
    values = [base + (1 if i < extra else 0) for i in range(4)]
    ids = ["bond_grasped", "bond_on_my_side", "task_fit", "goal_direction"]
    out: dict[str, object] = dict(zip(ids, values, strict=True))
    out["tension"] = tension
    if tension:
        out["tension_strength"] = 4
        out["tension_resolved"] = 2
    return out


@dataclass
class History:
    checkins: list[SharedCheckin] = field(default_factory=list)
    note: SharedNote | None = None


def share_history(circle: Circle, author: User, therapist: User | None,
                  scores: list[float] = SCORES) -> History:
    """Share the series into ``circle``, evaluate alerts as the API does, add her ratings."""
    h = History()
    for i, score in enumerate(scores):
        tension = i == TENSION_AT
        c = SharedCheckin.objects.create(
            author=author, circle=circle, local_id=f"checkin-{i + 1}",
            instrument="attunement-alliance-v1", instrument_version="1", timing="post",
            session_at=START + timedelta(weeks=i, hours=-1),
            completed_at=START + timedelta(weeks=i), answers=answers_for(score, tension),
            alliance=score, tension=tension,
            tension_intensity=4 if tension else None, tension_resolved=2 if tension else None,
            note="I went quiet when she mentioned the break." if tension else "")
        alerts.evaluate(c)
        h.checkins.append(c)
    if therapist is not None:
        TherapistRating.objects.create(
            checkin=h.checkins[TENSION_AT], therapist=therapist,
            answers={"bond_grasped": 4, "bond_on_my_side": 4, "task_fit": 4,
                     "goal_direction": 4, "tension": False},
            alliance=4.0, tension=False, note="Felt like good work on the break.")
        TherapistRating.objects.create(
            checkin=h.checkins[0], therapist=therapist,
            answers={"bond_grasped": 4, "bond_on_my_side": 5, "task_fit": 4,
                     "goal_direction": 4, "tension": False},
            alliance=4.25, tension=False, note="")
    h.note = SharedNote.objects.create(
        author=author, circle=circle, local_id="unsaid-1",
        text="I want to talk about the call between sessions.",
        written_at=START + timedelta(weeks=len(scores)))
    return h
