"""Who is here: switches, co-fronting, leaving, backdating and correcting the log.

A switch at time ``at`` ends every period still open that began before ``at`` and
starts one period with the chosen parts and states. A backdated switch (``at`` in
the past) slots into the log: if someone was recorded as arriving after ``at``, the
new period ends where that one begins. Adding a co-fronter starts a period beside
the ones already open. Every change leaves a :class:`FrontEdit` with the period as
it was before and after (ids, never names). Times in the future are refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Q

from attunement.parts.models import FrontEdit, FrontPeriod, FrontState, Part
from attunement.parts.services import PartsError

# A minute of slack: a form filled in now may carry a time a few seconds ahead.
_FUTURE_SLACK = dt.timedelta(minutes=1)


def snapshot(period: FrontPeriod) -> dict[str, Any]:
    """The period as stored JSON for the edit log (ids, not names)."""
    return {
        "started_at": period.started_at.isoformat(),
        "ended_at": period.ended_at.isoformat() if period.ended_at else None,
        "parts": sorted(period.parts.values_list("id", flat=True)),
        "states": sorted(period.states.values_list("id", flat=True)),
        "note": period.note,
    }


def open_periods(now: dt.datetime) -> list[FrontPeriod]:
    """Periods going on at ``now`` (open, and begun by then), oldest first."""
    return list(
        FrontPeriod.objects.filter(ended_at__isnull=True, started_at__lte=now)
        .prefetch_related("parts", "states")
        .order_by("started_at", "id")
    )


def _check_time(at: dt.datetime, now: dt.datetime) -> None:
    if at > now + _FUTURE_SLACK:
        raise PartsError("That time is still to come; a front can only be recorded up to now.")


def _check_who(parts: Sequence[Part], states: Sequence[FrontState]) -> None:
    if not parts and not states:
        raise PartsError('Choose at least one part or state ("unknown" is always there).')


def _log(
    period: FrontPeriod | None,
    action: str,
    now: dt.datetime,
    before: Any = None,
    after: Any = None,
    reason: str = "",
) -> None:
    FrontEdit.objects.create(
        period=period, at=now, action=action, before=before, after=after, reason=reason[:300]
    )


def _create(
    parts: Sequence[Part],
    states: Sequence[FrontState],
    start: dt.datetime,
    end: dt.datetime | None,
    note: str,
    now: dt.datetime,
) -> FrontPeriod:
    period = FrontPeriod.objects.create(
        started_at=start, ended_at=end, note=note.strip(), created_at=now, updated_at=now
    )
    period.parts.set(parts)
    period.states.set(states)
    return period


def _end(period: FrontPeriod, at: dt.datetime, now: dt.datetime, reason: str = "") -> None:
    before = snapshot(period)
    period.ended_at = at
    period.updated_at = now
    period.save(update_fields=["ended_at", "updated_at"])
    _log(period, FrontEdit.Action.ENDED, now, before, snapshot(period), reason)


@transaction.atomic
def switch(
    parts: Sequence[Part],
    states: Sequence[FrontState] = (),
    *,
    now: dt.datetime,
    at: dt.datetime | None = None,
    note: str = "",
    reason: str = "",
) -> FrontPeriod:
    """Record that these parts/states are present from ``at`` (default: now) on."""
    _check_who(parts, states)
    when = at or now
    _check_time(when, now)
    if FrontPeriod.objects.filter(ended_at__isnull=True, started_at=when).exists():
        raise PartsError("A switch is already recorded at exactly that time; correct it instead.")
    for period in FrontPeriod.objects.filter(ended_at__isnull=True, started_at__lt=when):
        _end(period, when, now, reason)
    later = (
        FrontPeriod.objects.filter(started_at__gt=when)
        .order_by("started_at")
        .values_list("started_at", flat=True)
        .first()
    )
    period = _create(parts, states, when, later, note, now)
    action = FrontEdit.Action.BACKDATED if when < now - _FUTURE_SLACK else FrontEdit.Action.CREATED
    _log(period, action, now, None, snapshot(period), reason)
    return period


@transaction.atomic
def join(
    parts: Sequence[Part],
    states: Sequence[FrontState] = (),
    *,
    now: dt.datetime,
    at: dt.datetime | None = None,
    note: str = "",
    reason: str = "",
) -> FrontPeriod:
    """Add co-fronters: a period beside those already open, nobody is ended."""
    _check_who(parts, states)
    when = at or now
    _check_time(when, now)
    here = {p.pk for period in open_periods(now) for p in period.parts.all()}
    already = [p.label for p in parts if p.pk in here]
    if already:
        message = f"Already recorded as here: {', '.join(already)}."
        raise PartsError(message)
    period = _create(parts, states, when, None, note, now)
    action = FrontEdit.Action.BACKDATED if when < now - _FUTURE_SLACK else FrontEdit.Action.CREATED
    _log(period, action, now, None, snapshot(period), reason)
    return period


@transaction.atomic
def leave(who: Part | FrontState, *, now: dt.datetime, at: dt.datetime | None = None) -> None:
    """Record that one part (or state) left; the others in its period stay."""
    when = at or now
    _check_time(when, now)
    field = "parts" if isinstance(who, Part) else "states"
    periods = FrontPeriod.objects.filter(ended_at__isnull=True, **{field: who})
    if not periods.exists():
        raise PartsError("That one is not recorded as here now.")
    for period in periods:
        if when < period.started_at:
            raise PartsError("That time is before they were recorded as arriving.")
        others = [p for p in period.parts.all() if p != who]
        other_states = [s for s in period.states.all() if s != who]
        _end(period, when, now, "left")
        if others or other_states:
            rest = _create(others, other_states, when, None, "", now)
            _log(rest, FrontEdit.Action.CREATED, now, None, snapshot(rest), "stayed on")


@transaction.atomic
def end(period: FrontPeriod, *, now: dt.datetime, at: dt.datetime | None = None) -> None:
    """End an open period at ``at`` (default: now)."""
    when = at or now
    _check_time(when, now)
    if period.ended_at is not None:
        raise PartsError("This period has already ended.")
    if when < period.started_at:
        raise PartsError("A period cannot end before it begins.")
    _end(period, when, now)


@transaction.atomic
def correct(
    period: FrontPeriod,
    *,
    started_at: dt.datetime,
    ended_at: dt.datetime | None,
    parts: Sequence[Part],
    states: Sequence[FrontState],
    note: str,
    now: dt.datetime,
    reason: str = "",
) -> FrontPeriod:
    """Change an earlier period (times, who, note); the old version stays in the log."""
    _check_who(parts, states)
    _check_time(started_at, now)
    if ended_at is not None:
        _check_time(ended_at, now)
        if ended_at < started_at:
            raise PartsError("A period cannot end before it begins.")
    before = snapshot(period)
    period.started_at, period.ended_at = started_at, ended_at
    period.note = note.strip()
    period.updated_at = now
    period.save()
    period.parts.set(parts)
    period.states.set(states)
    after = snapshot(period)
    if after != before:
        _log(period, FrontEdit.Action.CORRECTED, now, before, after, reason)
    return period


@transaction.atomic
def remove(period: FrontPeriod, *, now: dt.datetime, reason: str = "") -> None:
    """Take a period out of the log (recorded by mistake); the log keeps what it was."""
    _log(None, FrontEdit.Action.DELETED, now, snapshot(period), None, reason)
    period.delete()


def history(
    start: dt.datetime, stop: dt.datetime, *, part: Part | None = None
) -> list[FrontPeriod]:
    """Periods overlapping [start, stop), newest first, optionally for one part."""
    periods = FrontPeriod.objects.filter(
        Q(ended_at__isnull=True) | Q(ended_at__gt=start), started_at__lt=stop
    )
    if part is not None:
        periods = periods.filter(parts=part)
    return list(periods.prefetch_related("parts", "states").order_by("-started_at", "-id"))


def minutes_by_part(start: dt.datetime, stop: dt.datetime) -> dict[int, float]:
    """Minutes each part was present within [start, stop); co-fronting counts for each."""
    totals: dict[int, float] = {}
    for period in history(start, stop):
        begin = max(period.started_at, start)
        finish = min(period.ended_at or stop, stop)
        minutes = max((finish - begin).total_seconds() / 60, 0.0)
        for p in period.parts.all():
            totals[p.pk] = totals.get(p.pk, 0.0) + minutes
    return totals
