"""Alerts for the therapist: a reliable drop in the alliance, or tension the client reported.

:func:`evaluate` runs each time a check-in is shared (or shared again after an edit). It
compares the check-in with the same client's previous shared check-in of the same
instrument in the same therapy circle.

The reliable-change amount is the Jacobson–Truax cutoff the local journal uses
(:func:`attunement.checkins.engine.rci`): ``1.96 × SD × √2 × √(1 − α)``, with α the
instrument's declared reliability. The SD, in this order:

1. the instrument's declared SD (``reliability.sd``, a published between-person norm);
2. otherwise the client's own spread: the sample SD of their previous shared scores of
   that instrument (the last 12, the local detector's baseline window). It needs at least
   4 earlier scores, the detector's minimum for trusting a person's level, and it never
   counts as less than a floor: the detector's spread floor (5 % of the scale's range) or
   a tenth of the range, whichever is larger. The tenth is this module's own choice: a
   steady client's SD can be tiny, and with the detector's floor alone the amount (0.21 on
   a 1–5 mean) would sit below a single answer moving one step (0.25 on a four-item mean),
   so every wobble would alert;
3. otherwise there is no drop alert yet: the first shared check-ins only build the
   baseline (a tension alert needs no history and works from the first).

The check-in being judged is left out of its own SD, so a steep fall cannot raise its own
threshold. On the shipped ``attunement-alliance-v1`` (α 0.85, assumed; no declared SD) the
amount is 1.96 × √2 × √0.15 × SD ≈ 1.074 × SD points on its 1–5 mean, at least
1.074 × 0.4 ≈ 0.43: a steady client's drop of two answer-steps (0.5) alerts, one does not.
"""

from __future__ import annotations

import functools
import math
import os
import statistics
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from attunement.analysis.episodes_model import DetectionParams
from attunement.analysis.episodes_model import Instrument as ScaleFacts
from attunement.analysis.episodes_series import spread_floor
from attunement.checkins import engine
from attunement.checkins.schema import Instrument, InstrumentError
from attunement.circle.models import Alert, Membership, SharedCheckin, User
from attunement.circle.notify import notify

PARAMS = DetectionParams()
FLOOR_FRACTION = 0.10  # of the scale's range: the least SD a client's own spread counts as
MIN_EARLIER = PARAMS.min_valid  # earlier scores needed before the client's own SD is used
WINDOW = PARAMS.window  # the spread is taken over at most this many earlier scores
# Scores arrive as floats computed on another machine: a drop equal to the amount up to
# rounding counts as reaching it.
EPSILON = 1e-9


@dataclass(frozen=True)
class Threshold:
    """The reliable-change amount for one comparison, with where its SD came from."""

    amount: float
    sd: float
    alpha: float
    alpha_assumed: bool
    source: str  # "declared" | "own"
    earlier: int  # how many earlier scores the own SD was taken over (0 when declared)


@functools.lru_cache(maxsize=64)
def _load(instrument_id: str, extra_dir: str) -> Instrument | None:
    """Look the id up among the known instruments only (an id is never read as a path)."""
    try:
        known = engine.list_instruments(extra_dir or None)
    except InstrumentError:
        return None
    return next((inst for inst in known if inst.id == instrument_id), None)


def server_instrument(instrument_id: str) -> Instrument | None:
    """The instrument definition the server knows by this id (shipped or in the clinician's
    ``$ATTUNE_INSTRUMENTS_DIR``), or None when this server has no file for it."""
    return _load(instrument_id, os.environ.get(engine.ENV_DIR, ""))


def scale_range(instrument: Instrument) -> tuple[float, float]:
    """Lowest and highest possible alliance score of the instrument."""
    return instrument.score_range(instrument.alliance)


def sd_floor(instrument: Instrument) -> float:
    """The least SD a client's own spread may count as (see the module docstring)."""
    lo, hi = scale_range(instrument)
    detector = spread_floor(ScaleFacts(lo, hi, alpha=instrument.reliability.alpha or 0.9), PARAMS)
    return max(detector, FLOOR_FRACTION * (hi - lo))


def threshold(instrument: Instrument, earlier: list[float]) -> Threshold | None:
    """The reliable-change amount given the earlier scores (oldest first), or None if unknown."""
    rel = instrument.reliability
    if rel.alpha is None:
        return None
    earlier = [x for x in earlier if math.isfinite(x)]
    if rel.sd:
        sd, source, n = float(rel.sd), "declared", 0
    elif len(earlier) >= MIN_EARLIER:
        recent = earlier[-WINDOW:]
        sd, source, n = max(statistics.stdev(recent), sd_floor(instrument)), "own", len(recent)
    else:
        return None
    amount = engine.rci(instrument, sd=sd, alpha=rel.alpha)
    return Threshold(amount, sd, rel.alpha, rel.assumed, source, n)


def _series_before(checkin: SharedCheckin) -> list[SharedCheckin]:
    """The same client's earlier scored check-ins of this instrument in this circle.

    A stored NaN (PostgreSQL keeps one) is no score: it would poison the SD.
    """
    rows = SharedCheckin.objects.filter(
        circle_id=checkin.circle_id, author_id=checkin.author_id,
        instrument=checkin.instrument, alliance__isnull=False,
    ).exclude(pk=checkin.pk).order_by("completed_at", "id")
    return [c for c in rows if (c.completed_at, c.pk) < (checkin.completed_at, checkin.pk)
            and c.alliance is not None and math.isfinite(c.alliance)]


def _day(checkin: SharedCheckin) -> str:
    return f"{timezone.localtime(checkin.completed_at):%Y-%m-%d}"


def _fmt(x: float) -> str:
    return f"{x:.2f}"


def drop_detail(checkin: SharedCheckin, previous: SharedCheckin, t: Threshold) -> str:
    """The sentence an alert carries: the two scores, the drop, and how the amount was found."""
    assert checkin.alliance is not None and previous.alliance is not None
    drop = previous.alliance - checkin.alliance
    where = ("the instrument's declared SD" if t.source == "declared"
             else f"the client's own SD over {t.earlier} earlier check-ins")
    alpha = f"α {t.alpha:g}" + (" assumed" if t.alpha_assumed else "")
    return (f"Alliance {_fmt(checkin.alliance)}, down {_fmt(drop)} from "
            f"{_fmt(previous.alliance)} on {_day(previous)}; "
            f"reliable-change amount {_fmt(t.amount)} (SD {_fmt(t.sd)} from {where}, {alpha}).")


def tension_detail(checkin: SharedCheckin) -> str:
    """What the client said about the tension, in numbers they chose."""
    parts = ["Tension or a misunderstanding reported"]
    if checkin.tension_intensity is not None:
        parts.append(f"strength {checkin.tension_intensity} of 5")
    if checkin.tension_resolved is not None:
        parts.append(f"worked through {checkin.tension_resolved} of 5 by the end")
    return ", ".join(parts) + "."


def check(checkin: SharedCheckin) -> dict[str, str]:
    """Which alerts this check-in calls for: reason -> detail. Pure reading, no writes."""
    found: dict[str, str] = {}
    if checkin.tension:
        found[Alert.Reason.TENSION.value] = tension_detail(checkin)
    instrument = server_instrument(checkin.instrument)
    if instrument is None or checkin.alliance is None or not math.isfinite(checkin.alliance):
        return found
    earlier = _series_before(checkin)
    if not earlier:
        return found
    previous = earlier[-1]
    t = threshold(instrument, [float(c.alliance) for c in earlier if c.alliance is not None])
    assert previous.alliance is not None
    if t is not None and previous.alliance - checkin.alliance >= t.amount - EPSILON:
        found[Alert.Reason.DROP.value] = drop_detail(checkin, previous, t)
    return found


def therapists(checkin: SharedCheckin) -> list[User]:
    """The therapist(s) of the check-in's circle."""
    return list(User.objects.filter(memberships__circle_id=checkin.circle_id,
                                    memberships__role=Membership.Role.THERAPIST))


def _notice(checkin: SharedCheckin, reason: str) -> str:
    head = f"{checkin.author}'s check-in of {_day(checkin)}"
    if reason == Alert.Reason.DROP:
        return head + ": the alliance dropped reliably."
    return head + ": tension reported."


def _store(checkin: SharedCheckin, reason: str, detail: str) -> Alert | None:
    """Create the alert or refresh its detail; the alert when it is new, else None."""
    try:
        with transaction.atomic():
            alert, created = Alert.objects.get_or_create(
                checkin=checkin, reason=reason, defaults={"detail": detail[:300]})
    except IntegrityError:  # the same check-in evaluated twice at once: the other won
        return None
    if not created and alert.detail != detail[:300]:
        alert.detail = detail[:300]
        alert.save(update_fields=["detail"])
    return alert if created else None


def evaluate(checkin: SharedCheckin) -> list[str]:
    """Create the check-in's alerts, tell the therapist about new ones; return the reasons.

    Idempotent: one alert per check-in and reason, one notification when it first appears.
    When an edited check-in no longer calls for an alert the therapist has not seen yet,
    that alert goes, and its notification with it; one she has seen stays, as a record of
    what she was told.
    """
    found = check(checkin)
    Alert.objects.filter(checkin=checkin, seen_at__isnull=True).exclude(
        reason__in=list(found)).delete()
    new = [alert for reason, detail in found.items()
           if (alert := _store(checkin, reason, detail)) is not None]
    if new:
        url = reverse("circle_therapist:client", args=[checkin.circle_id])
        people = therapists(checkin)
        for alert in new:
            notify(people, "alert", _notice(checkin, alert.reason), url, actor=checkin.author,
                   checkin=checkin, alert=alert, circle=checkin.circle)
    return sorted(found)
