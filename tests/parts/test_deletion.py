"""A part's deletion waits out the delay; shortening the delay is itself delayed (fake clock)."""

from __future__ import annotations

import datetime as dt

import pytest

from attunement.checkins.models import Checkin
from attunement.parts import authorship, fronts, prefs, services
from attunement.parts.models import FrontEdit, FrontPeriod, Part, PartGroup, PartNote
from attunement.record.models import Entry

from .conftest import T0

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


def make(name: str = "Rowan") -> Part:
    return services.save_part(None, name=name, now=T0)


def test_the_default_delay_is_seven_days() -> None:
    assert prefs.load().deletion_delay_days == 7
    assert prefs.load().enabled is False


def test_not_deleted_before_due_and_deleted_at_due() -> None:
    part = make()
    services.request_deletion(part, T0)
    assert part.deletion_due_at == T0 + 7 * DAY
    assert services.purge_due(T0 + 7 * DAY - dt.timedelta(seconds=1)) == 0
    assert Part.objects.filter(pk=part.pk).exists()
    assert services.purge_due(T0 + 7 * DAY) == 1
    assert not Part.objects.filter(pk=part.pk).exists()


def test_asking_again_keeps_the_first_due_date() -> None:
    part = make()
    services.request_deletion(part, T0)
    services.request_deletion(part, T0 + 3 * DAY)
    part.refresh_from_db()
    assert part.deletion_due_at == T0 + 7 * DAY


def test_cancel_keeps_the_part() -> None:
    part = make()
    services.request_deletion(part, T0)
    services.cancel_deletion(part)
    assert services.purge_due(T0 + 30 * DAY) == 0
    part.refresh_from_db()
    assert (part.deletion_requested_at, part.deletion_due_at) == (None, None)


def test_shortening_waits_for_the_old_delay_to_pass() -> None:
    now = T0
    after = prefs.change_delay(1, now)
    assert (after.deletion_delay_days, after.pending_delay_days) == (7, 1)
    assert after.pending_from == now + 7 * DAY
    # A request made meanwhile still waits the full seven days.
    part = make()
    services.request_deletion(part, now + 2 * DAY)
    assert part.deletion_due_at == now + 9 * DAY
    assert services.purge_due(now + 8 * DAY) == 0
    assert Part.objects.filter(pk=part.pk).exists()
    # Once the old delay has passed, the shorter one is the one in force.
    later = make("Sable")
    services.request_deletion(later, now + 7 * DAY)
    assert later.deletion_due_at == now + 8 * DAY
    assert prefs.load().deletion_delay_days == 1
    assert prefs.load().pending_delay_days is None


def test_lengthening_takes_effect_at_once_and_pushes_back_waiting_deletions() -> None:
    part = make()
    services.request_deletion(part, T0)
    after = prefs.change_delay(30, T0 + DAY)
    assert (after.deletion_delay_days, after.pending_delay_days) == (30, None)
    part.refresh_from_db()
    assert part.deletion_due_at == T0 + 30 * DAY
    assert services.purge_due(T0 + 7 * DAY) == 0
    assert services.purge_due(T0 + 30 * DAY) == 1
    fresh = make("Sable")
    services.request_deletion(fresh, T0 + 2 * DAY)
    assert fresh.deletion_due_at == T0 + 32 * DAY


def test_lengthening_cancels_a_pending_shortening() -> None:
    prefs.change_delay(1, T0)
    after = prefs.change_delay(10, T0 + DAY)
    assert (after.deletion_delay_days, after.pending_delay_days, after.pending_from) == (
        10,
        None,
        None,
    )


def test_a_second_shortening_restarts_the_wait() -> None:
    prefs.change_delay(3, T0)
    after = prefs.change_delay(1, T0 + 2 * DAY)
    assert (after.deletion_delay_days, after.pending_delay_days) == (7, 1)
    assert after.pending_from == T0 + 9 * DAY


@pytest.mark.parametrize("days", [0, -1, 366, True])
def test_a_delay_out_of_range_is_refused(days: int) -> None:
    with pytest.raises(prefs.BadDelay) as info:
        prefs.change_delay(days, T0)
    assert info.value.message == "The delay must be a whole number of days from 1 to 365."
    assert prefs.load().deletion_delay_days == 7


def test_unreadable_stored_settings_fall_back_to_defaults() -> None:
    from attunement.record.models import Setting

    Setting.objects.create(
        name="parts",
        value={
            "enabled": "yes",
            "deletion_delay_days": 0,
            "pending_delay_days": 2,
            "pending_from": "soon",
        },
    )
    loaded = prefs.load()
    assert (loaded.enabled, loaded.deletion_delay_days, loaded.pending_from) == (False, 7, None)
    assert loaded.delay_at(T0) == 7


def test_purging_keeps_writing_and_notes_and_drops_only_links() -> None:
    part, other = make(), make("Sable")
    group = services.save_group(None, name="Hosts", members=[part, other])
    entry = Entry.objects.create(title="Tuesday", body="We wrote this together.")
    checkin = Checkin.objects.create(instrument="attunement-alliance-v1")
    authorship.set_links(entry, [part, other])
    authorship.set_links(checkin, [part], role="present")
    note = PartNote.objects.create(part=part, body="Kept.", written_at=T0)
    alone = fronts.switch([part], now=T0)
    shared = fronts.switch([part, other], now=T0 + DAY)
    services.request_deletion(part, T0 + DAY)
    assert services.purge_due(T0 + 9 * DAY) == 1
    assert (
        Entry.objects.filter(pk=entry.pk).exists()
        and Checkin.objects.filter(pk=checkin.pk).exists()
    )
    assert [a.part for a in authorship.links(entry)] == [other]
    assert authorship.links(checkin) == []
    note.refresh_from_db()
    assert (note.body, note.part) == ("Kept.", None)
    assert list(PartGroup.objects.get(pk=group.pk).members.all()) == [other]
    # The period with nobody left goes (logged without names); the shared one stays.
    assert not FrontPeriod.objects.filter(pk=alone.pk).exists()
    assert list(FrontPeriod.objects.get(pk=shared.pk).parts.all()) == [other]
    log = FrontEdit.objects.filter(action="deleted").get()
    assert (log.before, log.after) == (None, None)


def test_archived_parts_leave_the_pickers_but_stay() -> None:
    part = make()
    services.archive(part, T0)
    assert part not in services.active_parts()
    services.unarchive(part)
    assert part in services.active_parts()
    services.request_deletion(part, T0)
    assert part not in services.active_parts()


def test_extra_fields_are_bounded() -> None:
    lines = "\n".join(f"Field {i}: value" for i in range(51))
    with pytest.raises(services.PartsError) as info:
        services.parse_custom_fields(lines)
    assert info.value.message == "A part can have at most 50 extra fields."
    assert services.parse_custom_fields("\n a : b \n\n") == {"a": "b"}
    assert services.format_custom_fields({"a": "b", "c": "d"}) == "a: b\nc: d"
