"""Comments come back under their entry, threaded, inert, and follow moderation."""

from __future__ import annotations

import re
from typing import Any

import pytest

from attunement.record.models import Entry
from attunement.sharing import pull, services
from attunement.sharing.client import ApiError, CircleClient
from attunement.sharing.models import CircleComment, Connection, SentPost, Share
from attunement.sharing.render import clean_comment_html
from tests.sharing.fake_server import TOKEN, FakeCircle

pytestmark = pytest.mark.django_db
HOSTILE = (
    '<p>hi<script>alert(1)</script><img src=x onerror=alert(1)>'
    '<a href="javascript:alert(1)">click</a><a href="https://ok.example/">ok</a>'
    '<svg><script>alert(2)</script></svg><iframe src="https://evil.example"></iframe>'
    '<style>body{display:none}</style>\u202eevil</p>'
)


@pytest.fixture(autouse=True)
def sent(entry: Entry) -> None:
    """The entry's posts in the evening circle (11) and the therapy circle (12) were sent."""
    for circle in (11, 12):
        SentPost.objects.create(local_id=f"entry-{entry.pk}.c{circle}", entry_id=entry.pk,
                                circle_id=circle)


def c(cid: int, entry: Entry, *, parent: int | None = None, status: str = "visible",
      body: str = "<p>I hold that for you.</p>", author: str = "Harbour",
      circle: int = 11) -> dict[str, Any]:
    return {"id": cid, "post_local_id": f"entry-{entry.pk}.c{circle}", "parent_id": parent,
            "author": author, "body_html": body, "created": f"2026-03-02T14:0{cid % 10}:00+00:00",
            "edited_at": None, "status": status}


def run_pull(conn: Connection, fake: FakeCircle) -> int:
    return pull.pull_comments(CircleClient(fake.url, TOKEN), conn)


def test_comments_are_stored_threaded_with_the_cursor(connected: Connection, fake: FakeCircle,
                                                      entry: Entry) -> None:
    fake.comments = [c(2, entry, parent=1), c(1, entry), c(3, entry, parent=2)]  # child first
    assert run_pull(connected, fake) == 3
    one, two, three = (CircleComment.objects.get(remote_id=i) for i in (1, 2, 3))
    assert (two.parent_id, three.parent_id, one.parent_id) == (one.pk, two.pk, None)
    assert one.entry_id == entry.pk and one.author == "Harbour"
    assert (one.circle_id, one.circle_name, one.from_therapy) == (11, "Evening circle", False)
    connected.refresh_from_db()
    assert connected.comments_cursor == "3" and connected.pull_error == ""
    assert fake.paths()[-1] == "GET /api/v1/comments"
    run_pull(connected, fake)
    assert fake.paths()[-1] == "GET /api/v1/comments?since=3"


def test_moderation_on_the_server_follows(connected: Connection, fake: FakeCircle,
                                          entry: Entry) -> None:
    fake.comments = [c(1, entry), c(2, entry, parent=1)]
    run_pull(connected, fake)
    fake.comments += [c(1, entry, status="hidden"),
                      c(2, entry, parent=1, status="removed", body="", author="[removed]")]
    run_pull(connected, fake)
    one, two = CircleComment.objects.get(remote_id=1), CircleComment.objects.get(remote_id=2)
    assert one.status == "hidden" and one.body_html == "<p>I hold that for you.</p>"
    assert (two.status, two.author, two.body_html, two.parent_id) == (
        "removed", "[removed]", "", one.pk)
    assert CircleComment.objects.count() == 2


def test_a_removed_comment_keeps_nothing_even_if_the_server_sent_words(
    connected: Connection, fake: FakeCircle, entry: Entry
) -> None:
    fake.comments = [c(1, entry, status="removed", body="<p>secret</p>", author="Harbour")]
    run_pull(connected, fake)
    one = CircleComment.objects.get()
    assert (one.author, one.body_html) == ("[removed]", "")


def test_hostile_html_is_made_inert_again(connected: Connection, fake: FakeCircle,
                                          entry: Entry) -> None:
    fake.comments = [c(1, entry, body=HOSTILE, author="Bad\u202eactor\x07")]
    run_pull(connected, fake)
    stored = CircleComment.objects.get()
    assert stored.author == "Badactor"
    for bad in ("<script", "onerror", "javascript:", "<svg", "<iframe", "<style", "<img",
                "\u202e", "alert(2)"):
        assert bad not in stored.body_html
    assert '<a href="https://ok.example/" rel="noopener noreferrer nofollow">ok</a>' in (
        stored.body_html)


def test_sanitising_twice_changes_nothing_more() -> None:
    once = clean_comment_html(HOSTILE)
    assert clean_comment_html(once) == once


def test_a_megabyte_comment_is_bounded() -> None:
    assert len(clean_comment_html("<p>" + "x" * 1_000_000 + "</p>")) < 300_100


@pytest.mark.parametrize("bad", [
    {"id": "7", "post_local_id": "entry-1.c11", "status": "visible"},
    {"id": 7, "post_local_id": "checkin-1", "status": "visible"},
    {"id": 7, "post_local_id": "entry-x", "status": "visible"},
    {"id": 7, "post_local_id": ["entry-1.c11"], "status": "visible"},
    {"id": 7, "post_local_id": "entry-1.c11", "status": "shouting"},
    {"id": True, "post_local_id": "entry-1.c11", "status": "visible"},
    {"id": 7, "post_local_id": "entry-999999.c11", "status": "visible"},
    {"id": 7, "post_local_id": "entry-1.c13", "status": "visible"},  # never sent there
    {"id": 7, "post_local_id": "entry-1", "status": "visible"},  # nor as one post
    "not a comment",
])
def test_what_cannot_be_placed_is_skipped(connected: Connection, fake: FakeCircle,
                                          entry: Entry, bad: Any) -> None:
    if isinstance(bad, dict) and isinstance(bad["post_local_id"], str):
        bad = {**bad, "post_local_id": bad["post_local_id"].replace("-1", f"-{entry.pk}", 1)}
    fake.comments = [bad, c(8, entry)]
    assert run_pull(connected, fake) == 1
    assert list(CircleComment.objects.values_list("remote_id", flat=True)) == [8]


@pytest.mark.parametrize("answer", [
    {"comments": "nope", "cursor": "1"},
    {"comments": [], "cursor": 5},
    {"comments": [], "cursor": "x" * 201},
    {"cursor": "1"},
])
def test_an_answer_of_the_wrong_shape_changes_nothing(connected: Connection, fake: FakeCircle,
                                                      answer: dict[str, Any]) -> None:
    fake.then(200, answer, path="comments")
    with pytest.raises(ApiError) as exc:
        run_pull(connected, fake)
    assert exc.value.why == "the server's answer was not understood"
    connected.refresh_from_db()
    assert connected.comments_cursor == "" and connected.pull_failures == 1
    assert connected.pull_error == "the server's answer was not understood"


def test_pages_are_followed_until_there_are_no_more(connected: Connection, fake: FakeCircle,
                                                     entry: Entry) -> None:
    fake.page = 2
    fake.comments = [c(i, entry) for i in range(1, 6)]
    assert run_pull(connected, fake) == 5
    assert fake.paths() == ["GET /api/v1/comments", "GET /api/v1/comments?since=2",
                            "GET /api/v1/comments?since=4"]


def test_dates_without_an_offset_or_garbage_are_handled(connected: Connection,
                                                        fake: FakeCircle, entry: Entry) -> None:
    fake.comments = [{**c(1, entry), "created": "2026-03-02T14:00:00", "edited_at": "soon"},
                     {**c(2, entry), "created": "2026-13-45T99:00:00+00:00"}]
    run_pull(connected, fake)
    one, two = CircleComment.objects.order_by("remote_id")
    assert one.created.isoformat() == "2026-03-02T14:00:00+00:00" and one.edited_at is None
    assert two.created is not None


def test_deleting_the_entry_deletes_its_kept_comments(connected: Connection, fake: FakeCircle,
                                                      entry: Entry) -> None:
    fake.comments = [c(1, entry), c(2, entry, parent=1)]
    run_pull(connected, fake)
    from attunement.record.services import delete_entry

    delete_entry(entry)
    assert not CircleComment.objects.exists()


def test_the_entry_page_shows_them_threaded_and_safe(client, connected: Connection,  # type: ignore[no-untyped-def]
                                                     fake: FakeCircle, entry: Entry) -> None:
    fake.comments = [c(1, entry), c(2, entry, parent=1, body=HOSTILE, author="Kestrel"),
                     c(3, entry, status="hidden", body="<p>unkind words</p>"),
                     c(4, entry, status="removed", body="", author="[removed]"),
                     c(5, entry, parent=4, body="<p>under a removed one</p>")]
    services.sync(pull_comments="always")
    page = client.get(f"/entries/{entry.pk}/").content.decode()
    assert 'id="circle-comments-h">Comments (5)' in page
    assert 'id="comments-c11-h">From Evening circle (5)</h3>' in page
    assert 'id="older-comments"' not in page
    assert 'id="circle-comment-2" data-status="visible" data-depth="1"' in page
    assert 'id="circle-comment-5" data-status="visible" data-depth="1"' in page
    assert "hidden by you" in page and "unkind words" in page
    assert '<p class="muted">[removed]</p>' in page
    assert "<script>alert" not in page and "javascript:alert" not in page
    assert "onerror" not in page


# --- only posts this journal sent; one conversation per circle; a bounded page ----------


def test_comments_of_an_entry_never_shared_are_not_stored(connected: Connection,
                                                          fake: FakeCircle) -> None:
    never = Entry.objects.create(title="Never shared", body="Mine alone.")
    fake.comments = [c(1, never), {**c(2, never), "post_local_id": f"entry-{never.pk}"}]
    assert run_pull(connected, fake) == 0
    assert not CircleComment.objects.exists()


def test_an_unshared_post_still_receives_its_removals(connected: Connection, fake: FakeCircle,
                                                      entry: Entry) -> None:
    fake.comments = [c(1, entry)]
    run_pull(connected, fake)
    assert not Share.objects.exists()  # the share is gone; what was sent is remembered
    fake.comments.append(c(1, entry, status="removed", body="", author="[removed]"))
    assert run_pull(connected, fake) == 1
    assert CircleComment.objects.get().status == "removed"


def test_each_comment_keeps_the_circle_of_its_post(connected: Connection, fake: FakeCircle,
                                                   entry: Entry) -> None:
    fake.comments = [c(1, entry), c(2, entry, circle=12, author="Dr. Willow")]
    run_pull(connected, fake)
    evening, therapy = CircleComment.objects.order_by("remote_id")
    assert (evening.circle_id, evening.circle_name, evening.from_therapy) == (
        11, "Evening circle", False)
    assert (therapy.circle_id, therapy.circle_name, therapy.from_therapy) == (
        12, "With my therapist", True)


def test_the_entry_page_groups_comments_by_circle(client, connected: Connection,  # type: ignore[no-untyped-def]
                                                  fake: FakeCircle, entry: Entry) -> None:
    fake.comments = [c(1, entry, body="<p>From the circle.</p>"),
                     c(2, entry, circle=12, author="Dr. Willow", body="<p>From her.</p>"),
                     c(3, entry, parent=1, author="Lantern", body="<p>My reply.</p>")]
    services.sync(pull_comments="always")
    page = client.get(f"/entries/{entry.pk}/").content.decode()
    assert 'id="circle-comments-h">Comments (3)' in page
    evening = page[page.index('id="comments-c11"'):page.index('id="comments-c12"')]
    therapy = page[page.index('id="comments-c12"'):]
    assert ">From Evening circle (2)</h3>" in evening and ">From your therapist (1)</h3>" in therapy
    assert "From the circle." in evening and "My reply." in evening
    assert "From her." not in evening
    assert "From her." in therapy and "From the circle." not in therapy
    assert 'id="circle-comment-3" data-status="visible" data-depth="1"' in evening


def test_names_are_kept_for_after_disconnecting(client, connected: Connection,  # type: ignore[no-untyped-def]
                                                fake: FakeCircle, entry: Entry) -> None:
    fake.comments = [c(1, entry), c(2, entry, circle=12)]
    services.sync(pull_comments="always")
    services.disconnect()
    page = client.get(f"/entries/{entry.pk}/").content.decode()
    assert ">From Evening circle (1)</h3>" in page and ">From your therapist (1)</h3>" in page


def test_earlier_comments_of_one_post_for_several_circles_stay_apart(
    client, connected: Connection, entry: Entry  # type: ignore[no-untyped-def]
) -> None:
    CircleComment.objects.create(entry=entry, remote_id=1, author="Harbour",
                                 body_html="<p>Before.</p>", created=entry.written_at)
    page = client.get(f"/entries/{entry.pk}/").content.decode()
    assert ('id="comments-earlier-h">Earlier comments, from when one post went to several '
            "circles (1)</h3>") in page


def test_only_the_latest_200_comments_are_shown(client, connected: Connection,  # type: ignore[no-untyped-def]
                                                entry: Entry) -> None:
    import datetime as dt

    start = entry.written_at
    CircleComment.objects.bulk_create(
        CircleComment(entry=entry, remote_id=i, author="Harbour", body_html=f"<p>n{i}</p>",
                      created=start + dt.timedelta(minutes=i), circle_id=11,
                      circle_name="Evening circle")
        for i in range(1, 206))
    page = client.get(f"/entries/{entry.pk}/").content.decode()
    assert 'id="circle-comments-h">Comments (200)' in page
    assert ('id="older-comments">Showing the latest 200 comments; 5 older ones are kept in '
            "your journal but not shown here.</p>") in page
    shown = [int(n) for n in re.findall(r'id="circle-comment-(\d+)"', page)]
    assert shown == list(range(6, 206))
