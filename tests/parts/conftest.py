"""Shared helpers for the parts tests: a fake clock and the feature turned on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

T0 = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)


class FakeClock:
    """A clock that only moves when a test moves it."""

    def __init__(self, start: dt.datetime = T0) -> None:
        self.current = start

    def __call__(self) -> dt.datetime:
        return self.current

    def advance(self, **delta: float) -> dt.datetime:
        self.current += dt.timedelta(**delta)
        return self.current


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeClock]:
    """Pages and commands read this clock instead of the real one."""
    fake = FakeClock()
    monkeypatch.setattr("attunement.parts.clock.now", fake)
    yield fake


@pytest.fixture
def enabled(db: None) -> None:
    from attunement.parts import prefs

    prefs.set_enabled(True)
