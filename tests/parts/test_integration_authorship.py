"""Who wrote an entry or check-in, and who was in a session, through the journal's own pages.

The picker appears on the entry editor, the session forms and the check-in form only
while the feature is on; the entry, session and check-in pages then say who wrote. Off,
every trace goes and saving a form leaves the links as they were.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from attunement.checkins.models import Checkin
from attunement.parts import authorship, fronts, prefs, services
from attunement.parts.models import Authorship, Part
from attunement.record.models import Entry, Session

from .conftest import T0, FakeClock

pytestmark = pytest.mark.django_db
GOOD_CHECKIN = {"bond_grasped": "4", "bond_on_my_side": "5", "task_fit": "3",
                "goal_direction": "4", "tension": "no"}


def make(name: str) -> Part:
    return services.save_part(None, name=name, now=T0)


def checked(html: str) -> set[str]:
    """Picker values checked on a page."""
    return set(re.findall(r'name="who" value="([^"]+)" checked', html))


def offered(html: str) -> set[str]:
    return set(re.findall(r'name="who" value="([^"]+)"', html))


def entry_post(**extra: Any) -> dict[str, Any]:
    return {"title": "After Thursday", "written_at": "2024-05-01T10:00",
            "body": "We sat with the quiet for a while.", "tags_text": "", **extra}


@pytest.fixture
def pair(enabled: None) -> tuple[Part, Part]:
    return make("Rowan"), make("Sable")


# ---- the entry editor ----------------------------------------------------------------------


def test_a_new_entry_starts_with_whoever_is_here(
    client: Client, pair: tuple[Part, Part], clock: FakeClock
) -> None:
    rowan, sable = pair
    fronts.switch([sable], [], now=clock())
    html = client.get("/entries/new").content.decode()
    assert 'name="who_shown" value="1"' in html and "Who is writing" in html
    assert checked(html) == {f"part:{sable.pk}"}
    assert {f"part:{rowan.pk}", f"part:{sable.pk}"} <= offered(html)
    assert any(v.startswith("state:") for v in offered(html))  # "unknown" is always there


def test_nobody_here_means_nothing_checked(client: Client, pair: tuple[Part, Part]) -> None:
    assert checked(client.get("/entries/new").content.decode()) == set()


def test_saving_records_several_writers_and_the_page_says_who(
    client: Client, pair: tuple[Part, Part]
) -> None:
    rowan, sable = pair
    post = entry_post(who_shown="1", who=[f"part:{rowan.pk}", f"part:{sable.pk}"])
    r = client.post("/entries/new", post)
    entry = Entry.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/entries/{entry.pk}/"
    assert [a.part for a in authorship.links(entry, "writing")] == [rowan, sable]
    html = client.get(f"/entries/{entry.pk}/").content.decode()
    line = re.search(r'<p class="muted who-line" id="who-line">(.*?)</p>', html, re.S)
    assert line is not None
    assert "Written by:" in line.group(1) and "Rowan" in line.group(1) and "Sable" in line.group(1)
    # The editor shows the same two checked.
    edit = client.get(f"/entries/{entry.pk}/edit").content.decode()
    assert checked(edit) == {f"part:{rowan.pk}", f"part:{sable.pk}"}


def test_an_edit_does_not_take_the_front_over_the_saved_writers(
    client: Client, pair: tuple[Part, Part], clock: FakeClock
) -> None:
    rowan, sable = pair
    entry = Entry.objects.create(title="Old", body="x")
    authorship.set_links(entry, [rowan])
    fronts.switch([sable], [], now=clock())
    assert checked(client.get(f"/entries/{entry.pk}/edit").content.decode()) == {
        f"part:{rowan.pk}"
    }


def test_an_emptied_picker_clears_and_a_missing_one_keeps(
    client: Client, pair: tuple[Part, Part]
) -> None:
    rowan, _ = pair
    entry = Entry.objects.create(title="Old", body="x")
    authorship.set_links(entry, [rowan])
    client.post(f"/entries/{entry.pk}/edit", entry_post())  # no picker on the form posted
    assert authorship.who_values(entry) == [f"part:{rowan.pk}"]
    client.post(f"/entries/{entry.pk}/edit", entry_post(who_shown="1"))  # shown, none ticked
    assert authorship.who_values(entry) == []


def test_malformed_and_unknown_values_are_ignored(client: Client, pair: tuple[Part, Part]) -> None:
    rowan, _ = pair
    post = entry_post(who_shown="1", who=["part:999999", "part:x", "nobody", f"part:{rowan.pk}"])
    assert client.post("/entries/new", post).status_code == 302
    assert authorship.who_values(Entry.objects.get()) == [f"part:{rowan.pk}"]


def test_a_form_shown_again_after_an_error_keeps_the_choice(
    client: Client, pair: tuple[Part, Part]
) -> None:
    _, sable = pair
    post = entry_post(who_shown="1", who=[f"part:{sable.pk}"], written_at="not a date")
    r = client.post("/entries/new", post)
    assert r.status_code == 200 and not Entry.objects.exists()
    assert checked(r.content.decode()) == {f"part:{sable.pk}"}


def test_an_archived_writer_stays_offered_and_linked(
    client: Client, pair: tuple[Part, Part], clock: FakeClock
) -> None:
    rowan, _ = pair
    entry = Entry.objects.create(title="Old", body="x")
    authorship.set_links(entry, [rowan])
    services.archive(rowan, clock())
    assert f"part:{rowan.pk}" not in offered(client.get("/entries/new").content.decode())
    edit = client.get(f"/entries/{entry.pk}/edit").content.decode()
    assert checked(edit) == {f"part:{rowan.pk}"}
    client.post(f"/entries/{entry.pk}/edit", entry_post(who_shown="1", who=[f"part:{rowan.pk}"]))
    assert authorship.who_values(entry) == [f"part:{rowan.pk}"]


def test_a_writer_waiting_to_be_deleted_keeps_the_link_through_an_edit(
    client: Client, pair: tuple[Part, Part], clock: FakeClock
) -> None:
    rowan, sable = pair
    entry = Entry.objects.create(title="Old", body="x")
    authorship.set_links(entry, [rowan, sable])
    services.request_deletion(rowan, clock())
    edit = client.get(f"/entries/{entry.pk}/edit").content.decode()
    assert f"part:{rowan.pk}" not in offered(edit)
    client.post(f"/entries/{entry.pk}/edit", entry_post(who_shown="1", who=[f"part:{sable.pk}"]))
    assert {a.part for a in authorship.links(entry)} == {rowan, sable}
    services.cancel_deletion(rowan)  # the deletion is called off: its writing is all there
    assert f"part:{rowan.pk}" in checked(client.get(f"/entries/{entry.pk}/edit").content.decode())


def test_a_state_can_be_the_writer(client: Client, pair: tuple[Part, Part]) -> None:
    unknown = services.builtin_state("unknown")
    client.post("/entries/new", entry_post(who_shown="1", who=[f"state:{unknown.pk}"]))
    entry = Entry.objects.get()
    html = client.get(f"/entries/{entry.pk}/").content.decode()
    assert f'data-state="{unknown.pk}">Unknown<' in html


# ---- sessions ------------------------------------------------------------------------------


def session_post(prefix: str = "", **extra: Any) -> dict[str, Any]:
    fields = {"starts_at": "2024-05-02T08:00", "status": "held", "modality": "in_person",
              "duration_minutes": "50", "therapist": "", "note": ""}
    return {f"{prefix}{k}": v for k, v in fields.items()} | extra


def test_a_session_records_who_was_there(client: Client, pair: tuple[Part, Part]) -> None:
    rowan, sable = pair
    listing = client.get("/sessions/").content.decode()
    assert "Who was in the session" in listing and checked(listing) == set()
    r = client.post("/sessions/", session_post("sessions-", who_shown="1",
                                               who=[f"part:{rowan.pk}"]))
    assert r.status_code == 302
    session = Session.objects.get()
    assert [(a.part, a.role) for a in authorship.links(session)] == [(rowan, "present")]
    page = client.get(f"/sessions/{session.pk}/").content.decode()
    assert checked(page) == {f"part:{rowan.pk}"}
    client.post(f"/sessions/{session.pk}/", session_post(who_shown="1",
                                                         who=[f"part:{sable.pk}"]))
    assert [a.part for a in authorship.links(session, "present")] == [sable]


def test_other_record_pages_have_no_picker(client: Client, pair: tuple[Part, Part]) -> None:
    for url in ("/contacts/", "/frame/", "/unsaid/", "/therapists/"):
        assert 'name="who_shown"' not in client.get(url).content.decode(), url


# ---- check-ins -----------------------------------------------------------------------------


def test_a_checkin_records_who_filled_it_in(
    client: Client, pair: tuple[Part, Part], clock: FakeClock
) -> None:
    rowan, sable = pair
    fronts.switch([rowan], [], now=clock())
    form = client.get("/checkins/new").content.decode()
    assert "Who is filling this in" in form and checked(form) == {f"part:{rowan.pk}"}
    r = client.post("/checkins/new", GOOD_CHECKIN | {"who_shown": "1",
                                                      "who": [f"part:{sable.pk}"]})
    assert r.status_code == 302
    checkin = Checkin.objects.get()
    assert [(a.part, a.role) for a in authorship.links(checkin)] == [(sable, "writing")]
    page = client.get(f"/checkins/{checkin.pk}/").content.decode()
    assert "Filled in by:" in page and "Sable" in page and "Rowan" not in page


def test_a_refused_checkin_keeps_the_choice_and_links_nothing(
    client: Client, pair: tuple[Part, Part]
) -> None:
    _, sable = pair
    r = client.post("/checkins/new", GOOD_CHECKIN | {"bond_grasped": "9", "who_shown": "1",
                                                      "who": [f"part:{sable.pk}"]})
    assert b"Some answers need a look" in r.content
    assert checked(r.content.decode()) == {f"part:{sable.pk}"}
    assert not Checkin.objects.exists() and not Authorship.objects.exists()


# ---- the feature off: no trace, nothing lost -----------------------------------------------


def linked_items(rowan: Part) -> tuple[Entry, Session, Checkin]:
    entry = Entry.objects.create(title="Thursday", body="x")
    session = Session.objects.create(starts_at=timezone.now())
    checkin = Checkin.objects.create(instrument="attunement-alliance-v1", alliance=4.0)
    authorship.set_links(entry, [rowan])
    authorship.set_links(session, [rowan], role="present")
    authorship.set_links(checkin, [rowan])
    return entry, session, checkin


def pages(entry: Entry, session: Session, checkin: Checkin) -> list[str]:
    return [f"/entries/{entry.pk}/", f"/entries/{entry.pk}/edit", "/entries/new",
            "/sessions/", f"/sessions/{session.pk}/", "/checkins/new", f"/checkins/{checkin.pk}/"]


def test_off_hides_every_trace_and_saving_loses_nothing(
    client: Client, pair: tuple[Part, Part]
) -> None:
    rowan, _ = pair
    entry, session, checkin = linked_items(rowan)
    prefs.set_enabled(False)
    for url in pages(entry, session, checkin):
        html = client.get(url).content.decode()
        for trace in ("who_shown", 'name="who"', "who-line", "Rowan", "/parts/",
                      "Who is writing", "Who was in the session", "Who is filling this in"):
            assert trace not in html, (url, trace)
    # Saving every form while off (even with picker values smuggled in) changes no link.
    client.post(f"/entries/{entry.pk}/edit", entry_post(who_shown="1"))
    client.post(f"/sessions/{session.pk}/", session_post(who_shown="1"))
    client.post("/checkins/new", GOOD_CHECKIN | {"who_shown": "1", "who": [f"part:{rowan.pk}"]})
    assert Authorship.objects.count() == 3
    assert authorship.who_values(entry) == [f"part:{rowan.pk}"]
    prefs.set_enabled(True)
    for url in (f"/entries/{entry.pk}/", f"/checkins/{checkin.pk}/"):
        assert "Rowan" in client.get(url).content.decode(), url
    assert checked(client.get(f"/sessions/{session.pk}/").content.decode()) == {
        f"part:{rowan.pk}"
    }
