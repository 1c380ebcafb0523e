"""Per-part sharing rules: never unless the part's rule allows, and the page that sets them."""

from __future__ import annotations

import pytest
from django.test import Client

from attunement.checkins.models import Checkin
from attunement.parts import authorship, prefs, services, sharing_rules
from attunement.parts.models import Part
from attunement.parts.sharing_rules import Rule, check
from attunement.record.models import Entry, Setting

from .conftest import T0, FakeClock

pytestmark = pytest.mark.django_db
ALL_WAYS = [(c, t) for c in (False, True) for t in (False, True)]


def make(name: str) -> Part:
    return services.save_part(None, name=name, now=T0)


def written_by(*parts: Part, states: tuple = ()) -> Entry:  # type: ignore[type-arg]
    entry = Entry.objects.create(title="t", body="b")
    authorship.set_links(entry, parts, states)
    return entry


@pytest.fixture
def rowan(enabled: None) -> Part:
    return make("Rowan")


def test_a_part_with_no_rule_is_never_shared(rowan: Part) -> None:
    entry = written_by(rowan)
    assert sharing_rules.rule_for(rowan) == Rule(False, False)
    assert check(entry, True, False) == (
        False,
        "Not shared with circles: the sharing rule of Rowan (who wrote this) does not allow it.",
    )
    assert check(entry, False, True) == (
        False,
        "Not shared with the therapist: the sharing rule of Rowan (who wrote this) "
        "does not allow it.",
    )
    assert check(entry, True, True) == (
        False,
        "Not shared with circles or the therapist: the sharing rule of Rowan (who wrote this) "
        "does not allow it.",
    )


def test_asking_to_share_nowhere_is_always_fine(rowan: Part) -> None:
    assert check(written_by(rowan), False, False) == (True, "")


@pytest.mark.parametrize(("circles", "therapist"), ALL_WAYS)
def test_each_rule_allows_exactly_what_it_says(rowan: Part, circles: bool, therapist: bool) -> None:
    sharing_rules.set_rule(rowan, Rule(circles=circles, therapist=therapist))
    entry = written_by(rowan)
    assert check(entry, True, False)[0] is circles
    assert check(entry, False, True)[0] is therapist
    assert check(entry, True, True)[0] is (circles and therapist)


def test_every_writer_must_allow_it(rowan: Part) -> None:
    sable, wren = make("Sable"), make("Wren")
    sharing_rules.set_rule(rowan, Rule(circles=True, therapist=True))
    sharing_rules.set_rule(sable, Rule(circles=False, therapist=True))
    entry = written_by(rowan, sable, wren)
    ok, why = check(entry, True, True)
    assert not ok
    assert why == (
        "Not shared with circles: the sharing rules of Sable and Wren (who wrote this) "
        "do not allow it. Not shared with the therapist: the sharing rule of Wren "
        "(who wrote this) does not allow it."
    )
    assert check(written_by(rowan, sable), False, True) == (True, "")
    three = written_by(sable, wren, make("Ash"))
    assert "of Sable, Wren and Ash (who wrote this)" in check(three, True, False)[1]


def test_a_part_with_no_name_is_named_by_number(enabled: None) -> None:
    nameless = make("")
    ok, why = check(written_by(nameless), True, False)
    assert not ok and f"the sharing rule of the part with no name (#{nameless.pk})" in why


def test_no_writer_or_only_a_state_has_no_rule_to_keep(rowan: Part) -> None:
    assert check(Entry.objects.create(title="t"), True, True) == (True, "")
    unknown = services.builtin_state("unknown")
    assert check(written_by(states=(unknown,)), True, True) == (True, "")
    assert check(Entry(title="not saved"), True, True) == (True, "")


def test_only_writers_count_not_those_present(rowan: Part) -> None:
    sable = make("Sable")
    entry = written_by(sable)
    sharing_rules.set_rule(sable, Rule(circles=True))
    authorship.set_links(entry, [rowan], role="present")
    assert check(entry, True, False) == (True, "")


def test_checkins_are_checked_the_same_way(rowan: Part) -> None:
    checkin = Checkin.objects.create(instrument="attunement-alliance-v1")
    authorship.set_links(checkin, [rowan])
    assert check(checkin, False, True)[0] is False
    sharing_rules.set_rule(rowan, Rule(therapist=True))
    assert check(checkin, False, True) == (True, "")


def test_archived_and_waiting_parts_keep_their_rules(rowan: Part, clock: FakeClock) -> None:
    entry = written_by(rowan)
    services.archive(rowan, clock())
    assert check(entry, True, False)[0] is False
    services.request_deletion(rowan, clock())
    assert check(entry, True, False)[0] is False


def test_off_means_the_rules_do_not_apply(rowan: Part) -> None:
    entry = written_by(rowan)
    prefs.set_enabled(False)
    for circles, therapist in ALL_WAYS:
        assert check(entry, circles, therapist) == (True, "")
    prefs.set_enabled(True)
    assert check(entry, True, False)[0] is False


def test_rules_follow_the_part_key_and_unreadable_ones_mean_never(rowan: Part) -> None:
    sharing_rules.set_rule(rowan, Rule(circles=True))
    stored = Setting.objects.get(name="parts_sharing").value
    assert stored == {rowan.key: {"circles": True, "therapist": False}}
    for junk in ("yes", {"circles": "true", "therapist": 1}, None, []):
        Setting.objects.filter(name="parts_sharing").update(value={rowan.key: junk})
        assert sharing_rules.rule_for(rowan) == Rule(False, False)
    Setting.objects.filter(name="parts_sharing").update(value=["not", "a", "dict"])
    assert sharing_rules.rule_for(rowan) == Rule(False, False)
    assert check(written_by(rowan), True, False)[0] is False


def test_rules_of_purged_parts_are_dropped_on_the_next_save(
    rowan: Part, clock: FakeClock
) -> None:
    sable = make("Sable")
    sharing_rules.set_rule(sable, Rule(therapist=True))
    services.request_deletion(sable, clock())
    clock.advance(days=30)
    assert services.purge_due(clock()) == 1
    sharing_rules.set_rule(rowan, Rule(circles=True))
    assert set(Setting.objects.get(name="parts_sharing").value) == {rowan.key}


# ---- the part's page and the settings card -------------------------------------------------


def test_the_part_page_sets_the_rule(client: Client, rowan: Part) -> None:
    page = client.get(f"/parts/members/{rowan.pk}/").content.decode()
    assert 'id="share-rule"' in page
    assert "What Rowan writes <strong>is never shared</strong>" in page
    assert 'id="share-circles" name="share_circles" value="1">' in page  # not checked
    r = client.post(f"/parts/members/{rowan.pk}/", {"action": "sharing", "share_therapist": "1"})
    assert r.status_code == 302
    assert sharing_rules.rule_for(rowan) == Rule(circles=False, therapist=True)
    page = client.get(f"/parts/members/{rowan.pk}/").content.decode()
    assert "Sharing rule saved: what Rowan writes may be shared with the therapist, not with "\
        "circles." in page
    assert "<strong>may be shared with the therapist, not with circles</strong>" in page
    assert 'name="share_therapist" value="1" checked' in page
    client.post(f"/parts/members/{rowan.pk}/", {"action": "sharing"})
    assert sharing_rules.rule_for(rowan) == Rule(False, False)
    rowan.refresh_from_db()
    assert rowan.name == "Rowan"  # saving the rule touches nothing else about the part


def test_the_rule_form_is_gone_while_off(client: Client, rowan: Part) -> None:
    prefs.set_enabled(False)
    r = client.post(f"/parts/members/{rowan.pk}/", {"action": "sharing", "share_circles": "1"})
    assert r.status_code == 404
    assert sharing_rules.rule_for(rowan) == Rule(False, False)


def test_the_settings_card_says_the_rules_apply_only_while_on(client: Client) -> None:
    for on in (False, True):
        prefs.set_enabled(on)
        note = client.get("/settings/").content.decode()
        assert 'id="parts-sharing-note"' in note
        assert "The rules apply only while this is on" in note
