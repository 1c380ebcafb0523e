"""Check-ins for the demo year: the alliance after sessions, a rating before some.

Each held session has a target level: the baseline from ``calendar.yaml`` or
the level the story gives it. Item answers are the level plus noise, rounded
and kept within 1..5, so the series ebbs and flows around a stable baseline
with clear dips where the story has ruptures. Tension items are answered only
when a tension was reported, as the instrument asks.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from attunement.demo import sources
from attunement.io.records import CheckinRec, SessionRec

ALLIANCE = "attunement-alliance-v1"
PRE = "attunement-pre-v1"
ALLIANCE_ITEMS = ("bond_grasped", "bond_on_my_side", "task_fit", "goal_direction")
SESSION_MINUTES = 50
POST_RATE = 0.85  # most held sessions get a check-in, not all: people forget
PRE_RATE = 0.35
CHANCE_OF_SMALL_TENSION = 0.06  # ordinary sessions have small, resolved tensions too


def checkins_for(
    calendar: dict[str, Any],
    shift: dt.timedelta,
    sessions: list[SessionRec],
    rng: random.Random,
) -> list[CheckinRec]:
    """Pre- and post-session check-ins for the held sessions, in time order."""
    baseline = float(calendar["baseline"])
    levels = {sources.to_date(k): v for k, v in calendar["levels"].items()}
    out: list[CheckinRec] = []
    previous = baseline
    for session in sessions:
        if session.status != "held":
            continue
        story = levels.get(session.starts_at.date() - shift)
        level = float(story["level"]) if story else baseline
        pre = _pre(session, previous, rng, force=story is not None and level < 3.0)
        if pre:
            out.append(pre)
        post = _post(session, level, story, rng)
        if post:
            out.append(post)
        previous = level
    for n, rec in enumerate(out, start=1):
        rec.key = f"demo-checkin-{n:04d}"
    return out


def _clip(value: float) -> int:
    return max(1, min(5, round(value)))


def _post(
    session: SessionRec, level: float, story: dict[str, Any] | None, rng: random.Random
) -> CheckinRec | None:
    # Draw every random number before deciding, so a skipped check-in doesn't
    # shift the noise of all the later ones.
    done = rng.random() < POST_RATE
    spread = 0.35 if story else 0.45
    answers: dict[str, Any] = {item: _clip(level + rng.gauss(0, spread)) for item in ALLIANCE_ITEMS}
    small = rng.random() < CHANCE_OF_SMALL_TENSION
    small_answers = (rng.randint(1, 2), rng.randint(4, 5))
    delay = rng.randint(12, 150)
    if story is None and not done:
        return None
    tension = story.get("tension") if story else (small_answers if small else None)
    answers["tension"] = tension is not None
    if tension is not None:
        answers["tension_strength"] = int(tension[0])
        answers["tension_resolved"] = int(tension[1])
    return CheckinRec(
        key="",
        instrument=ALLIANCE,
        completed_at=session.starts_at + dt.timedelta(minutes=SESSION_MINUTES + delay),
        answers=answers,
        timing="post",
        session_key=session.key,
        note=str(story.get("note", "")) if story else "",
    )


def _pre(
    session: SessionRec, previous: float, rng: random.Random, force: bool
) -> CheckinRec | None:
    # Alliance tends to sag between sessions, so the pre rating sits a little
    # below the last post-session level.
    done = rng.random() < PRE_RATE
    value = _clip(previous - 0.4 + rng.gauss(0, 0.5))
    lead = rng.randint(15, 90)
    if not (done or force):
        return None
    return CheckinRec(
        key="",
        instrument=PRE,
        completed_at=session.starts_at - dt.timedelta(minutes=lead),
        answers={"connected": value},
        timing="pre",
        session_key=session.key,
    )
