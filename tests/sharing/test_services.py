"""Connecting, choosing an audience, unsharing and syncing, against the fake server."""

from __future__ import annotations

import pytest
from django.utils import timezone

from attunement.checkins.services import record_checkin
from attunement.record.models import Entry, Unsaid
from attunement.sharing import client as client_mod
from attunement.sharing import payloads, services, texts
from attunement.sharing.models import Connection, OutboxItem, SentPost, Share
from attunement.sharing.services import EntryChoice, SharingError
from attunement.sharing.state import state_of
from attunement.store import keyring
from tests.sharing.fake_server import CIRCLES, GOOD_CODE, TOKEN, FakeCircle, error

pytestmark = pytest.mark.django_db
ANSWERS = {"bond_grasped": 4, "bond_on_my_side": 5, "task_fit": 3, "goal_direction": 4,
           "tension": True, "tension_strength": 4, "tension_resolved": 2}


# --- connecting ---------------------------------------------------------------------


def test_connect_stores_the_token_and_the_circles(fake: FakeCircle) -> None:
    conn, message = services.connect(f"{fake.url}/connect/{GOOD_CODE}", "Laptop journal")
    assert message == "Connected to Test circle as Lantern."
    assert (conn.server_url, conn.token, conn.device_name) == (fake.url, TOKEN, "Laptop journal")
    assert [c["id"] for c in conn.owned_circles()] == [11, 12]
    assert conn.therapy_circle() == {"id": 12, "name": "With my therapist", "kind": "therapy",
                                     "role": "owner"}
    assert fake.paths() == ["POST /api/v1/connect", "GET /api/v1/me"]


def test_a_used_code_is_refused_with_the_servers_words_and_nothing_stored(
    fake: FakeCircle,
) -> None:
    with pytest.raises(SharingError) as exc:
        services.connect(f"{fake.url}/connect/used-code-000000")
    assert exc.value.message == (
        "The circle server refused the link: This connection link was already used. "
        "Nothing was saved.")
    assert not Connection.objects.exists()


def test_an_unreachable_server_is_said_plainly_and_nothing_stored(closed_url: str) -> None:
    host = closed_url.removeprefix("http://")
    with pytest.raises(SharingError) as exc:
        services.connect(f"{closed_url}/connect/{GOOD_CODE}")
    assert exc.value.message == (
        f"Could not reach {host}: connection refused. Check the link and your connection, "
        "then try again. Nothing was saved.")
    assert not Connection.objects.exists()


def test_a_server_error_on_connect(fake: FakeCircle) -> None:
    fake.then(502, raw=b"bad gateway")
    host = fake.url.removeprefix("http://")
    with pytest.raises(SharingError) as exc:
        services.connect(f"{fake.url}/connect/{GOOD_CODE}")
    assert exc.value.message == (
        f"Could not reach {host}: the server had a problem (HTTP 502). Check the link and "
        "your connection, then try again. Nothing was saved.")


@pytest.mark.parametrize(("status", "raw", "why"), [
    (404, b"<html>not found</html>", "HTTP 404"),
    (200, b"<html>hello</html>", "the server's answer was not understood"),
    (201, b'{"user": {"id": 1}}', "no token"),
])
def test_something_that_is_not_a_circle_server(fake: FakeCircle, status: int, raw: bytes,
                                                 why: str) -> None:
    fake.then(status, raw=raw)
    host = fake.url.removeprefix("http://")
    with pytest.raises(SharingError) as exc:
        services.connect(f"{fake.url}/connect/{GOOD_CODE}")
    assert exc.value.message == (
        f"{host} answered, but not like a circle server: {why}. Check the link. "
        "Nothing was saved.")
    assert not Connection.objects.exists()


def test_connected_but_circles_not_loaded_keeps_the_token(fake: FakeCircle) -> None:
    fake.then(503, raw=b"", path="/me$")
    conn, message = services.connect(f"{fake.url}/connect/{GOOD_CODE}")
    assert message == (
        "Connected to Test circle as Lantern, but your circles could not be loaded: the "
        "server had a problem (HTTP 503). Use \"Refresh\" in a moment.")
    assert conn.token == TOKEN and conn.circles == []


def test_connecting_twice_is_refused(connected: Connection, fake: FakeCircle) -> None:
    with pytest.raises(SharingError) as exc:
        services.connect(f"{fake.url}/connect/{GOOD_CODE}")
    assert exc.value.message == texts.ALREADY_CONNECTED
    assert fake.requests == []


def test_refresh_keeps_well_formed_circles_only(connected: Connection, fake: FakeCircle) -> None:
    fake.circles = [{"id": 11, "name": "Renamed\u202e", "kind": "circle", "role": "owner"},
                    {"id": "x", "name": "bad"}, "junk", {"id": True, "name": "bool"},
                    {"id": 20, "name": "", "kind": "weird", "role": "member"}]
    services.refresh(connected)
    assert connected.circles == [
        {"id": 11, "name": "Renamed", "kind": "circle", "role": "owner"},
        {"id": 20, "name": "circle 20", "kind": "circle", "role": "member"},
    ]


def test_a_revoked_token_is_remembered_and_stops_syncing(
    connected: Connection, fake: FakeCircle
) -> None:
    fake.tokens.clear()
    with pytest.raises(SharingError) as exc:
        services.refresh(connected)
    assert exc.value.message == (
        "Could not load your circles: server refused: This journal's token was revoked.")
    connected.refresh_from_db()
    assert connected.refused == "This journal's token was revoked."
    OutboxItem.objects.create(op="put", endpoint="posts", local_id="entry-1", payload={"v": 1})
    fake.requests.clear()
    report = services.sync()
    assert fake.requests == [] and report.waiting == 1
    assert services.seconds_until_due() is None


DISCONNECTED = (
    "Disconnected: this journal forgot its token, and nothing more will be sent. What you "
    "shared before stays on Test circle until you remove it there; comments you received "
    "stay in your journal.")


def test_disconnect_forgets_token_queue_and_audiences_but_keeps_comments(
    connected: Connection, fake: FakeCircle, entry: Entry
) -> None:
    from attunement.sharing.models import CircleComment

    share_whole(entry)  # a publish waiting: nothing on the server to withdraw
    SentPost.objects.create(local_id=f"entry-{entry.pk}.c11", entry_id=entry.pk, circle_id=11)
    CircleComment.objects.create(entry=entry, remote_id=1, author="Harbour",
                                 body_html="<p>hi</p>", created=entry.written_at)
    assert services.disconnect() == DISCONNECTED
    assert fake.paths() == ["DELETE /api/v1/me/token"]  # the server revoked the token
    assert fake.requests[0]["headers"]["Authorization"] == f"Bearer {TOKEN}"
    assert TOKEN not in fake.tokens
    assert not Connection.objects.exists() and not OutboxItem.objects.exists()
    assert not Share.objects.exists() and not SentPost.objects.exists()
    assert CircleComment.objects.count() == 1


# --- choosing an audience -------------------------------------------------------------


def share_whole(entry: Entry, circles: list[int] | None = None) -> list[Share]:
    choice = EntryChoice(circles or [11], None)
    payload = services.entry_preview(entry, choice)
    return services.share_entry(entry, choice, payloads.digest(payload))


def test_the_preview_is_exactly_title_body_date_and_nothing_else(
    connected: Connection, entry: Entry
) -> None:
    payload = services.entry_preview(entry, EntryChoice([12, 11], None))
    assert payload == {
        "title": "After Tuesday",
        "body": "I could not say it in the room.\n\nLater, on the bus, the words came.",
        "written_at": payloads.iso(entry.written_at),
        "is_excerpt": False,
        "circles": [11, 12],
    }


def test_an_excerpt_is_sent_instead_of_the_body(connected: Connection, entry: Entry) -> None:
    payload = services.entry_preview(entry, EntryChoice([11], "\r\nLater, on the bus.\r\n"))
    assert (payload["body"], payload["is_excerpt"]) == ("Later, on the bus.", True)


@pytest.mark.parametrize(("circles", "excerpt", "body", "message"), [
    ([], None, "text", texts.NO_CIRCLE_CHOSEN),
    ([13], None, "text", texts.CIRCLE_NOT_YOURS),  # a circle they are only a member of
    ([99], None, "text", texts.CIRCLE_NOT_YOURS),
    ([11], "  \n ", "text", texts.EXCERPT_EMPTY),
    ([11], None, "   ", texts.NOTHING_TO_SHARE),
    ([11], None, "é" * 130_000, "This is too long to share (254 KB; the limit is 248 KB). "
                                "Share an excerpt instead."),
])
def test_what_cannot_be_shared_says_why(connected: Connection, circles: list[int],
                                        excerpt: str | None, body: str, message: str) -> None:
    entry = Entry.objects.create(title="t", body=body)
    with pytest.raises(SharingError) as exc:
        services.entry_preview(entry, EntryChoice(circles, excerpt))
    assert exc.value.message == message


def test_confirming_queues_one_post_per_circle(connected: Connection, entry: Entry) -> None:
    shares = share_whole(entry, [11, 12])
    assert [(s.local_id, s.circle_id, s.is_excerpt) for s in shares] == [
        (f"entry-{entry.pk}.c11", 11, False), (f"entry-{entry.pk}.c12", 12, False)]
    items = list(OutboxItem.objects.all())
    assert [(i.op, i.endpoint, i.local_id, i.payload["circles"]) for i in items] == [
        ("put", "posts", f"entry-{entry.pk}.c11", [11]),
        ("put", "posts", f"entry-{entry.pk}.c12", [12])]
    assert items[0].payload | {"circles": []} == items[1].payload | {"circles": []}
    assert items[0].payload["body"] == entry.body
    assert state_of(shares[0].local_id).text == "waiting to send"


def test_a_change_between_preview_and_confirm_is_caught(connected: Connection,
                                                        entry: Entry) -> None:
    choice = EntryChoice([11], None)
    seen = payloads.digest(services.entry_preview(entry, choice))
    entry.body = "Something else entirely."
    entry.save()
    with pytest.raises(services.ChangedSincePreview) as exc:
        services.share_entry(entry, choice, seen)
    assert exc.value.message == texts.CHANGED_SINCE_PREVIEW
    assert not OutboxItem.objects.exists() and not Share.objects.exists()


def test_sharing_needs_a_connection(db, entry: Entry) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SharingError) as exc:
        services.entry_preview(entry, EntryChoice([11], None))
    assert exc.value.message == texts.NOT_CONNECTED


def test_unshare_before_sending_leaves_nothing_to_send(connected: Connection,
                                                       entry: Entry) -> None:
    share_whole(entry)
    assert services.unshare("entry", entry.pk) is True
    assert not OutboxItem.objects.exists() and not Share.objects.exists()
    assert state_of(f"entry-{entry.pk}.c11").text == "private"
    assert services.unshare("entry", entry.pk) is False


def test_unshare_after_sending_queues_a_delete(connected: Connection, fake: FakeCircle,
                                               entry: Entry) -> None:
    share_whole(entry, [11, 12])
    services.sync()
    lids = [f"entry-{entry.pk}.c11", f"entry-{entry.pk}.c12"]
    assert [state_of(lid).text for lid in lids] == ["shared", "shared"]
    services.unshare("entry", entry.pk)
    assert [state_of(lid).text for lid in lids] == ["removing: waiting to send"] * 2
    services.sync()
    assert fake.paths()[-2:] == [f"DELETE /api/v1/posts/{lid}" for lid in lids]
    assert not fake.items
    assert [state_of(lid).text for lid in lids] == ["private", "private"]


def test_editing_a_shared_entry_queues_an_update_only_when_the_post_changes(
    connected: Connection, fake: FakeCircle, entry: Entry
) -> None:
    from attunement.record.services import save_entry

    share_whole(entry)
    services.sync()
    save_entry(entry=entry, title=entry.title, body=entry.body, tags=["another"], analyze=False)
    services.rebuild(Share.objects.get())  # what the entry_saved hook runs
    assert not OutboxItem.objects.exists()  # a tag is not part of the post
    save_entry(entry=entry, title="After Tuesday, later", body=entry.body, analyze=False)
    services.rebuild(Share.objects.get())
    assert OutboxItem.objects.get().payload["title"] == "After Tuesday, later"
    services.sync()
    assert fake.items[("posts", f"entry-{entry.pk}.c11")]["title"] == "After Tuesday, later"


def test_an_edit_that_cannot_be_sent_is_shown_as_failed_then_recovers(
    connected: Connection, fake: FakeCircle, entry: Entry
) -> None:
    share_whole(entry)
    services.sync()
    entry.body = "   "
    entry.save()
    services.rebuild(Share.objects.get())
    item = OutboxItem.objects.get()
    assert state_of(item.local_id).text == "failed: This entry has no text to share."
    services.sync()
    assert OutboxItem.objects.get().state == "failed"  # never sent as it is
    entry.body = "Better words."
    entry.save()
    services.retry(item.pk)
    services.sync()
    assert fake.items[("posts", item.local_id)]["body"] == "Better words."


def test_check_ins_and_notes_go_to_the_therapy_circle(connected: Connection,
                                                      fake: FakeCircle) -> None:
    checkin = record_checkin("attunement-alliance-v1", ANSWERS, note="Hard hour.")
    note = Unsaid.objects.create(text="The new time does not suit me.")
    assert services.share_checkin(checkin) == "With my therapist"
    assert services.share_note(note) == "With my therapist"
    services.sync()
    sent = fake.items[("checkins", f"checkin-{checkin.pk}")]
    assert sent["circle"] == 12 and sent["tension"] is True and sent["tension_intensity"] == 4
    assert sent["answers"] == ANSWERS and sent["note"] == "Hard hour."
    assert set(sent) == {"circle", "instrument", "instrument_version", "timing", "session_at",
                         "completed_at", "answers", "alliance", "tension", "tension_intensity",
                         "tension_resolved", "note"}
    assert fake.items[("notes", f"unsaid-{note.pk}")] == {
        "circle": 12, "text": "The new time does not suit me.",
        "written_at": payloads.iso(note.created_at)}


def test_no_therapy_circle_means_no_check_in_sharing(connected: Connection) -> None:
    connected.circles = [c for c in CIRCLES if c["kind"] != "therapy"]
    connected.save()
    checkin = record_checkin("attunement-alliance-v1", ANSWERS)
    with pytest.raises(SharingError) as exc:
        services.share_checkin(checkin)
    assert exc.value.message == texts.NO_THERAPY_CIRCLE
    with pytest.raises(SharingError) as exc:
        services.set_auto_share(True)
    assert exc.value.message == texts.NO_THERAPY_CIRCLE


def test_auto_share_setting(connected: Connection) -> None:
    assert services.set_auto_share(True, 12) == (
        "Each new check-in will be sent to your therapist (With my therapist).")
    assert services.set_auto_share(False) == texts.AUTO_SHARE_OFF
    with pytest.raises(SharingError) as exc:
        services.set_auto_share(True, 11)  # not a therapy circle
    assert exc.value.message == texts.CIRCLE_NOT_YOURS


# --- syncing ----------------------------------------------------------------------------


def test_sync_sends_and_pulls(connected: Connection, fake: FakeCircle, entry: Entry) -> None:
    share_whole(entry)
    fake.comments = [{"id": 1, "post_local_id": f"entry-{entry.pk}.c11", "parent_id": None,
                      "author": "Harbour", "body_html": "<p>I hold that for you.</p>",
                      "created": "2026-03-02T14:00:00+00:00", "edited_at": None,
                      "status": "visible"}]
    report = services.sync(pull_comments="always")
    assert (report.sent, report.failed, report.comments, report.waiting) == (1, 0, 1, 0)
    assert state_of(f"entry-{entry.pk}.c11").text == "shared"


def test_nothing_syncs_while_locked(connected: Connection, fake: FakeCircle,
                                    entry: Entry, monkeypatch: pytest.MonkeyPatch) -> None:
    share_whole(entry)
    monkeypatch.setattr(keyring, "is_unlocked", lambda: False)
    assert services.sync(pull_comments="always").locked is True
    assert services.seconds_until_due() is None
    assert fake.requests == []


def test_no_connection_means_no_network_at_all(db, entry: Entry,  # type: ignore[no-untyped-def]
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("a request was attempted without a connection")

    monkeypatch.setattr(client_mod.CircleClient, "_request", no_network)
    report = services.sync(pull_comments="always")
    assert report.connected is False
    assert services.seconds_until_due() is None


def test_a_second_sync_at_the_same_time_is_refused_politely(connected: Connection) -> None:
    assert services._pass_lock.acquire()
    try:
        assert services.sync().busy is True
    finally:
        services._pass_lock.release()


def test_seconds_until_due(connected: Connection, closed_url: str, entry: Entry) -> None:
    import datetime as dt

    from django.utils import timezone

    share_whole(entry)
    assert services.seconds_until_due() == 0.0
    connected.server_url = closed_url
    connected.save()
    now = timezone.now()
    services.sync(now=now)
    assert services.seconds_until_due(now) == 30.0
    assert services.seconds_until_due(now + dt.timedelta(minutes=5)) == 0.0


def test_a_pull_failure_is_kept_and_backed_off(connected: Connection, fake: FakeCircle) -> None:
    fake.then(500, raw=b"", path="comments")
    services.sync(pull_comments="always")
    connected.refresh_from_db()
    assert (connected.pull_error, connected.pull_failures) == (
        "the server had a problem (HTTP 500)", 1)
    assert connected.next_pull_at is not None
    fake.then(400, error("invalid", "since is not a cursor"), path="comments")
    services.sync(pull_comments="always")
    connected.refresh_from_db()
    assert connected.pull_error == "server refused: since is not a cursor"
    services.sync(pull_comments="always")
    connected.refresh_from_db()
    assert (connected.pull_error, connected.pull_failures) == ("", 0)


# --- connecting again after the server stopped accepting the token ---------------------


def _refused_with_waiting_items(conn: Connection, fake: FakeCircle, entry: Entry) -> None:
    share_whole(entry)
    fake.tokens.clear()
    services.sync()
    conn.refresh_from_db()
    assert conn.refused
    item = OutboxItem.objects.get()
    assert (item.state, item.last_status) == ("failed", 401)


def test_connecting_again_keeps_what_was_shared_and_sends_what_waits(
    connected: Connection, fake: FakeCircle, entry: Entry
) -> None:
    _refused_with_waiting_items(connected, fake, entry)
    fake.codes.add("second-code-12345")
    conn, message = services.connect(f"{fake.url}/connect/second-code-12345", "Laptop")
    assert message == "Connected again to Test circle as Lantern. What was waiting will be sent."
    assert conn.refused == "" and Share.objects.count() == 1
    item = OutboxItem.objects.get()
    assert (item.state, item.attempts, item.last_error, item.last_status) == (
        "pending", 0, "", None)
    services.sync()
    assert state_of(f"entry-{entry.pk}.c11").text == "shared"


def test_connecting_again_as_another_account_clears_the_list(
    connected: Connection, fake: FakeCircle, entry: Entry
) -> None:
    _refused_with_waiting_items(connected, fake, entry)
    fake.codes.add("second-code-12345")
    fake.user = {"id": 8, "display_name": "Kestrel"}
    conn, message = services.connect(f"{fake.url}/connect/second-code-12345")
    assert message == (
        "Connected to Test circle as Kestrel, another account than before. What this journal "
        "shared earlier belongs to the other account, so the list of shared items was cleared.")
    assert conn.account_id == 8 and not Share.objects.exists()
    assert not OutboxItem.objects.exists()


def test_connecting_again_only_to_the_same_server(connected: Connection, fake: FakeCircle,
                                                  entry: Entry, closed_url: str) -> None:
    _refused_with_waiting_items(connected, fake, entry)
    fake.requests.clear()
    with pytest.raises(SharingError) as exc:
        services.connect(f"{closed_url}/connect/{GOOD_CODE}")
    assert exc.value.message == (
        "This journal is connected to Test circle. To use a link from another server, "
        "disconnect first. Nothing was saved.")
    assert fake.requests == []


# --- one post per circle ---------------------------------------------------------------


def test_each_circle_gets_its_own_post(connected: Connection, fake: FakeCircle,
                                       entry: Entry) -> None:
    share_whole(entry, [11, 12])
    assert services.sync().sent == 2
    evening = fake.items[("posts", f"entry-{entry.pk}.c11")]
    therapist = fake.items[("posts", f"entry-{entry.pk}.c12")]
    assert (evening["circles"], therapist["circles"]) == ([11], [12])
    assert evening["body"] == therapist["body"] == entry.body
    assert len(fake.items) == 2


def test_dropping_a_circle_removes_only_its_post(connected: Connection, fake: FakeCircle,
                                                 entry: Entry) -> None:
    share_whole(entry, [11, 12])
    services.sync()
    fake.requests.clear()
    shares = share_whole(entry, [12])
    assert [s.local_id for s in shares] == [f"entry-{entry.pk}.c12"]
    # The therapist's post does not change, so it is not sent again.
    assert [(i.op, i.local_id) for i in OutboxItem.objects.all()] == [
        ("delete", f"entry-{entry.pk}.c11")]
    assert state_of(f"entry-{entry.pk}.c12").text == "shared"
    services.sync()
    assert fake.paths() == [f"DELETE /api/v1/posts/entry-{entry.pk}.c11"]
    assert list(fake.items) == [("posts", f"entry-{entry.pk}.c12")]


def test_adding_a_circle_sends_only_the_new_post(connected: Connection, fake: FakeCircle,
                                                 entry: Entry) -> None:
    share_whole(entry, [11])
    services.sync()
    share_whole(entry, [11, 12])
    assert [(i.op, i.local_id) for i in OutboxItem.objects.all()] == [
        ("put", f"entry-{entry.pk}.c12")]


def test_changing_the_words_updates_every_circles_post(connected: Connection,
                                                       fake: FakeCircle, entry: Entry) -> None:
    share_whole(entry, [11, 12])
    services.sync()
    choice = EntryChoice([11, 12], "Later, on the bus.")
    services.share_entry(entry, choice, payloads.digest(services.entry_preview(entry, choice)))
    services.sync()
    for circle in (11, 12):
        sent = fake.items[("posts", f"entry-{entry.pk}.c{circle}")]
        assert (sent["body"], sent["is_excerpt"], sent["circles"]) == (
            "Later, on the bus.", True, [circle])


def test_an_edit_reaches_every_circle(connected: Connection, fake: FakeCircle,
                                      entry: Entry) -> None:
    from attunement.sharing import hooks

    share_whole(entry, [11, 12])
    services.sync()
    entry.body = "New words."
    entry.save()
    hooks._rebuild(Share.Kind.ENTRY, entry.pk)  # what the entry_saved hook runs on commit
    services.sync()
    assert [fake.items[("posts", f"entry-{entry.pk}.c{c}")]["body"] for c in (11, 12)] == [
        "New words.", "New words."]


def test_a_share_split_by_the_migration_is_built_by_the_next_sync(
    connected: Connection, fake: FakeCircle, entry: Entry
) -> None:
    Share.objects.create(kind="entry", object_id=entry.pk, circle_id=12,
                         local_id=f"entry-{entry.pk}.c12", is_excerpt=True,
                         excerpt="Later, on the bus.", digest="")
    assert state_of(f"entry-{entry.pk}.c12").text == "waiting to send"
    assert services.sync().sent == 1
    assert fake.items[("posts", f"entry-{entry.pk}.c12")] == {
        "title": "After Tuesday", "body": "Later, on the bus.",
        "written_at": payloads.iso(entry.written_at), "is_excerpt": True, "circles": [12]}
    assert Share.objects.get().digest != ""
    assert services.build_unbuilt() == 0


def test_an_unbuilt_share_that_cannot_be_built_waits_for_the_person(
    connected: Connection, fake: FakeCircle
) -> None:
    empty = Entry.objects.create(title="t", body="   ")
    Share.objects.create(kind="entry", object_id=empty.pk, circle_id=11,
                         local_id=f"entry-{empty.pk}.c11", digest="")
    services.sync()
    item = OutboxItem.objects.get()
    assert state_of(item.local_id).text == "failed: This entry has no text to share."
    assert services.build_unbuilt() == 0  # not rebuilt (and renumbered) on every pass
    assert OutboxItem.objects.get().pk == item.pk and fake.items == {}


# --- disconnecting never drops a waiting removal ------------------------------------


def _shared_then_unshared(entry: Entry) -> None:
    share_whole(entry, [11])
    services.sync()
    services.unshare("entry", entry.pk)


def test_disconnect_sends_waiting_removals_first(connected: Connection, fake: FakeCircle,
                                                 entry: Entry) -> None:
    _shared_then_unshared(entry)
    fake.requests.clear()
    assert services.disconnect() == DISCONNECTED
    assert fake.paths() == [f"DELETE /api/v1/posts/entry-{entry.pk}.c11",
                            "DELETE /api/v1/me/token"]
    assert not fake.items and not Connection.objects.exists()


def test_disconnect_is_refused_while_a_removal_cannot_be_sent(
    connected: Connection, fake: FakeCircle, entry: Entry, closed_url: str
) -> None:
    checkin = record_checkin("attunement-alliance-v1", ANSWERS)
    services.share_checkin(checkin)
    _shared_then_unshared(entry)
    services.unshare("checkin", checkin.pk)
    connected.server_url = closed_url
    connected.save()
    with pytest.raises(services.RemovalsWaiting) as exc:
        services.disconnect()
    when = timezone.localtime(checkin.completed_at).strftime("%d %b %Y, %H:%M")
    assert exc.value.message == (
        "Some items you stopped sharing are not yet removed from the server: connect to the "
        "network and press Send now first, or remove them on the server. Not yet removed: "
        f"Entry: After Tuesday (Evening circle); Check-in: Check-in of {when}.")
    assert exc.value.items == ["Entry: After Tuesday (Evening circle)",
                               f"Check-in: Check-in of {when}"]
    assert Connection.objects.get().token == TOKEN
    assert [i.op for i in OutboxItem.objects.all()] == ["delete", "delete"]
    assert OutboxItem.objects.first().last_error == "server unreachable"  # type: ignore[union-attr]


def test_a_removal_the_server_refuses_also_stops_the_disconnection(
    connected: Connection, fake: FakeCircle, entry: Entry
) -> None:
    _shared_then_unshared(entry)
    fake.then(403, error("forbidden", "Not yours."), path="posts")
    with pytest.raises(services.RemovalsWaiting) as exc:
        services.disconnect()
    assert exc.value.items == ["Entry: After Tuesday (Evening circle)"]
    assert OutboxItem.objects.get().state == "failed"
    assert "DELETE /api/v1/me/token" not in fake.paths()  # the token is still needed


def test_with_a_refused_token_the_refusal_says_to_connect_again(
    connected: Connection, fake: FakeCircle, entry: Entry
) -> None:
    _shared_then_unshared(entry)
    services.token_refused(connected, "revoked")
    fake.requests.clear()
    with pytest.raises(services.RemovalsWaiting) as exc:
        services.disconnect()
    assert exc.value.message == (
        "Some items you stopped sharing are not yet removed from the server, and it no longer "
        "accepts this journal: connect again with a new link from the same account so they "
        "are sent, or remove them on the server. Not yet removed: Entry: After Tuesday "
        "(Evening circle).")
    assert fake.requests == []  # nothing is tried with a token the server refuses


def test_disconnect_anyway_names_what_stays_on_the_server(
    connected: Connection, fake: FakeCircle, entry: Entry, closed_url: str
) -> None:
    _shared_then_unshared(entry)
    connected.server_url = closed_url
    connected.save()
    assert services.disconnect(force=True) == DISCONNECTED + (
        " Still on the server (remove them there yourself): Entry: After Tuesday "
        "(Evening circle). The server could not be told; you can revoke this journal on the "
        "server's Connect page.")
    assert not Connection.objects.exists() and not OutboxItem.objects.exists()


@pytest.mark.parametrize(("status", "told"), [(204, True), (401, True), (404, False),
                                              (500, False)])
def test_revoking_the_token_is_best_effort(connected: Connection, fake: FakeCircle,
                                           status: int, told: bool) -> None:
    fake.then(status, None if status == 204 else error("x", "no"), path="me/token")
    message = services.disconnect()
    assert message == DISCONNECTED + ("" if told else (
        " The server could not be told; you can revoke this journal on the server's "
        "Connect page."))
    assert not Connection.objects.exists()


def test_a_refused_token_is_not_sent_to_be_revoked(connected: Connection,
                                                   fake: FakeCircle) -> None:
    services.token_refused(connected, "revoked")
    assert services.disconnect() == DISCONNECTED
    assert fake.requests == []


def test_another_account_cannot_drop_the_removals_of_the_first(
    connected: Connection, fake: FakeCircle, entry: Entry
) -> None:
    _shared_then_unshared(entry)
    fake.tokens.clear()
    services.sync()  # the removal is refused with the token
    fake.codes.add("second-code-12345")
    fake.user = {"id": 8, "display_name": "Kestrel"}
    fake.next_token = "kestrels-token-123"
    with pytest.raises(services.RemovalsWaiting) as exc:
        services.connect(f"{fake.url}/connect/second-code-12345")
    assert exc.value.message == (
        "That link is for another account (Kestrel) than before (Lantern). Some items you "
        "stopped sharing are not yet removed from the server, and only Lantern can remove "
        "them: connect with a link from that account first, or remove them on the server. Not "
        "yet removed: Entry: After Tuesday (Evening circle). The new link was not kept; make "
        "another when you are ready.")
    assert fake.requests[-1]["path"] == "/api/v1/me/token"
    assert fake.requests[-1]["headers"]["Authorization"] == "Bearer kestrels-token-123"
    assert "kestrels-token-123" not in fake.tokens  # given back
    conn = Connection.objects.get()
    assert (conn.account_id, conn.token, bool(conn.refused)) == (7, TOKEN, True)
    assert [i.op for i in OutboxItem.objects.all()] == ["delete"]


@pytest.mark.parametrize(("local_id", "parsed"), [
    ("entry-5.c11", ("entry", 5, 11)),
    ("entry-5", ("entry", 5, None)),  # a post from before each circle had its own
    ("checkin-3", ("checkin", 3, None)),
    ("unsaid-7", ("unsaid", 7, None)),
    ("checkin-3.c2", None),
    ("entry-5.c", None),
    ("entry-x", None),
    ("post-5", None),
])
def test_local_ids_say_item_and_circle(local_id: str, parsed: tuple | None) -> None:  # type: ignore[type-arg]
    assert payloads.parse_local_id(local_id) == parsed
    if parsed is not None:
        assert payloads.local_id(*parsed) == local_id
