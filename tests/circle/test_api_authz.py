"""Authorisation matrix of the JSON API: every token kind × every endpoint × guessed ids.

The world: the writer owns ``circle`` (member inside) and ``therapy_circle`` (therapist
inside) and has shared a post with a comment, a check-in and a note. Everyone else
guesses the writer's local ids and circle ids. Every denial must be 400, 401, 403 or 404
with the fixed error shape, must change nothing, and must not carry any of the writer's
words. Only writers (``can_write``: the writer and the other writer) may share at all:
the invited member, therapist and outsider get 403 on every PUT, whatever it names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from attunement.circle.models import Post, SharedCheckin, SharedNote

from .api_support import Api, checkin_body, device_for, note_body, post_body

SECRETS = ("After Tuesday", "could not say", "I hold that", "far away today",
           "angry about the fees", "Evening circle", "With my therapist")
ACTORS = ["owner", "member", "therapist", "stranger", "outsider", "revoked", "none"]
NOT_WRITERS = {"member", "therapist", "outsider"}


@dataclass
class World:
    tokens: dict[str, str | None]
    circle: int
    therapy: int
    post: Post
    checkin: SharedCheckin
    note: SharedNote


@pytest.fixture
def world(writer, member, therapist, other_writer, outsider, circle, therapy_circle,
          other_circle, make_post, make_comment) -> World:  # type: ignore[no-untyped-def]
    post = make_post(writer, [circle], title="After Tuesday", body="I could not say it.",
                     local_id="entry-1")
    make_comment(post, member, "I hold that for you.")
    checkin = SharedCheckin.objects.create(
        author=writer, circle=therapy_circle, local_id="checkin-1", instrument="i",
        completed_at=timezone.now(), answers={"q": 1}, alliance=4.0, note="far away today")
    note = SharedNote.objects.create(author=writer, circle=therapy_circle, local_id="unsaid-1",
                                     text="angry about the fees", written_at=timezone.now())
    revoked = device_for(writer, revoked=True)[1]
    tokens: dict[str, str | None] = {
        "owner": device_for(writer)[1], "member": device_for(member)[1],
        "therapist": device_for(therapist)[1], "stranger": device_for(other_writer)[1],
        "outsider": device_for(outsider)[1], "revoked": revoked, "none": None,
    }
    return World(tokens, circle.pk, therapy_circle.pk, post, checkin, note)


def _requests(w: World) -> dict[str, tuple[str, str, Any]]:
    """Every endpoint, aimed at the writer's things (method, path, body)."""
    return {
        "me": ("GET", "me", None),
        "comments": ("GET", "comments", None),
        "put_post": ("PUT", "posts/entry-1", post_body([w.circle], title="Overwritten")),
        "put_post_therapy": ("PUT", "posts/entry-1", post_body([w.therapy], title="Over")),
        "delete_post": ("DELETE", "posts/entry-1", None),
        "put_checkin": ("PUT", "checkins/checkin-1", checkin_body(w.therapy, note="Over")),
        "put_checkin_circle": ("PUT", "checkins/checkin-1", checkin_body(w.circle)),
        "delete_checkin": ("DELETE", "checkins/checkin-1", None),
        "put_note": ("PUT", "notes/unsaid-1", note_body(w.therapy, text="Over")),
        "delete_note": ("DELETE", "notes/unsaid-1", None),
    }


# What the owner gets; everyone else's expected denial. (Reading endpoints answer
# others 200 with their own, empty world: checked for leaks below.) A post stays in the
# circle it was shared with, so even its owner cannot move it into the therapy circle.
OWNER = {"me": 200, "comments": 200, "put_post": 200, "put_post_therapy": 400,
         "delete_post": 204, "put_checkin": 200, "put_checkin_circle": 400,
         "delete_checkin": 204, "put_note": 200, "delete_note": 204}
OTHERS = {"me": 200, "comments": 200, "put_post": 400, "put_post_therapy": 400,
          "delete_post": 404, "put_checkin": 400, "put_checkin_circle": 400,
          "delete_checkin": 404, "put_note": 400, "delete_note": 404}
DENIAL_FIELDS = {"put_post": "circles", "put_post_therapy": "circles",
                 "put_checkin": "circle", "put_checkin_circle": "circle", "put_note": "circle"}


def _send(api: Api, method: str, path: str, body: Any) -> Any:
    if method == "GET":
        return api.get(path)
    if method == "DELETE":
        return api.delete(path)
    return api.put(path, body)


def _unchanged(w: World) -> None:
    post = Post.objects.get(pk=w.post.pk)
    assert (post.title, post.author_id) == ("After Tuesday", w.post.author_id)
    assert list(post.circles.values_list("pk", flat=True)) == [w.circle]
    assert SharedCheckin.objects.get(pk=w.checkin.pk).note == "far away today"
    assert SharedNote.objects.get(pk=w.note.pk).text == "angry about the fees"


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("action", list(OWNER))
def test_matrix(world, actor, action) -> None:
    method, path, body = _requests(world)[action]
    r = _send(Api(world.tokens[actor]), method, path, body)
    if actor in ("revoked", "none"):
        expected = 401
    elif actor == "owner":
        expected = OWNER[action]
    elif actor in NOT_WRITERS and method == "PUT":
        expected = 403
    else:
        expected = OTHERS[action]
    assert r.status_code == expected, (actor, action, r.content)
    text = r.content.decode()
    if actor == "owner":
        return
    if expected == 200:
        _no_leak_in_reading(actor, action, r.json())
    else:
        _denial_shape(r, expected, action)
        assert not any(s in text for s in SECRETS), text
    _unchanged(world)


def _denial_shape(r: Any, status: int, action: str) -> None:
    body = r.json()
    code = {400: "invalid", 401: "unauthorized", 403: "forbidden", 404: "not_found"}[status]
    assert body["error"] == code
    if status == 400:
        assert set(body) == {"error", "message", "fields"}
        assert list(body["fields"]) == [DENIAL_FIELDS[action]]
    else:
        assert set(body) == {"error", "message"}


def _no_leak_in_reading(actor: str, action: str, body: dict[str, Any]) -> None:
    if action == "comments":
        assert body == {"comments": [], "cursor": "", "more": False}
        return
    # Each sees only the circles they are in: never the writer's other circle.
    visible = {"member": {"Evening circle"}, "therapist": {"With my therapist"},
               "stranger": {"Another circle"}, "outsider": {"Another circle"}}
    assert {c["name"] for c in body["circles"]} == visible[actor]


def test_the_writers_own_things_survive_every_guess(world) -> None:
    """All the guesses of everyone but the owner, one after another, change nothing."""
    for actor in ACTORS:
        if actor == "owner":
            continue
        api = Api(world.tokens[actor])
        for method, path, body in _requests(world).values():
            assert _send(api, method, path, body).status_code in (200, 400, 401, 403, 404)
    _unchanged(world)


@pytest.mark.parametrize("actor", ["member", "therapist", "stranger"])
def test_guessing_numeric_ids_finds_nothing(world, actor) -> None:
    """Local ids are per writer: the database ids of the writer's items mean nothing."""
    api = Api(world.tokens[actor])
    for path in (f"posts/{world.post.pk}", f"checkins/{world.checkin.pk}",
                 f"notes/{world.note.pk}", "posts/entry-2", "checkins/checkin-2"):
        r = api.delete(path)
        assert r.status_code == 404 and r.json()["error"] == "not_found"
    _unchanged(world)


def test_a_therapist_cannot_write_into_the_clients_therapy_circle(world, therapist) -> None:
    """Even a therapist who is a writer herself (with her own journal) cannot."""
    therapist.can_write = True
    therapist.save(update_fields=["can_write"])
    api = Api(world.tokens["therapist"])
    r = api.put("checkins/t-1", checkin_body(world.therapy))
    assert r.status_code == 400 and list(r.json()["fields"]) == ["circle"]
    r = api.put("notes/t-1", note_body(world.therapy))
    assert r.status_code == 400 and list(r.json()["fields"]) == ["circle"]
    assert not SharedCheckin.objects.filter(author=therapist).exists()
    assert not SharedNote.objects.filter(author=therapist).exists()


def test_a_member_writes_only_into_their_own_namespace(world, member, make_circle) -> None:
    """A member who is also a writer (with circles of their own)."""
    member.can_write = True
    member.save(update_fields=["can_write"])
    own = make_circle(member, "Member's own")
    api = Api(world.tokens["member"])
    r = api.put("posts/entry-1", post_body([own.pk], title="Member's entry-1"))
    assert r.status_code == 201
    assert r.json()["id"] != world.post.pk
    _unchanged(world)
    assert api.delete("posts/entry-1").status_code == 204
    _unchanged(world)
