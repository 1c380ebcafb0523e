"""Check-ins through the page: scored per item and as totals; bad answers keep nothing."""

from __future__ import annotations

import pytest

from attunement.checkins.models import Checkin, CheckinItemScore
from tests.conftest import unlocked_client

pytestmark = pytest.mark.django_db

GOOD = {"bond_grasped": "4", "bond_on_my_side": "5", "task_fit": "3", "goal_direction": "4",
        "tension": "yes", "tension_strength": "3", "tension_resolved": "2"}


def test_a_checkin_is_stored_per_item_and_as_totals(journal_home) -> None:  # type: ignore[no-untyped-def]
    r = unlocked_client().post("/checkins/new", GOOD)
    assert r.status_code == 302
    c = Checkin.objects.get()
    assert c.answers["bond_grasped"] == 4 and c.answers["tension"] is True
    assert c.alliance == pytest.approx(4.0)
    assert (c.tension, c.tension_intensity, c.tension_resolved) == (True, 3, 2)
    items = dict(CheckinItemScore.objects.values_list("item", "value"))
    assert items["task_fit"] == 3.0 and items["bond_on_my_side"] == 5.0


def test_follow_ups_are_ignored_without_tension(journal_home) -> None:  # type: ignore[no-untyped-def]
    data = GOOD | {"tension": "no"}
    unlocked_client().post("/checkins/new", data)
    c = Checkin.objects.get()
    assert c.tension is False and c.tension_intensity is None


def test_out_of_range_answer_is_refused_and_nothing_saved(journal_home) -> None:  # type: ignore[no-untyped-def]
    r = unlocked_client().post("/checkins/new", GOOD | {"bond_grasped": "9"})
    assert r.status_code == 200
    assert b"Some answers need a look" in r.content
    assert Checkin.objects.count() == 0


def test_missing_required_answer_is_refused(journal_home) -> None:  # type: ignore[no-untyped-def]
    data = {k: v for k, v in GOOD.items() if k != "task_fit"}
    r = unlocked_client().post("/checkins/new", data)
    assert b"Some answers need a look" in r.content
    assert Checkin.objects.count() == 0


def test_the_form_works_on_a_phone(journal_home) -> None:  # type: ignore[no-untyped-def]
    page = unlocked_client().get("/checkins/new").content.decode()
    assert 'name="viewport" content="width=device-width' in page
    assert page.count('type="radio"') >= 4 * 5 + 2
    assert 'data-show-if="tension"' in page


def test_pre_session_form(journal_home) -> None:  # type: ignore[no-untyped-def]
    r = unlocked_client().post("/checkins/new/attunement-pre-v1", {"connected": "2"})
    assert r.status_code == 302
    assert Checkin.objects.get().timing == "pre"


def test_unknown_instrument_has_a_message(journal_home) -> None:  # type: ignore[no-untyped-def]
    r = unlocked_client().get("/checkins/new/no-such-form", follow=True)
    assert b"could not be loaded" in r.content
