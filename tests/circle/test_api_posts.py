"""GET me, sharing posts (PUT/DELETE posts/{local_id}) and pulling comments back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from attunement.circle import access, api, api_fields
from attunement.circle.models import Circle, Comment, Notification, Post, Reaction

from .api_support import Api, device_for, error_of, fields_of, post_body


@pytest.fixture
def writer_api(writer) -> Api:  # type: ignore[no-untyped-def]
    return Api(device_for(writer)[1])


# --- GET me ---------------------------------------------------------------------------


def test_me_lists_every_circle_with_the_role(writer, member, therapist, circle, therapy_circle,
                                             other_circle, make_circle) -> None:
    theirs = make_circle(member, "Member's own")
    r = Api(device_for(writer)[1]).get("me")
    assert r.status_code == 200
    assert r.json() == {
        "user": {"id": writer.pk, "display_name": "Lantern"},
        "circles": [
            {"id": circle.pk, "name": "Evening circle", "kind": "circle", "role": "owner"},
            {"id": therapy_circle.pk, "name": "With my therapist", "kind": "therapy",
             "role": "owner"},
        ],
    }
    mine = Api(device_for(member)[1]).get("me").json()["circles"]
    assert mine == [
        {"id": circle.pk, "name": "Evening circle", "kind": "circle", "role": "member"},
        {"id": theirs.pk, "name": "Member's own", "kind": "circle", "role": "owner"},
    ]
    held = Api(device_for(therapist)[1]).get("me").json()["circles"]
    assert held == [{"id": therapy_circle.pk, "name": "With my therapist", "kind": "therapy",
                     "role": "therapist"}]


# --- PUT posts --------------------------------------------------------------------------


def test_put_creates_a_post_and_tells_the_circle(writer_api, writer, member, circle) -> None:
    r = writer_api.put("posts/entry-7", post_body([circle.pk], is_excerpt=True))
    assert r.status_code == 201
    body = r.json()
    post = Post.objects.get(author=writer, local_id="entry-7")
    assert body == {"id": post.pk, "local_id": "entry-7",
                    "url": f"http://testserver/posts/{post.pk}/",
                    "circles": [circle.pk], "updated": post.updated.isoformat()}
    assert post.title == "After Tuesday" and post.body == "I could *not* say it."
    assert post.is_excerpt is True
    assert post.written_at == datetime(2024, 5, 1, 16, 30, tzinfo=UTC)
    note = Notification.objects.get(user=member)
    assert (note.kind, note.url) == ("post", f"/posts/{post.pk}/")
    assert note.text == "Lantern shared “After Tuesday”."
    assert not Notification.objects.filter(user=writer).exists()  # never the writer


def test_the_url_uses_the_public_base_when_set(writer_api, circle, settings) -> None:
    settings.CIRCLE_BASE_URL = "https://circle.example"
    body = writer_api.put("posts/entry-7", post_body([circle.pk])).json()
    assert body["url"] == f"https://circle.example/posts/{body['id']}/"


def test_put_again_updates_without_notifying(writer_api, writer, member, circle) -> None:
    first = writer_api.put("posts/entry-7", post_body([circle.pk])).json()
    r = writer_api.put("posts/entry-7", post_body([circle.pk], title="Edited", body="New words"))
    assert r.status_code == 200
    again = r.json()
    assert again["id"] == first["id"]
    assert again["updated"] > first["updated"]
    post = Post.objects.get(pk=first["id"])
    assert (post.title, post.body) == ("Edited", "New words")
    assert Notification.objects.filter(user=member).count() == 1
    assert Post.objects.filter(author=writer).count() == 1


def test_put_is_idempotent(writer_api, writer, circle) -> None:
    a = writer_api.put("posts/entry-7", post_body([circle.pk]))
    b = writer_api.put("posts/entry-7", post_body([circle.pk]))
    c = writer_api.put("posts/entry-7", post_body([circle.pk]))
    assert (a.status_code, b.status_code, c.status_code) == (201, 200, 200)
    assert a.json()["id"] == b.json()["id"] == c.json()["id"]
    assert Post.objects.filter(author=writer).count() == 1


def test_a_post_lives_in_one_circle(writer_api, writer, circle, therapy_circle) -> None:
    r = writer_api.put("posts/entry-7", post_body([circle.pk, therapy_circle.pk]))
    assert error_of(r, 400, "invalid")["fields"] == {"circles": (
        "A post lives in one circle, so each circle keeps its own conversation: share it "
        "with each circle separately.")}
    assert not Post.objects.filter(author=writer).exists()


def test_each_circle_gets_its_own_post_and_only_its_people_hear(
        writer_api, writer, member, therapist, circle, therapy_circle) -> None:
    mine = writer_api.put("posts/entry-7.c1", post_body([circle.pk])).json()
    hers = writer_api.put("posts/entry-7.c2", post_body([therapy_circle.pk])).json()
    assert (mine["circles"], hers["circles"]) == ([circle.pk], [therapy_circle.pk])
    assert mine["id"] != hers["id"]
    assert [n.url for n in Notification.objects.filter(user=member)] == [
        f"/posts/{mine['id']}/"]
    assert [n.url for n in Notification.objects.filter(user=therapist, kind="post")] == [
        f"/posts/{hers['id']}/"]
    assert list(access.posts_for(therapist).values_list("pk", flat=True)) == [hers["id"]]
    assert list(access.posts_for(member).values_list("pk", flat=True)) == [mine["id"]]


@pytest.mark.parametrize("other", ["therapy", "none"])
def test_a_post_stays_in_its_circle(writer_api, circle, therapy_circle,
                                    post, comment, other) -> None:
    """Moving it would show the circle's conversation to another circle (or, for a post
    left with no circle, to a new one)."""
    if other == "none":
        post.circles.clear()
    r = writer_api.put("posts/entry-1", post_body([therapy_circle.pk]))
    assert fields_of(r) == {"circles": (
        "A post stays in the circle it was shared with, so that circle's conversation stays "
        "there: to share it with another circle, send it there under its own local_id (and "
        "DELETE this one if it should go).")}
    expected = [] if other == "none" else [circle]
    assert list(Post.objects.get(pk=post.pk).circles.all()) == expected
    assert writer_api.put("posts/entry-1", post_body([circle.pk])).status_code == (
        400 if other == "none" else 200)


def test_quiet_members_are_not_notified(writer_api, member, circle) -> None:
    member.quiet = True
    member.save()
    writer_api.put("posts/entry-7", post_body([circle.pk]))
    assert not Notification.objects.filter(user=member).exists()


def test_a_circle_the_writer_does_not_own_is_refused(writer_api, writer, circle, other_circle,
                                                     make_circle, other_writer) -> None:
    # Member of it is not enough: only owned circles can be shared into.
    joined = make_circle(other_writer, "Joined", members=[writer])
    for ids in ([other_circle.pk], [joined.pk], [999_999]):
        fields = fields_of(writer_api.put("posts/entry-7", post_body(ids)))
        assert fields == {"circles": "names a circle you do not own (GET me lists yours)"}
    assert not Post.objects.filter(author=writer).exists()


@pytest.mark.parametrize(("over", "fields"), [
    ({"body": None}, {"body": "must not be null"}),
    ({"body": 5}, {"body": "must be a string"}),
    ({"body": "a\x00b"}, {"body": "contains a NUL character"}),
    ({"title": "t" * 301}, {"title": "must have at most 300 characters"}),
    ({"written_at": "2024-05-01T18:30:00"}, {"written_at": "needs a UTC offset, like +02:00 or Z"}),
    ({"written_at": "2024-05-01"}, {"written_at": "needs a UTC offset, like +02:00 or Z"}),
    ({"written_at": "yesterday"},
     {"written_at": "is not an ISO 8601 date and time, like 2024-05-01T18:30:00+02:00"}),
    ({"written_at": "0001-01-01T00:00:00+05:00"}, {"written_at": "is out of range"}),
    ({"written_at": "0999-12-31T00:00:00+00:00"},
     {"written_at": "must fall between the years 1000 and 9998"}),
    ({"written_at": 1714580000},
     {"written_at": "must be an ISO 8601 date and time with an offset, "
                    "like 2024-05-01T18:30:00+02:00"}),
    ({"is_excerpt": "yes"}, {"is_excerpt": "must be true or false"}),
    ({"is_excerpt": 1}, {"is_excerpt": "must be true or false"}),
    ({"circles": []}, {"circles": "must name at least one circle"}),
    ({"circles": "1"}, {"circles": "must be a list of circle ids"}),
    ({"circles": [True]}, {"circles": "must be a circle id (a whole number from 1)"}),
    ({"circles": [1.0]}, {"circles": "must be a circle id (a whole number from 1)"}),
    ({"circles": [0]}, {"circles": "must be a circle id (a whole number from 1)"}),
    ({"circles": [2**63]}, {"circles": "must be a circle id (a whole number from 1)"}),
    ({"circles": [1, 2]}, {"circles": api_fields.ONE_CIRCLE}),
    ({"circles": list(range(1, 52))}, {"circles": api_fields.ONE_CIRCLE}),
    ({"circles": [3, 3]}, {"circles": api_fields.ONE_CIRCLE}),
    ({"markers": ["x"]}, {"markers": "is not a field of this request"}),
])
def test_post_fields_are_validated(writer_api, writer, circle, over, fields) -> None:
    body = {**post_body([circle.pk]), **over}
    assert fields_of(writer_api.put("posts/entry-7", body)) == fields
    assert not Post.objects.filter(author=writer).exists()


def test_missing_required_fields_are_all_named(writer_api) -> None:
    assert fields_of(writer_api.put("posts/entry-7", {})) == {
        "body": "is required", "written_at": "is required", "circles": "is required"}


def test_optional_post_fields_have_defaults(writer_api, circle) -> None:
    body = {"body": "Only words.", "written_at": "2024-05-01T18:30:00Z", "circles": [circle.pk]}
    pk = writer_api.put("posts/entry-7", body).json()["id"]
    post = Post.objects.get(pk=pk)
    assert (post.title, post.is_excerpt) == ("", False)


@pytest.mark.parametrize("local_id", ["has space", "a/b", "..", ".", "x" * 101, "é", "a\nb"])
def test_a_bad_local_id_is_400(writer_api, circle, local_id) -> None:
    from urllib.parse import quote

    path = "posts/" + quote(local_id, safe="")
    r = writer_api.put(path, post_body([circle.pk]))
    assert r.status_code in (400, 404)
    if r.status_code == 400:
        assert fields_of(r) == {
            "local_id": "must be 1-100 characters of letters, digits, '.', '_', ':' or '-'"}
    else:  # an encoded slash is still a slash to the URL router
        assert local_id == "a/b"
        error_of(r, 404, "not_found")
    error_of(writer_api.delete(path), *((400, "invalid") if r.status_code == 400
                                        else (404, "not_found")))


@pytest.mark.parametrize("local_id", ["entry-12", "a", "A.b_c:d-e", "x" * 100, "..."])
def test_every_allowed_local_id_works(writer_api, circle, local_id) -> None:
    r = writer_api.put(f"posts/{local_id}", post_body([circle.pk]))
    assert r.status_code == 201 and r.json()["local_id"] == local_id
    assert writer_api.delete(f"posts/{local_id}").status_code == 204


def test_each_writer_has_their_own_local_ids(writer_api, writer, other_writer, post,
                                             other_circle) -> None:
    # ``post`` is the writer's entry-1; the other writer's entry-1 is a different post.
    other = Api(device_for(other_writer)[1])
    r = other.put("posts/entry-1", post_body([other_circle.pk], title="Theirs"))
    assert r.status_code == 201
    assert r.json()["id"] != post.pk
    post.refresh_from_db()
    assert post.title == "After Tuesday" and post.author == writer
    assert other.delete("posts/entry-1").status_code == 204
    assert Post.objects.filter(pk=post.pk).exists()


# --- DELETE posts -----------------------------------------------------------------------


def test_delete_removes_the_post_with_its_comments_and_reactions(
        writer_api, post, comment, member) -> None:
    Reaction.objects.create(post=post, user=member, kind="me_too")
    r = writer_api.delete("posts/entry-1")
    assert r.status_code == 204 and r.content == b""
    assert not Post.objects.filter(pk=post.pk).exists()
    assert not Comment.objects.filter(pk=comment.pk).exists()
    assert not Reaction.objects.exists()
    error_of(writer_api.delete("posts/entry-1"), 404, "not_found")


def test_delete_of_an_unknown_post_is_404(writer_api, db) -> None:
    error_of(writer_api.delete("posts/entry-404"), 404, "not_found")


# --- GET comments -----------------------------------------------------------------------


def _changed(c: Comment, seconds_ago: float) -> Comment:
    Comment.objects.filter(pk=c.pk).update(changed=timezone.now() - timedelta(seconds=seconds_ago))
    c.refresh_from_db()
    return c


def test_comments_come_back_with_every_field(writer_api, post, member, make_comment) -> None:
    c = _changed(make_comment(post, member, "I hold **that** for you."), 60)
    reply = _changed(make_comment(post, member, "And this.", parent=c), 50)
    r = writer_api.get("comments")
    assert r.status_code == 200
    body = r.json()
    assert body["more"] is False
    assert body["comments"] == [
        {"id": c.pk, "post_local_id": "entry-1", "parent_id": None, "author": "Harbour",
         "body_html": c.body_html, "created": c.created.isoformat(), "edited_at": None,
         "status": "visible"},
        {"id": reply.pk, "post_local_id": "entry-1", "parent_id": c.pk, "author": "Harbour",
         "body_html": reply.body_html, "created": reply.created.isoformat(),
         "edited_at": None, "status": "visible"},
    ]
    assert "<strong>that</strong>" in c.body_html
    assert body["cursor"] == api.encode_cursor(reply.changed, reply.pk)


def test_statuses_removed_held_hidden_and_gone_authors(writer_api, post, member,
                                                      make_comment) -> None:
    removed = _changed(make_comment(post, member, "Regret this.", status="removed"), 40)
    held = _changed(make_comment(post, member, "Waiting.", status="held"), 30)
    hidden = _changed(make_comment(post, member, "Hidden.", status="hidden"), 20)
    orphan = _changed(make_comment(post, None, "Left behind."), 10)
    got = {c["id"]: c for c in writer_api.get("comments").json()["comments"]}
    assert got[removed.pk]["status"] == "removed"
    assert got[removed.pk]["body_html"] == "" and got[removed.pk]["author"] == "[removed]"
    assert (got[held.pk]["status"], got[held.pk]["body_html"]) == ("held", held.body_html)
    assert (got[hidden.pk]["status"], got[hidden.pk]["author"]) == ("hidden", "Harbour")
    assert got[orphan.pk]["author"] == "[removed]"
    assert got[orphan.pk]["body_html"] == orphan.body_html


def test_only_comments_on_the_writers_own_posts(writer_api, post, other_post, outsider,
                                                member, make_comment) -> None:
    mine = _changed(make_comment(post, member), 30)
    _changed(make_comment(other_post, outsider, "Not for the writer."), 30)
    ids = [c["id"] for c in writer_api.get("comments").json()["comments"]]
    assert ids == [mine.pk]


def test_the_cursor_returns_only_later_changes(writer_api, post, member, make_comment) -> None:
    a = _changed(make_comment(post, member, "one"), 60)
    first = writer_api.get("comments").json()
    assert [c["id"] for c in first["comments"]] == [a.pk]
    again = writer_api.get("comments", {"since": first["cursor"]}).json()
    assert again["comments"] == [] and again["cursor"] == first["cursor"]
    b = _changed(make_comment(post, member, "two"), 30)
    Comment.objects.filter(pk=a.pk).update(status="removed",
                                           changed=timezone.now() - timedelta(seconds=20))
    later = writer_api.get("comments", {"since": first["cursor"]}).json()
    assert [(c["id"], c["status"]) for c in later["comments"]] == [
        (b.pk, "visible"), (a.pk, "removed")]


def test_equal_times_are_ordered_by_id(writer_api, post, member, make_comment) -> None:
    moment = timezone.now() - timedelta(minutes=5)
    made = [make_comment(post, member, f"c{i}") for i in range(3)]
    Comment.objects.filter(pk__in=[c.pk for c in made]).update(changed=moment)
    page = writer_api.get("comments").json()
    assert [c["id"] for c in page["comments"]] == sorted(c.pk for c in made)
    cursor = api.encode_cursor(moment, made[0].pk)
    rest = writer_api.get("comments", {"since": cursor}).json()["comments"]
    assert [c["id"] for c in rest] == sorted(c.pk for c in made)[1:]


def test_fresh_changes_come_again_until_they_settle(writer_api, post, member,
                                                    make_comment, monkeypatch) -> None:
    fresh = make_comment(post, member, "just now")  # changed = now, within SETTLE
    first = writer_api.get("comments").json()
    assert [c["id"] for c in first["comments"]] == [fresh.pk]
    second = writer_api.get("comments", {"since": first["cursor"]}).json()
    assert [c["id"] for c in second["comments"]] == [fresh.pk]  # sent again, by id
    monkeypatch.setattr(api, "SETTLE", timedelta(0))  # as if the seconds had passed
    third = writer_api.get("comments", {"since": second["cursor"]}).json()
    assert [c["id"] for c in third["comments"]] == [fresh.pk]
    assert third["cursor"] == api.encode_cursor(fresh.changed, fresh.pk)
    fourth = writer_api.get("comments", {"since": third["cursor"]}).json()
    assert fourth["comments"] == [] and fourth["cursor"] == third["cursor"]


def test_comments_come_in_pages_of_500(writer_api, post, member) -> None:
    base = timezone.now() - timedelta(hours=1)
    Comment.objects.bulk_create(
        Comment(post=post, author=member, body=f"c{i}", body_html=f"<p>c{i}</p>",
                changed=base + timedelta(seconds=i))
        for i in range(503))
    first = writer_api.get("comments").json()
    assert len(first["comments"]) == 500 and first["more"] is True
    second = writer_api.get("comments", {"since": first["cursor"]}).json()
    assert len(second["comments"]) == 3 and second["more"] is False
    seen = [c["id"] for c in first["comments"] + second["comments"]]
    assert len(set(seen)) == 503


def test_an_empty_since_means_everything(writer_api, post, member, make_comment) -> None:
    c = _changed(make_comment(post, member), 30)
    assert [x["id"] for x in writer_api.get("comments", {"since": ""}).json()["comments"]] == [
        c.pk]


def test_no_comments_gives_an_empty_cursor(writer_api, db) -> None:
    assert writer_api.get("comments").json() == {"comments": [], "cursor": "", "more": False}


@pytest.mark.parametrize("since", ["abc", "12", "12-", "-3", "1.5-2", "2024-05-01|4",
                                   "1-2-3", "1" * 19 + "-1", "٣-٣", " 1-2"])
def test_a_cursor_the_server_did_not_give_is_400(writer_api, since) -> None:
    fields = fields_of(writer_api.get("comments", {"since": since}))
    assert fields == {"since": "is not a cursor this server gave out; omit it to start over"}


@pytest.mark.parametrize("since", ["999999999999999999-1", "1-" + "9" * 19])
def test_a_cursor_out_of_range_is_400(writer_api, since) -> None:
    assert fields_of(writer_api.get("comments", {"since": since})) == {
        "since": "is out of range; omit it to start over"}


@pytest.mark.parametrize("path", ["comments", "me"])
def test_an_unknown_query_parameter_is_400(writer_api, path) -> None:
    r = writer_api.get(path, {"sinse": "1-1", "since": ""} if path == "comments" else {"x": "1"})
    name = "sinse" if path == "comments" else "x"
    assert fields_of(r) == {name: "is not a parameter of this request"}


def test_cursor_round_trip() -> None:
    moment = datetime(2024, 5, 1, 16, 30, 0, 123456, tzinfo=UTC)
    assert api.decode_cursor(api.encode_cursor(moment, 42)) == (moment, 42)
    assert api.decode_cursor("") is None


def test_therapy_circle_posts_work_like_any_other(writer_api, therapist,
                                                  therapy_circle) -> None:
    r = writer_api.put("posts/entry-3", post_body([therapy_circle.pk]))
    assert r.status_code == 201
    assert Notification.objects.filter(user=therapist, kind="post").count() == 1
    assert Circle.objects.get(pk=therapy_circle.pk).posts.count() == 1


def test_losing_an_insert_race_updates_the_winners_row(writer, circle, monkeypatch) -> None:
    """Two sends of one entry at once: the second insert hits the unique constraint and
    becomes an update of the row the first one made (no 500, no duplicate)."""
    from django.db.models import QuerySet

    from attunement.circle.api_http import upsert

    winner = Post.objects.create(author=writer, local_id="entry-7", body="first",
                                 written_at=timezone.now())
    real_first = QuerySet.first
    calls = {"n": 0}

    def first_misses_once(self):  # the lookup ran before the other insert committed
        calls["n"] += 1
        return None if calls["n"] == 1 else real_first(self)

    monkeypatch.setattr(QuerySet, "first", first_misses_once)
    row, created = upsert(Post, {"author": writer, "local_id": "entry-7"},
                          {"body": "second", "written_at": timezone.now()})
    assert created is False and row.pk == winner.pk
    assert Post.objects.get(pk=winner.pk).body == "second"
    assert Post.objects.filter(author=writer).count() == 1
