"""Who's here: switches, co-fronting, leaving, backdating, correcting, and the edit log."""

from __future__ import annotations

import datetime as dt

import pytest

from attunement.parts import fronts, services
from attunement.parts.models import FrontEdit, FrontPeriod, FrontState, Part
from attunement.parts.services import PartsError

from .conftest import T0

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)


@pytest.fixture
def parts() -> tuple[Part, Part, Part]:
    return tuple(services.save_part(None, name=n, now=T0) for n in ("Rowan", "Sable", "Wren"))  # type: ignore[return-value]


def here(now: dt.datetime) -> list[tuple[str, ...]]:
    return [
        tuple(sorted([p.name for p in f.parts.all()] + [s.name for s in f.states.all()]))
        for f in fronts.open_periods(now)
    ]


def test_a_switch_ends_who_was_here(parts) -> None:  # type: ignore[no-untyped-def]
    rowan, sable, _ = parts
    first = fronts.switch([rowan], now=T0)
    fronts.switch([sable], now=T0 + H)
    first.refresh_from_db()
    assert first.ended_at == T0 + H
    assert here(T0 + H) == [("Sable",)]
    actions = list(FrontEdit.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["created", "ended", "created"]


def test_co_fronting_in_one_switch_and_beside(parts) -> None:  # type: ignore[no-untyped-def]
    rowan, sable, wren = parts
    fronts.switch([rowan, sable], now=T0)
    fronts.join([wren], now=T0 + H)
    assert here(T0 + H) == [("Rowan", "Sable"), ("Wren",)]
    with pytest.raises(PartsError) as info:
        fronts.join([rowan], now=T0 + 2 * H)
    assert info.value.message == "Already recorded as here: Rowan."


def test_unknown_and_custom_states(parts) -> None:  # type: ignore[no-untyped-def]
    unknown = services.builtin_state("unknown")
    assert services.builtin_state("unknown") == unknown  # only ever one
    far = services.save_state(None, name="Far away")
    fronts.switch([], [unknown], now=T0)
    fronts.join([parts[0]], [far], now=T0 + H)
    assert here(T0 + H) == [("Unknown",), ("Far away", "Rowan")]
    assert {s.kind for s in FrontState.objects.all()} == {"unknown", "custom"}


def test_leaving_keeps_the_others(parts) -> None:  # type: ignore[no-untyped-def]
    rowan, sable, _ = parts
    period = fronts.switch([rowan, sable], now=T0)
    fronts.leave(rowan, now=T0 + H)
    period.refresh_from_db()
    assert period.ended_at == T0 + H
    assert here(T0 + H) == [("Sable",)]
    with pytest.raises(PartsError) as info:
        fronts.leave(rowan, now=T0 + 2 * H)
    assert info.value.message == "That one is not recorded as here now."


def test_a_backdated_switch_slots_in_before_a_later_one(parts) -> None:  # type: ignore[no-untyped-def]
    rowan, sable, wren = parts
    fronts.switch([rowan], now=T0)  # Rowan from 12:00
    fronts.switch([sable], now=T0 + 3 * H)  # Sable from 15:00
    back = fronts.switch([wren], now=T0 + 4 * H, at=T0 + H)  # "Wren was here from 13:00"
    assert (back.started_at, back.ended_at) == (T0 + H, T0 + 3 * H)
    rows = [
        (p.started_at, p.ended_at, [x.name for x in p.parts.all()])
        for p in FrontPeriod.objects.order_by("started_at")
    ]
    # Rowan's period was already closed at 15:00; the backdated one sits inside it.
    assert rows[1] == (T0 + H, T0 + 3 * H, ["Wren"])
    assert FrontEdit.objects.get(period=back).action == "backdated"


def test_a_backdated_switch_ends_an_open_period_that_began_before_it(parts) -> None:  # type: ignore[no-untyped-def]
    rowan, sable, _ = parts
    first = fronts.switch([rowan], now=T0)
    fronts.switch([sable], now=T0 + 5 * H, at=T0 + 2 * H)
    first.refresh_from_db()
    assert first.ended_at == T0 + 2 * H
    assert here(T0 + 5 * H) == [("Sable",)]


def test_future_times_and_empty_switches_are_refused(parts) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PartsError) as info:
        fronts.switch([parts[0]], now=T0, at=T0 + 2 * H)
    assert (
        info.value.message == "That time is still to come; a front can only be recorded up to now."
    )
    with pytest.raises(PartsError) as info:
        fronts.switch([], [], now=T0)
    assert info.value.message == 'Choose at least one part or state ("unknown" is always there).'
    fronts.switch([parts[0]], now=T0)
    with pytest.raises(PartsError) as info:
        fronts.switch([parts[1]], now=T0 + H, at=T0)
    assert (
        info.value.message
        == "A switch is already recorded at exactly that time; correct it instead."
    )
    assert FrontPeriod.objects.count() == 1


def test_correcting_keeps_the_earlier_version_in_the_log(parts) -> None:  # type: ignore[no-untyped-def]
    rowan, sable, _ = parts
    period = fronts.switch([rowan], now=T0)
    fronts.end(period, now=T0 + 2 * H)
    fronts.correct(
        period,
        started_at=T0 - H,
        ended_at=T0 + H,
        parts=[sable],
        states=[],
        note="It was Sable.",
        now=T0 + 3 * H,
        reason="remembered",
    )
    period.refresh_from_db()
    assert (period.started_at, period.ended_at, period.note) == (T0 - H, T0 + H, "It was Sable.")
    log = FrontEdit.objects.filter(action="corrected").get()
    assert log.before == {
        "started_at": T0.isoformat(),
        "ended_at": (T0 + 2 * H).isoformat(),
        "parts": [rowan.pk],
        "states": [],
        "note": "",
    }
    assert log.after["parts"] == [sable.pk] and log.reason == "remembered"
    with pytest.raises(PartsError) as info:
        fronts.correct(
            period,
            started_at=T0,
            ended_at=T0 - H,
            parts=[sable],
            states=[],
            note="",
            now=T0 + 3 * H,
        )
    assert info.value.message == "A period cannot end before it begins."


def test_removing_a_period_is_logged(parts) -> None:  # type: ignore[no-untyped-def]
    period = fronts.switch([parts[0]], now=T0)
    fronts.remove(period, now=T0 + H, reason="by mistake")
    assert not FrontPeriod.objects.exists()
    log = FrontEdit.objects.filter(action="deleted").get()
    assert log.before["parts"] == [parts[0].pk] and log.reason == "by mistake"


def test_ending_twice_or_before_the_start_is_refused(parts) -> None:  # type: ignore[no-untyped-def]
    period = fronts.switch([parts[0]], now=T0)
    with pytest.raises(PartsError) as info:
        fronts.end(period, now=T0 + H, at=T0 - H)
    assert info.value.message == "A period cannot end before it begins."
    fronts.end(period, now=T0 + H)
    with pytest.raises(PartsError) as info:
        fronts.end(period, now=T0 + 2 * H)
    assert info.value.message == "This period has already ended."


def test_history_and_time_per_part(parts) -> None:  # type: ignore[no-untyped-def]
    rowan, sable, _ = parts
    fronts.switch([rowan, sable], now=T0)
    fronts.switch([sable], now=T0 + 2 * H)
    assert fronts.minutes_by_part(T0, T0 + 3 * H) == {rowan.pk: 120.0, sable.pk: 180.0}
    assert len(fronts.history(T0, T0 + 3 * H, part=rowan)) == 1
    assert (
        len(fronts.history(T0 + 4 * H, T0 + 5 * H)) == 1
    )  # the open one reaches into any later window
