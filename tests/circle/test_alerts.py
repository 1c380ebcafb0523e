"""Alerts on shared check-ins: a reliable drop, a reported tension, told to the therapist once."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from attunement.checkins import engine
from attunement.circle import alerts
from attunement.circle.models import Alert, Circle, Notification, SharedCheckin, User

SHIPPED = "attunement-alliance-v1"
BASE = datetime(2025, 3, 3, 18, 0, tzinfo=UTC)
# 1.96 × √2 × √(1 − 0.85): the shipped instrument's multiplier of the SD.
SHIPPED_FACTOR = 1.96 * math.sqrt(2) * math.sqrt(1 - 0.85)

DECLARED = """\
id: declared-sd-v1
version: 1
title: A scale with a published SD
items:
  - {id: a, text: One, type: scale, min: 1, max: 5}
  - {id: b, text: Two, type: scale, min: 1, max: 5}
reliability: {alpha: 0.875, sd: 1.0}
"""


@pytest.fixture
def share(therapy_circle: Circle, writer: User) -> Callable[..., SharedCheckin]:
    """Factory: ``share(alliance, day, tension=None, ...)`` shares one check-in."""
    counter = iter(range(1, 10_000))

    def make(alliance: float | None, day: int, *, circle: Circle | None = None,
             author: User | None = None, instrument: str = SHIPPED,
             **extra: Any) -> SharedCheckin:
        return SharedCheckin.objects.create(
            author=author or writer, circle=circle or therapy_circle,
            local_id=f"checkin-{next(counter)}", instrument=instrument,
            instrument_version="1", completed_at=BASE + timedelta(days=day),
            alliance=alliance, **extra)

    return make


@pytest.fixture
def declared_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clinician's instrument folder holding a scale with a declared SD."""
    folder = tmp_path / "instruments"
    folder.mkdir()
    (folder / "declared.yaml").write_text(DECLARED, encoding="utf-8")
    monkeypatch.setenv(engine.ENV_DIR, str(folder))
    return folder


def alert_notes(user: User) -> list[Notification]:
    return list(Notification.objects.filter(user=user, kind="alert"))


# --- the threshold ------------------------------------------------------------------


EARLIER = [3.5, 4.5, 3.5, 4.5]  # own SD 0.577, above the floor


def test_shipped_threshold_is_jacobson_truax_with_own_sd() -> None:
    inst = engine.load_instrument(SHIPPED)
    t = alerts.threshold(inst, EARLIER)
    assert t is not None
    assert t.source == "own" and t.earlier == 4 and t.alpha == 0.85 and t.alpha_assumed
    assert t.sd == pytest.approx(statistics.stdev(EARLIER))
    assert t.amount == pytest.approx(SHIPPED_FACTOR * statistics.stdev(EARLIER))
    assert t.amount == pytest.approx(0.6198, abs=1e-4)


def test_steady_series_uses_the_floor() -> None:
    inst = engine.load_instrument(SHIPPED)
    assert alerts.sd_floor(inst) == pytest.approx(0.4)  # a tenth of the 1..5 range
    for steady in ([4.0] * 5, [4.25, 4.5, 4.25, 4.5]):
        t = alerts.threshold(inst, steady)
        assert t is not None
        assert t.sd == pytest.approx(0.4)
        assert t.amount == pytest.approx(SHIPPED_FACTOR * 0.4)
        assert 0.25 < t.amount <= 0.5  # one answer-step never alerts, two do


def test_steady_client_one_step_wobble_is_quiet_two_steps_alert(share) -> None:  # type: ignore[no-untyped-def]
    for day, score in enumerate([4.25, 4.5, 4.25, 4.5]):
        share(score, day)
    assert alerts.evaluate(share(4.25, 4)) == []
    assert alerts.evaluate(share(3.75, 5)) == ["drop"]


def test_own_sd_needs_four_earlier_scores() -> None:
    inst = engine.load_instrument(SHIPPED)
    assert alerts.threshold(inst, [4.0, 3.0, 5.0]) is None
    assert alerts.threshold(inst, [4.0, 3.0, 5.0, 4.0]) is not None


def test_own_sd_uses_only_the_last_twelve() -> None:
    inst = engine.load_instrument(SHIPPED)
    recent = [3.5, 4.5] * 6
    t = alerts.threshold(inst, [1.0, *recent])  # the old outlier is out of the window
    assert t is not None and t.earlier == 12
    assert t.sd == pytest.approx(statistics.stdev(recent))


def test_declared_sd_is_used_without_history(declared_dir: Path) -> None:
    inst = alerts.server_instrument("declared-sd-v1")
    assert inst is not None
    t = alerts.threshold(inst, [])
    assert t is not None and t.source == "declared"
    assert t.amount == pytest.approx(0.98)  # 1.96 × 1.0 × √2 × √0.125


def test_no_alpha_no_threshold() -> None:
    pre = engine.load_instrument("attunement-pre-v1")
    assert alerts.threshold(pre, [3.0, 4.0, 3.0, 4.0, 5.0]) is None


# --- drops ----------------------------------------------------------------------------


def _baseline(share: Callable[..., SharedCheckin]) -> float:
    """Four earlier check-ins; returns the reliable-change amount the fifth is judged by."""
    for day, score in enumerate(EARLIER):
        share(score, day)
    return SHIPPED_FACTOR * statistics.stdev(EARLIER)


def test_first_checkin_has_no_previous(share, therapist) -> None:  # type: ignore[no-untyped-def]
    first = share(1.0, 0)
    assert alerts.evaluate(first) == []
    assert not Alert.objects.exists()
    assert alert_notes(therapist) == []


def test_drop_exactly_at_the_threshold_alerts(share, therapist) -> None:  # type: ignore[no-untyped-def]
    amount = _baseline(share)
    now = share(4.5 - amount, 10)
    assert alerts.evaluate(now) == ["drop"]
    alert = Alert.objects.get(checkin=now)
    assert alert.reason == "drop"
    assert alert.detail == (
        f"Alliance {4.5 - amount:.2f}, down {amount:.2f} from 4.50 on 2025-03-06; "
        f"reliable-change amount {amount:.2f} (SD {statistics.stdev(EARLIER):.2f} "
        "from the client's own SD over 4 earlier check-ins, α 0.85 assumed)."
    )


def test_drop_just_below_the_threshold_does_not(share, therapist) -> None:  # type: ignore[no-untyped-def]
    amount = _baseline(share)
    now = share(4.5 - amount + 0.01, 10)
    assert alerts.evaluate(now) == []
    assert not Alert.objects.filter(checkin=now).exists()
    assert alert_notes(therapist) == []


def test_declared_sd_drop_at_and_below(share, declared_dir) -> None:  # type: ignore[no-untyped-def]
    share(4.0, 0, instrument="declared-sd-v1")
    at = share(3.02, 1, instrument="declared-sd-v1")
    assert alerts.evaluate(at) == ["drop"]
    assert "from the instrument's declared SD, α 0.875)" in Alert.objects.get(checkin=at).detail
    share(4.0, 2, instrument="declared-sd-v1")
    below = share(3.03, 3, instrument="declared-sd-v1")
    assert alerts.evaluate(below) == []


def test_compares_with_the_previous_by_date_not_by_arrival(share) -> None:  # type: ignore[no-untyped-def]
    _baseline(share)  # days 0..3, last score 4.5
    late = share(2.0, 20)
    early = share(4.4, 5)  # arrives later (offline queue) but happened before `late`
    assert alerts.evaluate(late) == ["drop"]  # judged against 4.4 (day 5)
    assert "from 4.40 on 2025-03-08" in Alert.objects.get(checkin=late).detail
    assert alerts.evaluate(early) == []


def test_other_instruments_circles_and_people_are_not_compared(  # type: ignore[no-untyped-def]
        share, make_circle, other_writer, writer, declared_dir) -> None:
    other = make_circle(other_writer, "Theirs", kind=Circle.Kind.THERAPY)
    for day in range(5):
        share(5.0, day, instrument="declared-sd-v1")
        share(5.0, day, circle=other, author=other_writer)
    first = share(1.0, 10)
    assert alerts.evaluate(first) == []  # its own series is empty


def test_checkin_without_score_raises_no_drop(share) -> None:  # type: ignore[no-untyped-def]
    _baseline(share)
    assert alerts.evaluate(share(None, 10)) == []


def test_few_earlier_checkins_no_drop_alert_yet(share) -> None:  # type: ignore[no-untyped-def]
    share(5.0, 0)
    share(5.0, 1)
    assert alerts.evaluate(share(1.0, 2)) == []


def test_unknown_instrument_gives_tension_only(share) -> None:  # type: ignore[no-untyped-def]
    for day in range(5):
        share(5.0, day, instrument="licensed-elsewhere")
    now = share(1.0, 9, instrument="licensed-elsewhere", tension=True)
    assert alerts.evaluate(now) == ["tension"]


# --- tension -------------------------------------------------------------------------


def test_tension_alerts_from_the_first_checkin(share, therapist) -> None:  # type: ignore[no-untyped-def]
    now = share(4.0, 0, tension=True, tension_intensity=4, tension_resolved=2)
    assert alerts.evaluate(now) == ["tension"]
    alert = Alert.objects.get(checkin=now)
    assert alert.detail == ("Tension or a misunderstanding reported, strength 4 of 5, "
                            "worked through 2 of 5 by the end.")


def test_no_tension_reported_no_alert(share) -> None:  # type: ignore[no-untyped-def]
    assert alerts.evaluate(share(4.0, 0, tension=False)) == []
    assert alerts.evaluate(share(4.0, 1, tension=None)) == []


def test_drop_and_tension_together(share) -> None:  # type: ignore[no-untyped-def]
    amount = _baseline(share)
    now = share(4.5 - amount - 1, 10, tension=True)
    assert alerts.evaluate(now) == ["drop", "tension"]
    assert set(Alert.objects.filter(checkin=now).values_list("reason", flat=True)) == {
        "drop", "tension"}


# --- idempotence, edits and notifications ---------------------------------------------


def test_idempotent_one_alert_one_notification(share, therapist) -> None:  # type: ignore[no-untyped-def]
    now = share(4.0, 0, tension=True)
    for _ in range(3):
        assert alerts.evaluate(now) == ["tension"]
    assert Alert.objects.filter(checkin=now).count() == 1
    assert len(alert_notes(therapist)) == 1


def test_notification_goes_to_the_therapist_only(  # type: ignore[no-untyped-def]
        share, therapist, writer, member, therapy_circle) -> None:
    alerts.evaluate(share(4.0, 0, tension=True))
    [note] = alert_notes(therapist)
    assert note.text == "Lantern's check-in of 2025-03-03: tension reported."
    assert note.url == f"/therapist/clients/{therapy_circle.pk}/"
    assert note.read_at is None
    assert not Notification.objects.exclude(user=therapist).exists()


def test_quiet_therapist_gets_no_notification(share, therapist) -> None:  # type: ignore[no-untyped-def]
    therapist.quiet = True
    therapist.save()
    assert alerts.evaluate(share(4.0, 0, tension=True)) == ["tension"]
    assert Alert.objects.count() == 1  # the alert is still there for her page
    assert not Notification.objects.exists()


def test_edit_that_removes_tension_removes_the_unseen_alert(share) -> None:  # type: ignore[no-untyped-def]
    now = share(4.0, 0, tension=True)
    alerts.evaluate(now)
    now.tension = False
    now.save()
    assert alerts.evaluate(now) == []
    assert not Alert.objects.exists()


def test_edit_keeps_an_alert_she_has_seen(share) -> None:  # type: ignore[no-untyped-def]
    now = share(4.0, 0, tension=True)
    alerts.evaluate(now)
    Alert.objects.update(seen_at=timezone.now())
    now.tension = False
    now.save()
    assert alerts.evaluate(now) == []
    assert Alert.objects.count() == 1


def test_edit_updates_the_detail_without_a_second_notification(  # type: ignore[no-untyped-def]
        share, therapist) -> None:
    now = share(4.0, 0, tension=True, tension_intensity=2)
    alerts.evaluate(now)
    now.tension_intensity = 5
    now.save()
    alerts.evaluate(now)
    assert "strength 5 of 5" in Alert.objects.get(checkin=now).detail
    assert len(alert_notes(therapist)) == 1


def test_a_circle_without_a_therapist_notifies_nobody(  # type: ignore[no-untyped-def]
        share, make_circle, writer) -> None:
    alone = make_circle(writer, "Just me", kind=Circle.Kind.THERAPY)
    assert alerts.evaluate(share(4.0, 0, circle=alone, tension=True)) == ["tension"]
    assert not Notification.objects.exists()


def test_non_finite_scores_are_no_scores(share) -> None:  # type: ignore[no-untyped-def]
    _baseline(share)
    share(float("nan"), 5)
    assert alerts.evaluate(share(float("nan"), 6)) == []
    now = share(1.0, 7)
    assert alerts.evaluate(now) == ["drop"]  # judged against 4.5, the last real score
    assert "from 4.50 on 2025-03-06" in Alert.objects.get(checkin=now).detail


def test_threshold_ignores_non_finite_scores() -> None:
    inst = engine.load_instrument(SHIPPED)
    t = alerts.threshold(inst, [*EARLIER, float("nan"), float("inf")])
    assert t is not None and t.earlier == 4
    assert alerts.threshold(inst, [4.0, 4.0, 4.0, float("nan")]) is None


@pytest.mark.parametrize("hostile", ["/dev/zero", "../../etc/passwd.yaml", "x.json", "a/b"])
def test_an_instrument_id_is_never_read_as_a_path(hostile: str) -> None:
    """A stored id that looks like a file path finds no instrument (and reads no file)."""
    from attunement.circle import alerts

    alerts._load.cache_clear()
    assert alerts.server_instrument(hostile) is None
