"""The parts pages: hidden while off, every form works, names are escaped, nothing prompts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.test import Client

from attunement.parts import fronts, prefs, services, startup
from attunement.parts.models import FrontEdit, FrontPeriod, FrontState, Part, PartGroup

from .conftest import T0, FakeClock

pytestmark = pytest.mark.django_db
DATA = Path(__file__).resolve().parents[1] / "data" / "plural"
PAGES = [
    "/parts/",
    "/parts/history/",
    "/parts/members/",
    "/parts/groups/",
    "/parts/states/",
    "/parts/import/",
    "/parts/export/",
]
JOURNAL_PAGES = ["/", "/entries/", "/checkins/", "/sessions/", "/settings/", "/import/"]


def make(name: str = "Rowan", **kw: str) -> Part:
    return services.save_part(None, name=name, now=T0, **kw)


@pytest.mark.parametrize("url", PAGES)
def test_every_page_is_missing_while_off(client: Client, url: str) -> None:
    assert client.get(url).status_code == 404


def test_posts_are_refused_while_off(client: Client) -> None:
    part = make()
    assert client.post(f"/parts/members/{part.pk}/", {"action": "delete"}).status_code == 404
    assert client.post("/parts/", {"who": [f"part:{part.pk}"]}).status_code == 404
    part.refresh_from_db()
    assert part.deletion_due_at is None and not FrontPeriod.objects.exists()


@pytest.mark.parametrize("url", JOURNAL_PAGES)
def test_no_trace_on_journal_pages_while_off(client: Client, url: str) -> None:
    make()
    body = client.get(url).content
    if url == "/settings/":
        # Only the switch that turns the feature on; no delay field, nothing else.
        assert body.count(b"/parts/") == 1 and b'action="/parts/settings"' in body
        assert b'id="deletion-delay"' not in body
    else:
        assert b"/parts/" not in body
    assert b'id="nav-parts"' not in body


@pytest.mark.parametrize("url", PAGES)
def test_every_page_renders_when_on(client: Client, enabled: None, url: str) -> None:
    make()
    r = client.get(url)
    assert r.status_code == 200, r.content[:300]


def test_turning_off_hides_everything_and_loses_nothing(client: Client, clock: FakeClock) -> None:
    assert b'id="deletion-delay"' not in client.get("/settings/").content
    r = client.post("/parts/settings", {"enabled": "1"})
    assert r.status_code == 302 and prefs.is_enabled()
    client.post("/parts/members/", {"name": "Rowan", "pronouns": "they/them"})
    rowan = Part.objects.get(name="Rowan")
    client.post("/parts/", {"who": [f"part:{rowan.pk}"], "action": "switch"})
    home = client.get("/").content
    assert b'id="nav-parts"' in home
    client.post("/parts/settings", {})  # the box unticked
    assert not prefs.is_enabled()
    assert b'id="nav-parts"' not in client.get("/").content
    assert client.get("/parts/").status_code == 404
    assert Part.objects.count() == 1 and FrontPeriod.objects.count() == 1
    client.post("/parts/settings", {"enabled": "1"})
    assert b"Rowan" in client.get("/parts/").content


def test_the_empty_pages_do_not_prompt(client: Client, enabled: None) -> None:
    body = client.get("/parts/members/").content.decode()
    assert "No parts are listed." in body
    assert "first part" not in body.lower() and "create" not in body.lower()
    here = client.get("/parts/").content.decode()
    assert "Nobody is recorded as here." in here


def test_adding_and_editing_a_part(client: Client, enabled: None, clock: FakeClock) -> None:
    r = client.post(
        "/parts/members/",
        {"name": "", "colour": "#AA3366", "custom_fields": "Likes: rain\nAge: nine"},
    )
    assert r.status_code == 302
    part = Part.objects.get()
    assert (part.name, part.colour, part.custom_fields) == (
        "",
        "#aa3366",
        {"Likes": "rain", "Age": "nine"},
    )
    r = client.post(
        f"/parts/members/{part.pk}/",
        {"action": "save", "name": "Wren", "custom_fields": "no colon here"},
    )
    assert r.status_code == 400
    assert "Line 1 of the extra fields needs a label, a colon and a value." in r.content.decode()
    part.refresh_from_db()
    assert part.name == ""
    r = client.post(
        f"/parts/members/{part.pk}/", {"action": "save", "name": "Wren", "colour": "red"}
    )
    assert r.status_code == 400 and "A colour is written like #3366cc." in r.content.decode()


def test_archive_request_deletion_and_cancel(
    client: Client, enabled: None, clock: FakeClock
) -> None:
    part = make()
    client.post(f"/parts/members/{part.pk}/", {"action": "archive"})
    part.refresh_from_db()
    assert part.archived_at == T0
    client.post(f"/parts/members/{part.pk}/", {"action": "unarchive"})
    r = client.post(f"/parts/members/{part.pk}/", {"action": "delete"}, follow=True)
    part.refresh_from_db()
    assert part.deletion_due_at == T0 + dt.timedelta(days=7)
    body = r.content.decode()
    assert "Deletion asked for: on 08 May 2024 at 13:00, unless cancelled before." in body
    assert 'id="deletion-pending"' in body
    client.post(f"/parts/members/{part.pk}/", {"action": "cancel_delete"})
    part.refresh_from_db()
    assert part.deletion_due_at is None


def test_a_due_deletion_is_carried_out_on_a_page_load(
    client: Client, enabled: None, clock: FakeClock
) -> None:
    part = make()
    services.request_deletion(part, T0)
    startup.reset()
    clock.advance(days=6)
    client.get("/")
    assert Part.objects.filter(pk=part.pk).exists()
    startup.reset()
    clock.advance(days=1)
    client.get("/entries/")
    assert not Part.objects.filter(pk=part.pk).exists()


def test_the_purge_runs_at_most_once_a_minute(client: Client, clock: FakeClock) -> None:
    part = make()
    services.request_deletion(part, T0)
    startup.reset()
    client.get("/")  # runs now: nothing due yet
    clock.advance(days=8)
    client.get("/")  # within the minute: not run again
    assert Part.objects.filter(pk=part.pk).exists()


def test_settings_shorten_then_lengthen(client: Client, enabled: None, clock: FakeClock) -> None:
    shown = {"enabled": "1", "shown_delay_days": "7"}
    client.post("/parts/settings", {**shown, "deletion_delay_days": "2"})
    stored = prefs.load()
    assert (stored.deletion_delay_days, stored.pending_delay_days) == (7, 2)
    page = client.get("/settings/").content.decode()
    assert (
        "Until 8 May 2024, 13:00 a deletion still waits 7 days; from then on, 2 days. "
        "Setting 7 or more keeps the longer wait."
    ) in page
    assert 'name="deletion_delay_days" min="1" max="365" value="2"' in page
    # Saving the card as shown changes nothing (the wait does not restart).
    clock.advance(days=3)
    client.post(
        "/parts/settings", {"enabled": "1", "shown_delay_days": "2", "deletion_delay_days": "2"}
    )
    assert prefs.load().pending_from == T0 + dt.timedelta(days=7)
    client.post(
        "/parts/settings", {"enabled": "1", "shown_delay_days": "2", "deletion_delay_days": "14"}
    )
    stored = prefs.load()
    assert (stored.deletion_delay_days, stored.pending_delay_days) == (14, None)
    r = client.post("/parts/settings", {**shown, "deletion_delay_days": "soon"}, follow=True)
    assert "The delay must be a whole number of days from 1 to 365." in r.content.decode()
    assert prefs.load().deletion_delay_days == 14


def test_a_shorter_delay_takes_over_when_its_time_comes(
    client: Client, enabled: None, clock: FakeClock
) -> None:
    client.post(
        "/parts/settings", {"enabled": "1", "shown_delay_days": "7", "deletion_delay_days": "1"}
    )
    clock.advance(days=7)
    page = client.get("/settings/").content.decode()
    assert 'id="pending-delay"' not in page and 'value="1"' in page
    assert prefs.load().deletion_delay_days == 1


def test_switch_join_leave_and_backdate(client: Client, enabled: None, clock: FakeClock) -> None:
    rowan, sable = make(), make("Sable")
    unknown = services.builtin_state("unknown")
    client.post("/parts/", {"who": [f"part:{rowan.pk}", f"state:{unknown.pk}"], "action": "switch"})
    clock.advance(hours=1)
    client.post("/parts/", {"who": [f"part:{sable.pk}"], "action": "join"})
    page = client.get("/parts/").content.decode()
    assert page.count('id="open-') == 2
    clock.advance(hours=1)
    client.post("/parts/leave", {"who": f"part:{rowan.pk}"})
    # Rowan left; "unknown", recorded with Rowan, stays on in a period of its own.
    now_here = [(list(f.parts.all()), list(f.states.all())) for f in fronts.open_periods(clock())]
    assert now_here == [([sable], []), ([], [unknown])]
    # Backdate: "at 14:30 local (13:30 UTC) it was Rowan".
    r = client.post("/parts/", {"who": [f"part:{rowan.pk}"], "at": "2024-05-01T14:30"})
    assert r.status_code == 302
    back = FrontPeriod.objects.get(started_at=T0 + dt.timedelta(minutes=90))
    assert list(back.parts.all()) == [rowan]
    assert FrontEdit.objects.filter(period=back, action="backdated").exists()


def test_switch_errors_are_shown_and_nothing_changes(
    client: Client, enabled: None, clock: FakeClock
) -> None:
    r = client.post("/parts/", {"action": "switch"})
    assert r.status_code == 400
    assert "Choose at least one part or state" in r.content.decode()
    r = client.post("/parts/", {"who": [f"part:{make().pk}"], "at": "next week"})
    assert (
        r.status_code == 400
        and "The time &#x27;next week&#x27; is not a date and time." in r.content.decode()
    )
    assert not FrontPeriod.objects.exists()


def test_correcting_and_removing_a_period(client: Client, enabled: None, clock: FakeClock) -> None:
    rowan, sable = make(), make("Sable")
    period = fronts.switch([rowan], now=T0)
    clock.advance(hours=2)
    r = client.post(
        f"/parts/front/{period.pk}/",
        {
            "started_at": "2024-05-01T12:00",
            "ended_at": "2024-05-01T13:30",
            "who": [f"part:{sable.pk}"],
            "note": "It was Sable",
            "reason": "remembered",
        },
    )
    assert r.status_code == 302
    period.refresh_from_db()
    assert (period.started_at, period.ended_at) == (
        T0 - dt.timedelta(hours=1),
        T0 + dt.timedelta(minutes=30),
    )
    history = client.get("/parts/history/").content.decode()
    assert "Corrected" in history and "remembered" in history and "was Rowan" in history
    client.post(f"/parts/front/{period.pk}/", {"action": "remove"})
    assert not FrontPeriod.objects.exists()


def test_history_filters_by_part(client: Client, enabled: None, clock: FakeClock) -> None:
    rowan, sable = make(), make("Sable")
    fronts.switch([rowan], now=T0 - dt.timedelta(hours=3))
    fronts.switch([sable], now=T0 - dt.timedelta(hours=1))
    body = client.get(f"/parts/history/?days=1&part={rowan.pk}").content.decode()
    assert body.count('data-part="') == 1 and f'data-part="{rowan.pk}"' in body
    assert "Rowan: 2.0 h" in body and "Sable: 1.0 h" in body


def test_groups_and_states(client: Client, enabled: None, clock: FakeClock) -> None:
    rowan = make()
    client.post("/parts/groups/", {"name": "Hosts", "members": [str(rowan.pk)]})
    group = PartGroup.objects.get()
    assert list(group.members.all()) == [rowan]
    client.post(f"/parts/groups/{group.pk}/", {"action": "delete"})
    assert not PartGroup.objects.exists() and Part.objects.filter(pk=rowan.pk).exists()
    client.post("/parts/states/", {"name": "Far away"})
    state = FrontState.objects.get(name="Far away")
    client.post("/parts/states/", {"state": str(state.pk), "action": "archive"})
    state.refresh_from_db()
    assert state.archived_at == T0
    r = client.post("/parts/states/", {"name": " "})
    assert r.status_code == 400


def test_import_page_good_and_bad_files(client: Client, enabled: None, clock: FakeClock) -> None:
    with (DATA / "pluralkit-bad-references.json").open("rb") as fh:
        r = client.post("/parts/import/", {"format": "auto", "file": fh})
    assert r.status_code == 400
    body = r.content.decode()
    assert "Nothing was imported." in body
    assert "switches[1].members: It names members not in the file: &#x27;yyyyy&#x27;." in body
    assert not Part.objects.exists()
    with (DATA / "simplyplural-export.json").open("rb") as fh:
        r = client.post("/parts/import/", {"format": "auto", "file": fh}, follow=True)
    assert (
        "Imported 3 parts, 2 front states, 1 group, 3 front periods, 1 note." in r.content.decode()
    )
    r = client.get("/parts/export/")
    assert (
        r["Content-Disposition"]
        == 'attachment; filename="attunement-parts-2024-05-01.pluralport.json"'
    )
    assert b'"pluralport_version": "0.1"' in r.content


def test_hostile_names_are_escaped(client: Client, enabled: None, clock: FakeClock) -> None:
    with (DATA / "hostile-names.json").open("rb") as fh:
        client.post("/parts/import/", {"format": "pluralkit", "file": fh})
    for url in ("/parts/", "/parts/members/", "/parts/history/?days=365"):
        body = client.get(url).content.decode()
        assert "<script>alert" not in body, url
        assert "&lt;script&gt;alert(&#x27;part&#x27;)&lt;/script&gt;" in body, url
    member = Part.objects.get(name__startswith="\u202e")
    body = client.get(f"/parts/members/{member.pk}/").content.decode()
    assert "<b>bold</b>" not in body
