"""The whole path, with a REAL circle server and the local journal in one test run.

The circle server runs as ``attune serve --hosted`` on a fresh PostgreSQL database (see
``circle_server`` in conftest.py). People use its web pages through their own cookie-
keeping sessions; the journal is driven through its own pages (Django's test client):
invite, accept, connect, publish, read, comment, reply, moderate, pull, edit, unshare,
offline queue and retry, and a check-in with tension that alerts the therapist.

Each step is named, so a failure says which part of the path broke.
"""

from __future__ import annotations

import re
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


def entry_state(client: Client, entry: Entry) -> str:
    page = client.get(f"/entries/{entry.pk}/").content.decode()
    found = re.search(r'<span class="share-state [a-z]+" data-state="[a-z]+">([^<]*)</span>',
                      page)
    return found.group(1) if found else "(no state shown)"


def test_the_whole_path(circle_server: CircleServer, client: Client) -> None:
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

    with step("the journal publishes an entry (preview, confirm, send)", srv):
        client.post("/entries/new", {"title": "After Tuesday", "written_at": "2026-03-03T19:30",
                                     "body": "I could not say it in the room.",
                                     "tags_text": "private-tag"})
        entry = Entry.objects.get(title="After Tuesday")
        share_entry(client, entry, [circle_id])
        assert entry_state(client, entry) == "waiting to send"
        assert "Sent 1;" in journal_send(client)
        assert entry_state(client, entry) == "shared"
        share = Share.objects.get(local_id=f"entry-{entry.pk}")
        post_path = re.sub(r"^https?://[^/]+", "", share.remote_url)
        assert re.fullmatch(r"/posts/\d+/", post_path), share.remote_url

    with step("the member reads it on /posts/<id>/ (and nothing private came along)", srv):
        page = expect(member.get(post_path))
        assert "After Tuesday" in page.text and "I could not say it in the room." in page.text
        assert "private-tag" not in page.text

    with step("the member comments on /posts/<id>/comment; the journal pulls it", srv):
        expect(member.post(post_path + "comment", {"body": "I hold that for you."},
                           form_page=post_path))
        journal_send(client)
        first = CircleComment.objects.get(author="Harbour")
        assert "I hold that for you." in first.body_html and first.status == "visible"

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

    with step("an edit in the journal updates the post", srv):
        r = client.post(f"/entries/{entry.pk}/edit", {
            "title": "After Tuesday", "written_at": "2026-03-03T19:30",
            "body": "I could not say it in the room. Now I can.", "tags_text": "private-tag"})
        assert r.status_code == 302
        assert entry_state(client, entry) == "waiting to send"
        assert "Sent 1;" in journal_send(client)
        assert "Now I can." in expect(member.get(post_path)).text

    with step("unsharing removes the post: the member gets 404", srv):
        client.post(f"/sharing/entries/{entry.pk}/unshare")
        assert entry_state(client, entry) == "removing: waiting to send"
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
        assert entry_state(client, offline) == "waiting to send"
        journal_send(client)
        state = entry_state(client, offline)
        assert re.fullmatch(r"waiting to send — failed: server unreachable, will retry at "
                            r"\d\d:\d\d", state), state

    with step("the server is back: retry now, and it is shared", srv):
        srv.start()
        item = OutboxItem.objects.get(local_id=f"entry-{offline.pk}")
        r = client.post(f"/sharing/outbox/{item.pk}/retry")
        assert r.status_code == 302
        assert entry_state(client, offline) == "shared"
        url = Share.objects.get(local_id=f"entry-{offline.pk}").remote_url
        assert "no signal" in expect(member.get(re.sub(r"^https?://[^/]+", "", url))).text

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
