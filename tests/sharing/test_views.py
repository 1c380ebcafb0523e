"""The pages: connect, the Share panel, preview and confirm, states, retry, check-ins, notes."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client

from attunement.checkins.models import Checkin
from attunement.checkins.services import record_checkin
from attunement.record.models import Entry, Unsaid
from attunement.sharing import payloads, texts
from attunement.sharing.models import Connection, OutboxItem, Share
from tests.sharing.fake_server import GOOD_CODE, FakeCircle, error

pytestmark = pytest.mark.django_db
ANSWERS = {"bond_grasped": "4", "bond_on_my_side": "5", "task_fit": "3", "goal_direction": "4",
           "tension": "yes", "tension_strength": "4", "tension_resolved": "2"}


def messages_of(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(m) for m in response.context["messages"]] if response.context else []


def follow_messages(client: Client, response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 302, response.content[:500]
    page = client.get(response["Location"])
    return [str(m) for m in page.context["messages"]]


# --- connecting ---------------------------------------------------------------------


def test_not_connected_page_explains_and_offers_the_form(client: Client) -> None:
    page = client.get("/sharing/").content.decode()
    assert "nothing leaves this computer" in page
    assert 'name="link"' in page and 'name="device_name"' in page


def test_settings_links_to_sharing(client: Client) -> None:
    assert 'href="/sharing/"' in client.get("/settings/").content.decode()


@pytest.mark.parametrize(("link", "message"), [
    ("", texts.LINK_EMPTY),
    ("not a link", texts.LINK_MALFORMED),
    ("http://circle.example/connect/abcdefgh123", texts.LINK_INSECURE),
    ("https://circle.example/" + "x" * 2100 + "/connect/abcdefgh123", texts.LINK_MALFORMED),
])
def test_bad_links_on_the_page(client: Client, link: str, message: str) -> None:
    r = client.post("/sharing/connect", {"link": link, "device_name": ""})
    assert r.status_code == 400
    assert r.context["error"] == message
    assert not Connection.objects.exists()


def test_connect_on_the_page_then_see_account_and_circles(client: Client,
                                                          fake: FakeCircle) -> None:
    r = client.post("/sharing/connect", {"link": f"{fake.url}/connect/{GOOD_CODE}",
                                         "device_name": "Laptop journal"})
    assert follow_messages(client, r) == ["Connected to Test circle as Lantern."]
    page = client.get("/sharing/").content.decode()
    assert "<strong>Lantern</strong>" in page and "<strong>Test circle</strong>" in page
    assert "Evening circle" in page and "you and your therapist" in page
    assert "you are a member here: you read, you do not share into it" in page
    assert "Nothing is shared: every entry is private." in page


def test_a_long_journal_name_is_cut_to_80_characters(client: Client, fake: FakeCircle) -> None:
    client.post("/sharing/connect", {"link": f"{fake.url}/connect/{GOOD_CODE}",
                                     "device_name": "n" * 200})
    assert Connection.objects.get().device_name == "n" * 79 + "…"
    assert fake.requests[0]["body"]["device_name"] == "n" * 79 + "…"


def test_a_used_link_on_the_page(client: Client, fake: FakeCircle) -> None:
    r = client.post("/sharing/connect", {"link": f"{fake.url}/connect/spent-code-0000"})
    assert r.status_code == 400
    assert r.context["error"] == ("The circle server refused the link: This connection link "
                                  "was already used. Nothing was saved.")
    assert 'id="sharing-error"' in r.content.decode()


def test_refresh_and_disconnect_on_the_page(client: Client, connected: Connection,
                                            fake: FakeCircle) -> None:
    assert follow_messages(client, client.post("/sharing/refresh")) == [texts.REFRESHED]
    fake.then(503, raw=b"", path="/me$")
    assert follow_messages(client, client.post("/sharing/refresh")) == [
        "Could not load your circles: the server had a problem (HTTP 503)."]
    msgs = follow_messages(client, client.post("/sharing/disconnect"))
    assert msgs[0].startswith("Disconnected: this journal forgot its token")
    assert not Connection.objects.exists()
    assert follow_messages(client, client.post("/sharing/disconnect")) == [texts.NOT_CONNECTED]


# --- the Share panel ----------------------------------------------------------------------


def test_entry_panel_when_not_connected(client: Client, entry: Entry) -> None:
    page = client.get(f"/entries/{entry.pk}/").content.decode()
    assert "Private: only you can read this entry. To share entries" in page
    assert "sharing/entries" not in page


def test_entry_panel_offers_only_circles_the_writer_owns(client: Client, connected: Connection,
                                                         entry: Entry) -> None:
    page = client.get(f"/entries/{entry.pk}/").content.decode()
    assert 'id="share-state">Private: only you can read this entry.' in page
    assert re.findall(r'name="circles" value="(\d+)"', page) == ["11", "12"]
    assert "With my therapist (my therapist)" in page
    assert f'action="/sharing/entries/{entry.pk}/preview"' in page


def preview(client: Client, entry: Entry, **fields: object):  # type: ignore[no-untyped-def]
    data = {"circles": ["11"], "mode": "whole", "excerpt": ""} | fields
    return client.post(f"/sharing/entries/{entry.pk}/preview", data)


def test_preview_shows_exactly_what_leaves(client: Client, connected: Connection,
                                           entry: Entry) -> None:
    r = preview(client, entry, circles=["11", "12"])
    page = r.content.decode()
    assert r.status_code == 200
    assert 'id="preview-title">After Tuesday</dd>' in page
    assert f'id="preview-date">{payloads.iso(entry.written_at)}</dd>' in page
    assert ('id="preview-body" style="white-space: pre-wrap">I could not say it in the room.'
            "\n\nLater, on the bus, the words came.</div>") in page
    assert "To: <strong>Evening circle, With my therapist (my therapist)</strong>" in page
    assert "private-tag" not in page  # tags never leave
    assert "Not sent: markers and readings, tags" in page
    assert not OutboxItem.objects.exists()  # nothing is queued by a preview


def test_preview_of_an_excerpt(client: Client, connected: Connection, entry: Entry) -> None:
    page = preview(client, entry, mode="excerpt", excerpt="Later, on the bus.").content.decode()
    assert 'style="white-space: pre-wrap">Later, on the bus.</div>' in page
    assert "I could not say it in the room" not in page
    assert '<input type="hidden" name="excerpt" value="Later, on the bus.">' in page


@pytest.mark.parametrize(("fields", "message"), [
    ({"circles": []}, "Choose at least one circle, or your therapist."),
    ({"circles": ["13"]}, "Select a valid choice. 13 is not one of the available choices."),
    ({"mode": "excerpt", "excerpt": "   "}, texts.EXCERPT_EMPTY),
])
def test_preview_refusals(client: Client, connected: Connection, entry: Entry,
                          fields: dict, message: str) -> None:
    r = preview(client, entry, **fields)
    assert r.status_code == 400
    assert message in r.content.decode()
    assert not OutboxItem.objects.exists()


def confirm(client: Client, entry: Entry, **fields: object):  # type: ignore[no-untyped-def]
    page = preview(client, entry, **fields).content.decode()
    digest = re.search(r'name="digest" value="([0-9a-f]{64})"', page)
    assert digest, page
    data = {"circles": fields.get("circles", ["11"]), "mode": fields.get("mode", "whole"),
            "digest": digest.group(1)}
    if fields.get("mode") == "excerpt":
        data["excerpt"] = fields["excerpt"]
    return client.post(f"/sharing/entries/{entry.pk}/confirm", data)


def test_confirm_queues_then_send_now_shares(client: Client, connected: Connection,
                                             fake: FakeCircle, entry: Entry) -> None:
    r = confirm(client, entry)
    assert follow_messages(client, r) == ["Queued: the entry is waiting to send to Evening circle."]
    page = client.get(f"/entries/{entry.pk}/").content.decode()
    assert 'data-state="waiting">waiting to send</span>' in page
    r = client.post("/sharing/send", {"next": f"/entries/{entry.pk}/"})
    assert r["Location"] == f"/entries/{entry.pk}/"
    assert follow_messages(client, r) == [
        "Sent 1; 0 waiting; 0 failed. 0 new or changed comments."]
    page = client.get(f"/entries/{entry.pk}/").content.decode()
    assert 'id="share-state">Shared with Evening circle.</p>' in page
    assert '<li id="share-c11" data-state="shared">Evening circle: <span' in page
    assert 'data-state="shared">shared</span>' in page
    assert f'href="{fake.url}/posts/1/"' in page
    listing = client.get("/sharing/").content.decode()
    assert f'id="item-entry-{entry.pk}.c11" data-state="shared"' in listing


def test_two_circles_two_posts_each_with_its_state(client: Client, connected: Connection,
                                                   fake: FakeCircle, entry: Entry) -> None:
    page = preview(client, entry, circles=["11", "12"]).content.decode()
    assert ('id="one-post-per-circle">Each of them gets its own copy with its own '
            "conversation: people in one circle never see another circle's comments.") in page
    r = confirm(client, entry, circles=["11", "12"])
    assert follow_messages(client, r) == [
        "Queued: the entry is waiting to send to Evening circle and With my therapist."]
    client.post("/sharing/send")
    page = client.get(f"/entries/{entry.pk}/").content.decode()
    assert 'id="share-state">Shared with Evening circle and With my therapist.</p>' in page
    assert '<li id="share-c11" data-state="shared">Evening circle: <span' in page
    assert ('<li id="share-c12" data-state="shared">With my therapist (your therapist): '
            "<span") in page
    assert re.findall(r'name="circles" value="(\d+)" [^>]*checked', page) == ["11", "12"]
    confirm(client, entry, circles=["12"])  # the evening circle is dropped
    page = client.get(f"/entries/{entry.pk}/").content.decode()
    assert 'id="share-state">Shared with With my therapist.</p>' in page
    assert ('<li id="share-c11" data-state="waiting">Evening circle <span class="muted">'
            "(no longer shared)</span>: <span") in page
    assert 'data-state="waiting">removing: waiting to send</span>' in page
    client.post("/sharing/send")
    assert list(fake.items) == [("posts", f"entry-{entry.pk}.c12")]
    assert 'id="share-c11"' not in client.get(f"/entries/{entry.pk}/").content.decode()


def test_disconnect_on_the_page_with_a_removal_that_cannot_be_sent(
    client: Client, connected: Connection, fake: FakeCircle, entry: Entry, closed_url: str
) -> None:
    confirm(client, entry)
    client.post("/sharing/send")
    client.post(f"/sharing/entries/{entry.pk}/unshare")
    connected.server_url = closed_url
    connected.save()
    page = client.get("/sharing/").content.decode()
    assert "<li>Entry: After Tuesday (Evening circle)</li>" in page
    assert 'name="force" value="1" id="disconnect-force"' in page
    assert follow_messages(client, client.post("/sharing/disconnect")) == [
        "Some items you stopped sharing are not yet removed from the server: connect to the "
        "network and press Send now first, or remove them on the server. Not yet removed: "
        "Entry: After Tuesday (Evening circle)."]
    assert Connection.objects.exists()
    msgs = follow_messages(client, client.post("/sharing/disconnect", {"force": "1"}))
    assert msgs[0].startswith("Disconnected: this journal forgot its token")
    assert ("Still on the server (remove them there yourself): Entry: After Tuesday "
            "(Evening circle).") in msgs[0]
    assert not Connection.objects.exists()


def test_confirm_of_a_changed_entry_shows_the_preview_again(client: Client,
                                                            connected: Connection,
                                                            entry: Entry) -> None:
    r = client.post(f"/sharing/entries/{entry.pk}/confirm",
                    {"circles": ["11"], "mode": "whole", "digest": "0" * 64})
    page = r.content.decode()
    assert r.status_code == 200 and texts.CHANGED_SINCE_PREVIEW in page
    assert 'id="changed-note"' in page and not OutboxItem.objects.exists()


def test_send_now_never_follows_an_offsite_next(client: Client, connected: Connection) -> None:
    r = client.post("/sharing/send", {"next": "https://evil.example/"})
    assert r["Location"] == "/sharing/"


def test_a_refusal_is_shown_with_retry_now(client: Client, connected: Connection,
                                           fake: FakeCircle, entry: Entry) -> None:
    confirm(client, entry)
    fake.then(400, error("invalid", "That circle was deleted."), path="posts")
    client.post("/sharing/send")
    page = client.get(f"/entries/{entry.pk}/").content.decode()
    assert 'data-state="failed">failed: server refused: That circle was deleted.</span>' in page
    item = OutboxItem.objects.get()
    assert f'action="/sharing/outbox/{item.pk}/retry"' in page
    listing = client.get("/sharing/").content.decode()
    assert "failed: server refused: That circle was deleted." in listing
    r = client.post(f"/sharing/outbox/{item.pk}/retry", {"next": f"/entries/{entry.pk}/"})
    assert follow_messages(client, r) == [
        texts.RETRY_QUEUED, "Sent 1; 0 waiting; 0 failed. 0 new or changed comments."]
    assert not OutboxItem.objects.exists()


def test_unreachable_is_shown_with_the_retry_time(client: Client, connected: Connection,
                                                  closed_url: str, entry: Entry) -> None:
    connected.server_url = closed_url
    connected.save()
    confirm(client, entry)
    client.post("/sharing/send")
    page = client.get(f"/entries/{entry.pk}/").content.decode()
    found = re.search(r'data-state="waiting">waiting to send — failed: server unreachable, '
                      r"will retry at (\d\d:\d\d)</span>", page)
    assert found, page
    assert client.post("/sharing/outbox/999/retry").status_code == 404


def test_unshare_on_the_page(client: Client, connected: Connection, fake: FakeCircle,
                             entry: Entry) -> None:
    confirm(client, entry)
    client.post("/sharing/send")
    r = client.post(f"/sharing/entries/{entry.pk}/unshare")
    assert follow_messages(client, r)[-1] == texts.UNSHARED
    page = client.get(f"/entries/{entry.pk}/").content.decode()
    assert 'data-state="waiting">removing: waiting to send</span>' in page
    client.post("/sharing/send")
    assert ("posts", f"entry-{entry.pk}.c11") not in fake.items


def test_editing_on_the_page_resends_and_deleting_unpublishes(
    client: Client, connected: Connection, fake: FakeCircle, entry: Entry,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    confirm(client, entry)
    client.post("/sharing/send")
    with django_capture_on_commit_callbacks(execute=True):  # the re-send waits for the commit
        r = client.post(f"/entries/{entry.pk}/edit", {
            "title": "After Tuesday", "written_at": "2026-03-02T19:30",
            "body": "New words for the circle.", "tags_text": "private-tag"})
    assert r.status_code == 302
    assert OutboxItem.objects.get().payload["body"] == "New words for the circle."
    client.post("/sharing/send")
    assert fake.items[("posts", f"entry-{entry.pk}.c11")]["body"] == "New words for the circle."
    client.post(f"/entries/{entry.pk}/delete")
    assert not Entry.objects.exists()
    assert [(i.op, i.local_id) for i in OutboxItem.objects.all()] == [
        ("delete", f"entry-{entry.pk}.c11")]
    assert "(deleted entry)" in client.get("/sharing/").content.decode()


def test_pages_that_need_a_connection_say_so(client: Client, entry: Entry) -> None:
    for path in (f"/sharing/entries/{entry.pk}/preview", f"/sharing/entries/{entry.pk}/confirm",
                 "/sharing/auto", "/sharing/refresh"):
        assert follow_messages(client, client.post(path, {})) == [texts.NOT_CONNECTED], path
    assert client.get(f"/sharing/entries/{entry.pk}/")["Location"] == "/sharing/"


def test_share_page_of_its_own(client: Client, connected: Connection, entry: Entry) -> None:
    page = client.get(f"/sharing/entries/{entry.pk}/").content.decode()
    assert "Share “After Tuesday”" in page and 'name="circles"' in page
    assert client.get("/sharing/entries/9999/").status_code == 404


# --- check-ins and notes -----------------------------------------------------------------


def test_checkin_page_share_button(client: Client, connected: Connection,
                                   fake: FakeCircle) -> None:
    checkin = record_checkin("attunement-alliance-v1", {"bond_grasped": 4, "bond_on_my_side": 5,
                                                        "task_fit": 3, "goal_direction": 4,
                                                        "tension": False})
    page = client.get(f"/checkins/{checkin.pk}/").content.decode()
    assert "Sharing sends the answers above, the scores, the tension answers and the note" in page
    r = client.post(f"/sharing/checkins/{checkin.pk}/share")
    assert follow_messages(client, r) == [
        "Queued: this check-in is waiting to send to your therapist (With my therapist)."]
    client.post("/sharing/send")
    page = client.get(f"/checkins/{checkin.pk}/").content.decode()
    assert 'Shared with your therapist: <span class="share-state shared"' in page
    assert follow_messages(client, client.post(f"/sharing/checkins/{checkin.pk}/unshare")) == [
        texts.UNSHARED]
    client.post("/sharing/send")
    assert ("checkins", f"checkin-{checkin.pk}") not in fake.items


def test_checkin_page_when_not_connected(client: Client) -> None:
    checkin = record_checkin("attunement-pre-v1", {"connected": 2})
    page = client.get(f"/checkins/{checkin.pk}/").content.decode()
    assert "Private. To share check-ins with your therapist" in page


def test_checkin_page_without_a_therapy_circle(client: Client, connected: Connection) -> None:
    connected.circles = [c for c in connected.circles if c["kind"] != "therapy"]
    connected.save()
    checkin = record_checkin("attunement-pre-v1", {"connected": 2})
    page = client.get(f"/checkins/{checkin.pk}/").content.decode()
    assert "make a therapy circle on the circle server" in page
    assert follow_messages(client, client.post(f"/sharing/checkins/{checkin.pk}/share")) == [
        texts.NO_THERAPY_CIRCLE]


def test_auto_share_after_each_checkin(client: Client, connected: Connection) -> None:
    r = client.post("/sharing/auto", {"auto_share": "on", "therapy_circle": "12"})
    assert follow_messages(client, r) == [
        "Each new check-in will be sent to your therapist (With my therapist)."]
    r = client.post("/checkins/new", ANSWERS)
    assert follow_messages(client, r) == [
        "Thank you. Your check-in is saved. It is queued for your therapist (With my therapist)."]
    checkin = Checkin.objects.get()
    item = OutboxItem.objects.get()
    assert (item.endpoint, item.local_id, item.payload["tension"]) == (
        "checkins", f"checkin-{checkin.pk}", True)
    r = client.post("/sharing/auto", {"therapy_circle": "12"})
    assert follow_messages(client, r) == [texts.AUTO_SHARE_OFF]
    client.post("/checkins/new", ANSWERS)
    assert OutboxItem.objects.count() == 1


def test_auto_share_refuses_a_circle_that_is_not_a_therapy_circle(client: Client,
                                                                   connected: Connection) -> None:
    r = client.post("/sharing/auto", {"auto_share": "on", "therapy_circle": "11"})
    assert follow_messages(client, r) == [texts.CIRCLE_NOT_YOURS]


def test_checkins_are_not_shared_without_the_setting(client: Client,
                                                     connected: Connection) -> None:
    r = client.post("/checkins/new", ANSWERS)
    assert follow_messages(client, r) == ["Thank you. Your check-in is saved."]
    assert not OutboxItem.objects.exists()


def test_deleting_a_shared_checkin_removes_it_from_the_server(client: Client,
                                                              connected: Connection) -> None:
    checkin = record_checkin("attunement-pre-v1", {"connected": 2})
    client.post(f"/sharing/checkins/{checkin.pk}/share")
    client.post("/sharing/send")
    client.post(f"/checkins/{checkin.pk}/", {"delete": "1"})
    assert [(i.op, i.local_id) for i in OutboxItem.objects.all()] == [
        ("delete", f"checkin-{checkin.pk}")]


def test_notes_for_the_next_session(client: Client, connected: Connection,
                                    fake: FakeCircle) -> None:
    note = Unsaid.objects.create(text="The new time does not suit me.")
    page = client.get("/unsaid/").content.decode()
    assert f'action="/sharing/notes/{note.pk}/share"' in page and "Send to my therapist" in page
    r = client.post(f"/sharing/notes/{note.pk}/share", {"next": "/unsaid/"})
    assert r["Location"] == "/unsaid/"
    assert follow_messages(client, r) == [
        "Queued: this note is waiting to send to your therapist (With my therapist)."]
    client.post("/sharing/send")
    assert fake.items[("notes", f"unsaid-{note.pk}")]["text"] == "The new time does not suit me."
    # Editing the note re-sends it; ticking it off (brought up) does not.
    client.post(f"/unsaid/{note.pk}/", {"text": "The new time really does not suit me."})
    assert OutboxItem.objects.get().payload["text"] == "The new time really does not suit me."
    client.post("/sharing/send")
    r = client.post(f"/unsaid/{note.pk}/toggle", HTTP_HX_REQUEST="true")
    assert "sent to my therapist" in r.content.decode()
    assert not OutboxItem.objects.exists()
    client.post(f"/sharing/notes/{note.pk}/unshare", {"next": "/unsaid/"})
    client.post("/sharing/send")
    assert ("notes", f"unsaid-{note.pk}") not in fake.items


def test_note_buttons_are_absent_when_not_connected(client: Client) -> None:
    Unsaid.objects.create(text="Something.")
    page = client.get("/unsaid/").content.decode()
    assert "Send to my therapist" not in page


def test_an_overlong_note_is_refused(client: Client, connected: Connection) -> None:
    note = Unsaid.objects.create(text="x" * 300_000)
    r = client.post(f"/sharing/notes/{note.pk}/share")
    assert follow_messages(client, r) == [
        "This is too long to share (293 KB; the limit is 248 KB). Share an excerpt instead."]
    assert not Share.objects.exists()


def test_a_refused_token_offers_to_connect_again(client: Client, connected: Connection,
                                                 fake: FakeCircle) -> None:
    fake.tokens.clear()
    client.post("/sharing/refresh")
    page = html.unescape(client.get("/sharing/").content.decode())
    assert ("The circle server no longer accepts this journal (This journal's token was "
            "revoked.). Make a new connection link on the server and paste it below") in page
    assert 'id="reconnect"' in page and 'value="My journal"' in page
    fake.codes.add("second-code-12345")
    r = client.post("/sharing/connect", {"link": f"{fake.url}/connect/second-code-12345",
                                         "device_name": "Laptop"})
    assert follow_messages(client, r) == [
        "Connected again to Test circle as Lantern. What was waiting will be sent."]
    assert 'id="reconnect"' not in client.get("/sharing/").content.decode()


def test_entry_panel_without_circles_says_what_to_do(client: Client, connected: Connection,
                                                     entry: Entry) -> None:
    connected.circles = []
    connected.save()
    page = client.get(f"/entries/{entry.pk}/").content.decode()
    assert 'id="no-circles">You have no circle to share into yet' in page
    assert "Preview what will be sent" not in page
