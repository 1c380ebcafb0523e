"""Episodes of the demo year: the dips written into it are found, and only the last is open."""

from __future__ import annotations

import datetime as dt

import pytest

from attunement.demo.generator import build_demo_journal
from attunement.record import transfer
from attunement.words.episodes import journal_episodes

pytestmark = pytest.mark.django_db


def test_the_demo_years_ruptures_are_found() -> None:
    transfer.import_data(build_demo_journal(seed=7), analyze=False)
    found = journal_episodes()
    strict = [e for e in found if "strict_2sd" in e.summary()["criteria"]]
    starts = [dt.date.fromisoformat(e.summary()["start"]) for e in strict]
    # The story: she was late (Oct), after the winter break (Jan), the fee and time
    # change (Mar), the slow decline before summer (Jun-Jul), the open rupture (Aug).
    for month in [(2025, 10), (2026, 1), (2026, 3), (2026, 6)]:
        assert any((d.year, d.month) == month for d in starts), (month, starts)
    statuses = {e.summary()["start"][:7]: e.summary()["status"] for e in found}
    assert statuses["2026-06"] == "repaired"
    last = max(found, key=lambda e: e.summary()["start"])
    assert last.summary()["start"].startswith("2026-08") and last.summary()["status"] == "open"
    assert sum(e.summary()["status"] == "open" for e in found) == 1
