"""The feature's settings: on or off, and how long a part's deletion waits.

Stored as one ``record.Setting`` row named ``parts`` (a JSON object)::

    {"enabled": false, "deletion_delay_days": 7,
     "pending_delay_days": null, "pending_from": null}

The delay protects parts from one another: a deletion waits it out, so shortening
it must not be a way round it. A shorter delay is therefore itself delayed: it only
takes effect once the delay in force when it was asked for has passed
(``pending_from``). A longer delay takes effect at once and pushes back deletions
already waiting. Every function that depends on time takes ``now``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields, replace
from typing import Any, TypeGuard

from attunement.errors import AttuneError
from attunement.record.models import Setting

SETTING_NAME = "parts"
MIN_DELAY_DAYS = 1
MAX_DELAY_DAYS = 365
DEFAULT_DELAY_DAYS = 7


@dataclass(frozen=True)
class PartsPrefs:
    """The settings of the parts feature, declared once with what each one is for."""

    enabled: bool = field(
        default=False,
        metadata={
            "help": "Show the parts pages and pickers. Off by default; turning it "
            "off hides them without deleting anything."
        },
    )
    deletion_delay_days: int = field(
        default=DEFAULT_DELAY_DAYS,
        metadata={
            "help": "Days a part's deletion waits before it is carried out; it "
            "can be cancelled at any time until then."
        },
    )
    pending_delay_days: int | None = field(
        default=None,
        metadata={"help": "A shorter delay asked for, waiting to take effect."},
    )
    pending_from: dt.datetime | None = field(
        default=None,
        metadata={"help": "When the shorter delay takes effect."},
    )

    def delay_at(self, now: dt.datetime) -> int:
        """The delay in force at ``now`` (a pending shorter one once its time has come)."""
        if self.pending_delay_days is not None and self.pending_from and now >= self.pending_from:
            return self.pending_delay_days
        return self.deletion_delay_days

    def as_json(self) -> dict[str, Any]:
        return {
            "enabled": self.enabled,
            "deletion_delay_days": self.deletion_delay_days,
            "pending_delay_days": self.pending_delay_days,
            "pending_from": self.pending_from.isoformat() if self.pending_from else None,
        }

    @classmethod
    def from_json(cls, raw: Any) -> PartsPrefs:
        """Read the stored value, falling back to defaults for anything unreadable."""
        if not isinstance(raw, dict):
            return cls()
        delay = raw.get("deletion_delay_days")
        pending = raw.get("pending_delay_days")
        return cls(
            enabled=raw.get("enabled") is True,
            deletion_delay_days=delay if _valid_days(delay) else DEFAULT_DELAY_DAYS,
            pending_delay_days=pending if _valid_days(pending) else None,
            pending_from=_when(raw.get("pending_from")) if _valid_days(pending) else None,
        )


HELP = {f.name: f.metadata["help"] for f in fields(PartsPrefs)}


def _valid_days(value: Any) -> TypeGuard[int]:
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and MIN_DELAY_DAYS <= value <= MAX_DELAY_DAYS
    )


def _when(value: Any) -> dt.datetime | None:
    try:
        parsed = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return parsed if parsed is None or parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def load() -> PartsPrefs:
    """The stored settings (defaults when none were saved)."""
    row = Setting.objects.filter(name=SETTING_NAME).first()
    return PartsPrefs.from_json(row.value if row else None)


def save(prefs: PartsPrefs) -> None:
    Setting.objects.update_or_create(name=SETTING_NAME, defaults={"value": prefs.as_json()})


def is_enabled() -> bool:
    """Whether the parts feature is on (every page and picker asks this)."""
    return load().enabled


def set_enabled(on: bool) -> None:
    """Turn the feature on or off; no data is touched either way."""
    save(replace(load(), enabled=on))


def settle(now: dt.datetime) -> PartsPrefs:
    """Make a pending shorter delay the delay in force once its time has come."""
    prefs = load()
    if prefs.pending_delay_days is not None and prefs.pending_from and now >= prefs.pending_from:
        prefs = replace(
            prefs,
            deletion_delay_days=prefs.pending_delay_days,
            pending_delay_days=None,
            pending_from=None,
        )
        save(prefs)
    return prefs


class BadDelay(AttuneError):
    message = f"The delay must be a whole number of days from {MIN_DELAY_DAYS} to {MAX_DELAY_DAYS}."


def change_delay(days: int, now: dt.datetime) -> PartsPrefs:
    """Ask for a new deletion delay: longer applies now, shorter after the current delay.

    Returns the settings as they now stand. A longer delay also pushes back the due
    date of every deletion already waiting, so no request ends sooner than the new
    delay allows.
    """
    if not _valid_days(days):
        raise BadDelay()
    prefs = settle(now)
    current = prefs.deletion_delay_days
    if days >= current:
        prefs = replace(prefs, deletion_delay_days=days, pending_delay_days=None, pending_from=None)
        save(prefs)
        if days > current:
            _push_back_deletions(days)
        return prefs
    prefs = replace(prefs, pending_delay_days=days, pending_from=now + dt.timedelta(days=current))
    save(prefs)
    return prefs


def _push_back_deletions(days: int) -> None:
    from attunement.parts.models import Part

    waiting = Part.objects.filter(
        deletion_due_at__isnull=False, deletion_requested_at__isnull=False
    )
    for part in waiting:
        assert part.deletion_requested_at is not None and part.deletion_due_at is not None
        later = part.deletion_requested_at + dt.timedelta(days=days)
        if later > part.deletion_due_at:
            part.deletion_due_at = later
            part.save(update_fields=["deletion_due_at"])
