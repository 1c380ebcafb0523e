"""The publish step keeps each part's sharing rule (parts of a plural system turned on)."""

from __future__ import annotations

import pytest

from attunement.checkins.services import record_checkin
from attunement.parts import authorship, prefs
from attunement.parts import services as part_services
from attunement.parts.sharing_rules import Rule, set_rule
from attunement.record.models import Entry
from attunement.sharing import hooks, services
from attunement.sharing.models import Connection, OutboxItem
from attunement.sharing.services import EntryChoice, SharingError

pytestmark = pytest.mark.django_db
ANSWERS = {"bond_grasped": 4, "bond_on_my_side": 5, "task_fit": 3, "goal_direction": 4,
           "tension": False}


@pytest.fixture
def rowan(db):  # type: ignore[no-untyped-def]
    prefs.set_enabled(True)
    from django.utils import timezone

    return part_services.save_part(None, name="Rowan", now=timezone.now())


def written_by_rowan(rowan) -> Entry:  # type: ignore[no-untyped-def]
    entry = Entry.objects.create(title="Tuesday", body="She listened today.")
    authorship.set_links(entry, [rowan], [])
    return entry


def test_a_part_whose_rule_says_never_is_not_shared(connected: Connection, rowan) -> None:  # type: ignore[no-untyped-def]
    entry = written_by_rowan(rowan)
    with pytest.raises(SharingError) as exc:
        services.entry_preview(entry, EntryChoice(circles=[11], excerpt=None))
    assert exc.value.message == (
        "Not shared with circles: the sharing rule of Rowan (who wrote this) does not allow it.")
    assert not OutboxItem.objects.exists()


def test_the_rule_is_per_destination(connected: Connection, rowan) -> None:  # type: ignore[no-untyped-def]
    set_rule(rowan, Rule(circles=False, therapist=True))
    entry = written_by_rowan(rowan)
    assert services.entry_preview(entry, EntryChoice(circles=[12], excerpt=None))  # therapy
    with pytest.raises(SharingError):
        services.entry_preview(entry, EntryChoice(circles=[11, 12], excerpt=None))


def test_turning_parts_off_lifts_the_rules(connected: Connection, rowan) -> None:  # type: ignore[no-untyped-def]
    entry = written_by_rowan(rowan)
    prefs.set_enabled(False)
    assert services.entry_preview(entry, EntryChoice(circles=[11], excerpt=None))


def test_an_auto_shared_checkin_keeps_the_rule(connected: Connection, rowan) -> None:  # type: ignore[no-untyped-def]
    connected.auto_share_checkins = True
    connected.save()
    checkin = record_checkin("attunement-alliance-v1", ANSWERS)
    authorship.set_links(checkin, [rowan], [])
    said = hooks.checkin_recorded(checkin)
    assert said == ("Not shared automatically: Not shared with the therapist: the sharing "
                    "rule of Rowan (who wrote this) does not allow it.")
    assert not OutboxItem.objects.exists()


def test_adding_a_writer_whose_rule_says_never_stops_the_resend(  # type: ignore[no-untyped-def]
    client, connected: Connection, rowan, django_capture_on_commit_callbacks
) -> None:
    """Edit a shared entry and name, in the same save, a part who does not share: not sent."""
    from attunement.sharing.models import Share

    entry = Entry.objects.create(title="Tuesday", body="She listened today.")
    preview = services.entry_preview(entry, EntryChoice(circles=[11], excerpt=None))
    from attunement.sharing import payloads

    services.share_entry(entry, EntryChoice(circles=[11], excerpt=None), payloads.digest(preview))
    OutboxItem.objects.all().delete()  # as if sent
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(f"/entries/{entry.pk}/edit", {
            "title": "Tuesday", "written_at": "2026-03-02T19:30",
            "body": "She listened today, and I said more.", "tags_text": "",
            "who_shown": "1", "who": [f"part:{rowan.pk}"]})
    assert r.status_code == 302
    item = OutboxItem.objects.get()
    assert item.state == OutboxItem.State.FAILED
    assert "the sharing rule of Rowan" in item.last_error
    assert Share.objects.filter(object_id=entry.pk).exists()  # still chosen; waits with the reason
