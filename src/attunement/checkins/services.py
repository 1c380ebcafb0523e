"""Record a check-in: validate and score the answers with the one engine, store both."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from attunement.checkins import engine
from attunement.checkins.models import Checkin, CheckinItemScore
from attunement.checkins.schema import Instrument
from attunement.errors import AttuneError
from attunement.io.records import CheckinRec
from attunement.record.models import Session

DEFAULT_POST = "attunement-alliance-v1"
DEFAULT_PRE = "attunement-pre-v1"


class CheckinInvalid(AttuneError):
    """The answers do not fit the instrument; nothing was saved."""


def extra_dirs() -> list[str]:
    """Folders where a clinician may put licensed instruments."""
    return [str(p) for p in engine.instrument_dirs(settings.ATTUNE_HOME)]


def get_instrument(instrument_id: str) -> Instrument:
    """Load an instrument by id from the shipped ones or the journal's folder."""
    try:
        return engine.load_instrument(instrument_id, extra_dirs=extra_dirs())
    except (KeyError, ValueError) as exc:
        raise AttuneError(
            f"The check-in form '{instrument_id}' could not be loaded: {exc}"
        ) from exc


def available() -> list[Instrument]:
    """Every instrument that loads cleanly, shipped first."""
    return engine.list_instruments(journal_dir=settings.ATTUNE_HOME)


@transaction.atomic
def record_checkin(
    instrument_id: str,
    answers: Mapping[str, Any],
    *,
    session: Session | None = None,
    completed_at: Any = None,
    note: str = "",
    key: str = "",
) -> Checkin:
    """Score and save one check-in; raises CheckinInvalid with every problem found."""
    instrument = get_instrument(instrument_id)
    result = engine.score(instrument, answers)
    if not result.ok:
        raise CheckinInvalid("; ".join(str(p) for p in result.errors))
    checkin = Checkin.objects.create(
        instrument=instrument.id,
        instrument_version=str(instrument.version),
        timing=instrument.timing,
        session=session,
        completed_at=completed_at or timezone.now(),
        answers=dict(answers),
        total=result.total,
        alliance=result.alliance,
        subscales={k: v for k, v in result.subscales.items()},
        tension=result.rupture.tension,
        tension_intensity=_int_or_none(result.rupture.intensity),
        tension_resolved=_int_or_none(result.rupture.resolved),
        note=note,
        key=key,
    )
    CheckinItemScore.objects.bulk_create(
        CheckinItemScore(checkin=checkin, item=item_id, value=_float_or_none(value))
        for item_id, value in result.values.items()
    )
    return checkin


def save_checkin_record(rec: CheckinRec, session: Session | None) -> Checkin:
    """Save an imported check-in through the same engine."""
    return record_checkin(
        rec.instrument,
        rec.answers,
        session=session,
        completed_at=rec.completed_at,
        note=rec.note,
        key=rec.key,
    )


def _int_or_none(value: Any) -> int | None:
    return None if value is None else round(float(value))


def _float_or_none(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None if value is None else float(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
