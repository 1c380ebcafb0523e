"""The whole path, with a REAL circle server and the local journal in one test run.

The circle server runs as ``attune serve --hosted`` on a fresh PostgreSQL database (see
``circle_server`` in conftest.py). People use its web pages through their own cookie-
keeping sessions; the journal is driven through its own pages (Django's test client):
invite, accept, connect, publish to a circle and the therapist (one post, one
conversation each), read, comment, reply, moderate, pull, edit, unshare, offline queue
and retry, a check-in with tension that alerts the therapist, and disconnecting (which
sends waiting removals first and revokes the journal's token on the server).

Each step is named, so a failure says which part of the path broke.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.test import Client

from attunement.checkins.models import Checkin
from attunement.record.models import Entry, Unsaid
from attunement.sharing.models import CircleComment, Connection, OutboxItem, Share
from tests.sharing.conftest import WRITER, WRITER_PASSWORD, CircleServer
from tests.sharing.web_session import Browser, Page

pytestmark = [pytest.mark.slow, pytest.mark.django_db]
PASSWORD = "a calm and long passphrase"
HOSTILE = "<script>alert(1)</script> [look](javascript:alert(1)) \u202eevil words"
TENSION = {"bond_grasped": "2", "bond_on_my_side": "2", "task_fit": "2", "goal_direction": "2",
           "tension": "yes", "tension_strength": "4", "tension_resolved": "1"}


@contextmanager
def step(name: str, server: CircleServer) -> Iterator[None]:
    """Name the step in any failure, with the end of the server's log."""
    try:
        yield
    except AssertionError as exc:
        raise AssertionError(f"STEP FAILED: {name}\n{exc}\n--- circle server log (end) ---\n"
                             f"{server.tail()}") from exc


def expect(page: Page, status: int = 200, path: str | None = None) -> Page:
    assert page.status == status, f"{page.status} at {page.url}:\n{page.text[:1500]}"
    if path is not None:
        assert re.fullmatch(path, page.path), f"ended at {page.url}, expected {path}"
    return page


def shown_link(page: Page, kind: str) -> str:
    found = re.search(r'(https?://[^\s<>"]+/' + kind + r'/[A-Za-z0-9_-]+)', page.text)
    assert found, f"no {kind} link on {page.url}:\n{page.text[:1500]}"
    return found.group(1)


def journal_send(client: Client) -> str:
    """Press "Send now" in the journal; return what it said."""
    r = client.post("/sharing/send")
    assert r.status_code == 302
    return " ".join(str(m) for m in client.get("/sharing/").context["messages"])


def share_entry(client: Client, entry: Entry, circles: list[int]) -> None:
    """The Share panel: preview (checked), then confirm."""
    data = {"circles": [str(c) for c in circles], "mode": "whole", "excerpt": ""}
    preview = client.post(f"/sharing/entries/{entry.pk}/preview", data).content.decode()
    assert 'id="preview-body"' in preview and entry.body.split("\n")[0] in preview
    digest = re.search(r'name="digest" value="([0-9a-f]{64})"', preview)
    assert digest, preview[:2000]
    r = client.post(f"/sharing/entries/{entry.pk}/confirm",
                    {"circles": data["circles"], "mode": "whole", "digest": digest.group(1)})
    assert r.status_code == 302, r.content[:1000]


def entry_state(client: Client, entry: Entry, circle: int) -> str:
    """The state the entry page shows for the entry's post in one circle."""
    page = client.get(f"/entries/{entry.pk}/").content.decode()
    found = re.search(rf'<li id="share-c{circle}" data-state="[a-z]+">.*?'
                      r'<span class="share-state [a-z]+" data-state="[a-z]+">([^<]*)</span>',
                      page)
    return found.group(1) if found else "(no state shown)"


def post_path_of(entry: Entry, circle: int) -> str:
    share = Share.objects.get(local_id=f"entry-{entry.pk}.c{circle}")
    path = re.sub(r"^https?://[^/]+", "", share.remote_url)
    assert re.fullmatch(r"/posts/\d+/", path), share.remote_url
    return path


def test_the_whole_path(circle_server: CircleServer, client: Client,
                        django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    srv = circle_server
    writer, member, therapist = Browser(srv.url), Browser(srv.url), Browser(srv.url)

    with step("the writer signs in on /login", srv):
        expect(writer.post("/login", {"username": WRITER, "password": WRITER_PASSWORD}),
               path="/")

    with step("the writer makes a circle and a therapy circle on /circles/new", srv):
        page = expect(writer.post("/circles/new", {"name": "Evening circle", "kind": "circle"}),
                      path=r"/circles/\d+/")
        circle_id = int(page.path.split("/")[2])
        page = expect(writer.post("/circles/new",
                                  {"name": "With my therapist", "kind": "therapy"}),
                      path=r"/circles/\d+/")
        therapy_id = int(page.path.split("/")[2])

    with step("the writer makes invitation links on /circles/<id>/invite", srv):
        member_link = shown_link(expect(writer.post(
            f"/circles/{circle_id}/invite", {"role": "member", "note": "a friend", "days": "7"})),
            "invite")
        therapist_link = shown_link(expect(writer.post(
            f"/circles/{therapy_id}/invite", {"role": "therapist", "note": "", "days": "7"})),
            "invite")

    with step("a member and a therapist accept on /invite/<token>", srv):
        expect(member.post(member_link, {"username": "harbour", "display_name": "Harbour",
                                         "password": PASSWORD, "password2": PASSWORD}),
               path=f"/circles/{circle_id}/")
        expect(therapist.post(therapist_link, {
            "username": "willow", "display_name": "Dr. Willow", "password": PASSWORD,
            "password2": PASSWORD}), path=f"/circles/{therapy_id}/")
        assert expect(member.get(member_link), status=404)

    with step("the writer makes a connection link on /connect; the journal connects", srv):
        link = shown_link(expect(writer.post("/connect", {"name": "Laptop journal"})),
                          "connect")
        r = client.post("/sharing/connect", {"link": link, "device_name": "Laptop journal"})
        assert r.status_code == 302, r.content.decode()[:2000]
        conn = Connection.objects.get()
        assert {c["id"] for c in conn.owned_circles()} == {circle_id, therapy_id}
        assert conn.therapy_circle() is not None
        assert conn.therapy_circle()["id"] == therapy_id  # type: ignore[index]
        r = client.post("/sharing/connect", {"link": link})
        assert r.status_code == 400  # one journal, one connection

    with step("a used connection link is refused with the server's words", srv):
        Connection.objects.all().delete()
        r = client.post("/sharing/connect", {"link": link})
        assert r.status_code == 400
        assert r.context["error"].startswith("The circle server refused the link: ")
        assert not Connection.objects.exists()
        Connection.objects.create(**{f.attname: getattr(conn, f.attname)
                                     for f in Connection._meta.concrete_fields})

    with step("the journal publishes an entry to the circle AND the therapist", srv):
        client.post("/entries/new", {"title": "After Tuesday", "written_at": "2026-03-03T19:30",
                                     "body": "I could not say it in the room.",
                                     "tags_text": "private-tag"})
        entry = Entry.objects.get(title="After Tuesday")
        share_entry(client, entry, [circle_id, therapy_id])
        assert entry_state(client, entry, circle_id) == "waiting to send"
        assert "Sent 2;" in journal_send(client)
        assert entry_state(client, entry, circle_id) == "shared"
        assert entry_state(client, entry, therapy_id) == "shared"
        post_path = post_path_of(entry, circle_id)
        therapy_path = post_path_of(entry, therapy_id)
        assert post_path != therapy_path  # one post, one conversation, per circle

    with step("the member reads the circle's post, never the therapist's", srv):
        page = expect(member.get(post_path))
        assert "After Tuesday" in page.text and "I could not say it in the room." in page.text
        assert "private-tag" not in page.text
        expect(member.get(therapy_path), status=404)

    with step("the therapist reads her post, never the circle's", srv):
        assert "I could not say it in the room." in expect(therapist.get(therapy_path)).text
        expect(therapist.get(post_path), status=404)

    with step("the member comments on /posts/<id>/comment; the journal pulls it", srv):
        expect(member.post(post_path + "comment", {"body": "I hold that for you."},
                           form_page=post_path))
        journal_send(client)
        first = CircleComment.objects.get(author="Harbour")
        assert "I hold that for you." in first.body_html and first.status == "visible"
        assert first.circle_id == circle_id

    with step("the therapist comments on hers; each conversation stays in its circle", srv):
        expect(therapist.post(therapy_path + "comment", {"body": "We can take it up on Tuesday."},
                              form_page=therapy_path))
        assert "I hold that for you." not in expect(therapist.get(therapy_path)).text
        assert "Harbour" not in expect(therapist.get(therapy_path)).text
        assert "take it up on Tuesday" not in expect(member.get(post_path)).text
        journal_send(client)
        hers = CircleComment.objects.get(author="Dr. Willow")
        assert hers.circle_id == therapy_id and hers.from_therapy is True
        page = client.get(f"/entries/{entry.pk}/").content.decode()
        mine = page[page.index(f'id="comments-c{circle_id}"'):]
        mine = mine[:mine.index("</section>")]
        theirs = page[page.index(f'id="comments-c{therapy_id}"'):]
        theirs = theirs[:theirs.index("</section>")]
        assert "From Evening circle (1)" in mine and "I hold that for you." in mine
        assert "take it up on Tuesday" not in mine
        assert "From your therapist (1)" in theirs and "take it up on Tuesday" in theirs
        assert "I hold that for you." not in theirs

    with step("the writer replies to it on the server", srv):
        expect(writer.post(post_path + "comment",
                           {"body": "Thank you. It helps.", "parent": str(first.remote_id)},
                           form_page=post_path))

    with step("a hostile comment; the owner hides it on /comments/<id>/moderate", srv):
        expect(member.post(post_path + "comment", {"body": HOSTILE}, form_page=post_path))
        journal_send(client)
        hostile = CircleComment.objects.get(body_html__contains="evil words")
        assert hostile.status == "visible"
        expect(writer.post(f"/comments/{hostile.remote_id}/moderate", {"action": "hide"},
                           form_page=post_path))
        # Its author still sees it, marked; nobody else does.
        assert "hidden by the writer" in expect(member.get(post_path)).text

    with step("the journal pulls: the reply threaded, the hidden one follows, all inert", srv):
        journal_send(client)
        hostile.refresh_from_db()
        assert hostile.status == "hidden"
        reply = CircleComment.objects.get(body_html__contains="It helps")
        assert reply.parent_id == first.pk and reply.author == "Lantern"
        page = client.get(f"/entries/{entry.pk}/").content.decode()
        assert f'id="circle-comment-{reply.remote_id}" data-status="visible" data-depth="1"' in (
            page)
        assert "hidden by you" in page
        assert "<script>alert" not in page and "javascript:alert" not in page
        assert "\u202e" not in page

    with step("an edit in the journal updates both posts", srv):
        with django_capture_on_commit_callbacks(execute=True):  # the re-send waits for it
            r = client.post(f"/entries/{entry.pk}/edit", {
                "title": "After Tuesday", "written_at": "2026-03-03T19:30",
                "body": "I could not say it in the room. Now I can.",
                "tags_text": "private-tag"})
        assert r.status_code == 302
        assert entry_state(client, entry, circle_id) == "waiting to send"
        assert "Sent 2;" in journal_send(client)
        assert "Now I can." in expect(member.get(post_path)).text
        assert "Now I can." in expect(therapist.get(therapy_path)).text

    with step("dropping the therapist removes only her post", srv):
        share_entry(client, entry, [circle_id])
        assert entry_state(client, entry, therapy_id) == "removing: waiting to send"
        assert "Sent 1;" in journal_send(client)
        expect(therapist.get(therapy_path), status=404)
        expect(member.get(post_path))

    with step("unsharing removes the post: the member gets 404", srv):
        client.post(f"/sharing/entries/{entry.pk}/unshare")
        assert entry_state(client, entry, circle_id) == "removing: waiting to send"
        journal_send(client)
        expect(member.get(post_path), status=404)
        assert not OutboxItem.objects.exists()

    with step("offline: the server stops, sharing waits and says why", srv):
        srv.stop()
        client.post("/entries/new", {"title": "While it was down",
                                     "written_at": "2026-03-04T08:00",
                                     "body": "Written on the train, no signal."})
        offline = Entry.objects.get(title="While it was down")
        share_entry(client, offline, [circle_id])
        assert entry_state(client, offline, circle_id) == "waiting to send"
        journal_send(client)
        state = entry_state(client, offline, circle_id)
        assert re.fullmatch(r"waiting to send — failed: server unreachable, will retry at "
                            r"\d\d:\d\d", state), state

    with step("the server is back: retry now, and it is shared", srv):
        srv.start()
        item = OutboxItem.objects.get(local_id=f"entry-{offline.pk}.c{circle_id}")
        r = client.post(f"/sharing/outbox/{item.pk}/retry")
        assert r.status_code == 302
        assert entry_state(client, offline, circle_id) == "shared"
        offline_path = post_path_of(offline, circle_id)
        assert "no signal" in expect(member.get(offline_path)).text

    with step("a check-in with tension, shared: the therapist sees an alert on /therapist/",
              srv):
        r = client.post("/checkins/new", TENSION)
        assert r.status_code == 302
        checkin = Checkin.objects.get()
        r = client.post(f"/sharing/checkins/{checkin.pk}/share")
        assert r.status_code == 302
        assert "Sent 1;" in journal_send(client)
        page = expect(therapist.get("/therapist/"))
        assert "tension reported" in page.text
        assert re.search(r"<td><strong>1</strong></td>", page.text), page.text[:3000]

    with step("a note for the next session reaches the therapist", srv):
        note = Unsaid.objects.create(text="The new time does not suit me.")
        client.post(f"/sharing/notes/{note.pk}/share")
        assert "Sent 1;" in journal_send(client)
        page = expect(therapist.get(f"/therapist/clients/{therapy_id}/"))
        assert "The new time does not suit me." in page.text

    with step("the member cannot see the therapy circle's check-ins", srv):
        expect(member.get("/therapist/"), status=404)

    with step("disconnecting while a removal cannot be sent is refused, naming it", srv):
        srv.stop()
        client.get(client.post(f"/sharing/entries/{offline.pk}/unshare")["Location"])
        r = client.post("/sharing/disconnect")
        said = " ".join(str(m) for m in client.get("/sharing/").context["messages"])
        assert r.status_code == 302 and said == (
            "Some items you stopped sharing are not yet removed from the server: connect to "
            "the network and press Send now first, or remove them on the server. Not yet "
            "removed: Entry: While it was down (Evening circle).")
        assert Connection.objects.exists()

    with step("back online, disconnecting sends the removal and revokes the token", srv):
        srv.start()
        token = Connection.objects.get().token
        r = client.post("/sharing/disconnect")
        said = " ".join(str(m) for m in client.get("/sharing/").context["messages"])
        assert said.startswith("Disconnected: this journal forgot its token"), said
        assert "could not be told" not in said
        assert not Connection.objects.exists()
        expect(member.get(offline_path), status=404)
        req = urllib.request.Request(srv.url + "/api/v1/me",
                                     headers={"Authorization": f"Bearer {token}"})
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            opener.open(req, timeout=10)
            raise AssertionError("the revoked token still works")
        except urllib.error.HTTPError as exc:
            assert exc.code == 401
