"""The post page: reading, reactions, comments and replies, holding, editing, moderating."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

import pytest
from django.test import Client
from django.utils import timezone

from attunement.circle.models import Circle, Comment, Notification, Post, Reaction, User
from attunement.circle.ratelimit import LIMITS
from tests.circle.conftest import csp_problems, signed_in


def test_the_post_page_shows_the_post_and_its_comments(member_client: Client, post: Post,
                                                       comment: Comment) -> None:
    response = member_client.get(f"/posts/{post.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1 id=\"title\">After Tuesday</h1>" in html
    assert "<p>I could not say it in the room.</p>" in html
    assert "<p>I remember when you felt safe with her.</p>" in html
    assert response["Cache-Control"] == "no-store"
    assert csp_problems(html) == []


def test_a_member_sees_only_the_circles_they_are_in(member_client: Client, writer_client: Client,
                                                    post: Post, therapy_circle: Circle) -> None:
    post.circles.add(therapy_circle)
    assert "With my therapist" not in member_client.get(f"/posts/{post.pk}/").content.decode()
    assert "With my therapist" in writer_client.get(f"/posts/{post.pk}/").content.decode()


def test_reactions_toggle_and_count(member_client: Client, writer_client: Client, post: Post,
                                    writer: User) -> None:
    member_client.post(f"/posts/{post.pk}/react", {"kind": "sending_care"})
    writer_client.post(f"/posts/{post.pk}/react", {"kind": "sending_care"})
    html = member_client.get(f"/posts/{post.pk}/").content.decode()
    assert 'aria-pressed="true">Sending care<span class="n">2</span>' in html
    assert 'aria-pressed="false">Me too<span class="n">0</span>' in html
    member_client.post(f"/posts/{post.pk}/react", {"kind": "sending_care"})
    assert Reaction.objects.filter(post=post).count() == 1
    assert Notification.objects.get(user=writer).text == "Harbour: sending care."
    bad = member_client.post(f"/posts/{post.pk}/react", {"kind": "upvote"}, follow=True)
    assert "Unknown reaction." in bad.content.decode()


def test_a_comment_notifies_the_writer(member_client: Client, post: Post, writer: User) -> None:
    response = member_client.post(f"/posts/{post.pk}/comment", {"body": "I *hear* you."})
    c = Comment.objects.get(post=post)
    assert response["Location"] == f"/posts/{post.pk}/#c{c.pk}"
    assert c.body_html == "<p>I <em>hear</em> you.</p>" and c.depth == 0
    n = Notification.objects.get(user=writer)
    assert (n.kind, n.text, n.url) == ("comment", "Harbour commented on After Tuesday.",
                                       f"/comments/{c.pk}/")


def test_a_reply_stays_under_what_it_answers_and_tells_its_addressee(
        writer_client: Client, member_client: Client, post: Post, comment: Comment,
        member: User, writer: User, make_user, circle: Circle) -> None:
    writer_client.post(f"/posts/{post.pk}/comment", {"body": "Thank you.", "parent": comment.pk})
    reply = Comment.objects.get(parent=comment)
    assert reply.depth == 1
    assert Notification.objects.get(user=member).kind == "reply"
    assert not Notification.objects.filter(user=writer).exists()  # never told of oneself
    html = member_client.get(f"/posts/{post.pk}/").content.decode()
    first, second = html.index(f'id="c{comment.pk}"'), html.index(f'id="c{reply.pk}"')
    assert first < second
    assert '<ol class="thread">' in html[first:second]


def test_a_reply_to_a_comment_of_another_post_is_not_found(member_client: Client, post: Post,
                                                            make_post, writer: User,
                                                            circle: Circle,
                                                            make_comment) -> None:
    elsewhere = make_comment(make_post(writer, [circle]), None, "x")
    response = member_client.post(f"/posts/{post.pk}/comment",
                                  {"body": "hi", "parent": elsewhere.pk})
    assert response.status_code == 404
    assert not Comment.objects.filter(post=post).exists()


def test_held_comments_wait_for_the_writer(writer_client: Client, member_client: Client,
                                           post: Post, circle: Circle, writer: User,
                                           make_user) -> None:
    circle.hold_comments = True
    circle.save()
    response = member_client.post(f"/posts/{post.pk}/comment", {"body": "Held words"},
                                  follow=True)
    assert "Your comment waits for the writer's approval." in unescape(response.content.decode())
    c = Comment.objects.get(post=post)
    assert c.status == "held"
    assert Notification.objects.get(user=writer).kind == "held"
    other = make_user("other", "Other member")
    circle.memberships.create(user=other, role="member")
    assert "Held words" not in signed_in(other).get(f"/posts/{post.pk}/").content.decode()
    assert "Held words" in member_client.get(f"/posts/{post.pk}/").content.decode()
    owner_html = writer_client.get(f"/posts/{post.pk}/").content.decode()
    assert "Held words" in owner_html and "waiting for approval" in owner_html
    writer_client.post(f"/comments/{c.pk}/moderate", {"action": "approve"})
    c.refresh_from_db()
    assert c.status == "visible"
    assert "Held words" in signed_in(other).get(f"/posts/{post.pk}/").content.decode()


def test_the_writers_own_comments_are_never_held(writer_client: Client, post: Post,
                                                 circle: Circle) -> None:
    circle.hold_comments = True
    circle.save()
    writer_client.post(f"/posts/{post.pk}/comment", {"body": "Mine"})
    assert Comment.objects.get(post=post).status == "visible"


def test_editing_within_fifteen_minutes(member_client: Client, comment: Comment) -> None:
    form = member_client.get(f"/comments/{comment.pk}/edit").content.decode()
    assert "I remember when you felt safe with her." in form
    response = member_client.post(f"/comments/{comment.pk}/edit", {"body": "Changed **words**"})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.body_html == "<p>Changed <strong>words</strong></p>"
    assert comment.edited_at is not None and comment.changed >= comment.edited_at
    assert "· edited" in member_client.get(response["Location"]).content.decode()


def test_editing_after_fifteen_minutes_is_refused_clearly(member_client: Client,
                                                          comment: Comment) -> None:
    Comment.objects.filter(pk=comment.pk).update(created=timezone.now() - timedelta(minutes=16))
    response = member_client.post(f"/comments/{comment.pk}/edit", {"body": "too late"})
    assert response.status_code == 403
    assert ("Comments can be changed for 15 minutes after they are posted; this one is older, "
            "so it stays as it is. You can still delete it.") in response.content.decode()
    comment.refresh_from_db()
    assert comment.body == "I remember when you felt safe with her."


def test_an_edit_keeps_the_length_limit(member_client: Client, comment: Comment) -> None:
    response = member_client.post(f"/comments/{comment.pk}/edit", {"body": "z" * 20_001})
    assert response.status_code == 400
    assert "A comment can be at most 20,000 characters; this one has 20,001." in (
        response.content.decode())


def test_deleting_a_comment_without_replies_makes_it_vanish(
        member_client: Client, comment: Comment, post: Post) -> None:
    member_client.post(f"/comments/{comment.pk}/delete")
    comment.refresh_from_db()
    assert (comment.status, comment.body, comment.body_html) == ("removed", "", "")
    html = member_client.get(f"/posts/{post.pk}/").content.decode()
    assert f'id="c{comment.pk}"' not in html and "[removed]" not in html


def test_deleting_a_comment_with_replies_leaves_a_removed_mark(
        member_client: Client, writer_client: Client, comment: Comment, post: Post,
        make_comment, writer: User) -> None:
    reply = make_comment(post, writer, "Still here")
    Comment.objects.filter(pk=reply.pk).update(parent=comment, depth=1)
    member_client.post(f"/comments/{comment.pk}/delete")
    html = writer_client.get(f"/posts/{post.pk}/").content.decode()
    assert f'<p class="meta" id="h{comment.pk}">[removed]</p>' in html
    assert "I remember when" not in html
    assert "Still here" in html


@pytest.mark.parametrize(("start", "action", "after"), [
    ("visible", "hide", "hidden"), ("hidden", "show", "visible"), ("held", "approve", "visible"),
    ("visible", "remove", "removed"), ("held", "hide", "hidden"), ("hidden", "remove", "removed"),
])
def test_moderation_moves_a_comment(writer_client: Client, comment: Comment, start: str,
                                    action: str, after: str) -> None:
    Comment.objects.filter(pk=comment.pk).update(status=start)
    writer_client.post(f"/comments/{comment.pk}/moderate", {"action": action})
    comment.refresh_from_db()
    assert comment.status == after
    assert (comment.body == "") == (after == "removed")


@pytest.mark.parametrize(("start", "action"), [("visible", "show"), ("visible", "approve"),
                                               ("hidden", "approve"), ("held", "show")])
def test_moderation_that_does_not_apply_says_so(writer_client: Client, comment: Comment,
                                                start: str, action: str) -> None:
    Comment.objects.filter(pk=comment.pk).update(status=start)
    response = writer_client.post(f"/comments/{comment.pk}/moderate", {"action": action},
                                  follow=True)
    assert "That does not apply: the comment is" in response.content.decode()
    comment.refresh_from_db()
    assert comment.status == start


def test_an_unknown_moderation_action_is_refused(writer_client: Client,
                                                 comment: Comment) -> None:
    response = writer_client.post(f"/comments/{comment.pk}/moderate", {"action": "ban"},
                                  follow=True)
    assert "Unknown moderation action." in response.content.decode()


def test_a_hidden_comment_shows_to_its_author_and_the_writer_only(
        writer_client: Client, member_client: Client, comment: Comment, post: Post,
        make_user, circle: Circle) -> None:
    writer_client.post(f"/comments/{comment.pk}/moderate", {"action": "hide"})
    other = make_user("other", "Other")
    circle.memberships.create(user=other, role="member")
    assert "I remember" not in signed_in(other).get(f"/posts/{post.pk}/").content.decode()
    assert "hidden by the writer" in member_client.get(f"/posts/{post.pk}/").content.decode()
    assert "I remember" in writer_client.get(f"/posts/{post.pk}/").content.decode()


def test_commenting_is_rate_limited(member_client: Client, post: Post) -> None:
    for i in range(LIMITS["comment"][0]):
        assert member_client.post(f"/posts/{post.pk}/comment",
                                  {"body": f"n{i}"}).status_code == 302
    response = member_client.post(f"/posts/{post.pk}/comment", {"body": "one more"})
    assert response.status_code == 429
    assert "Too many comments in a short time; try again in 5 minutes." in (
        response.content.decode())
    assert "one more" in response.content.decode()  # the words are kept in the form


def test_a_comment_link_finds_the_comment(member_client: Client, comment: Comment,
                                          post: Post) -> None:
    response = member_client.get(f"/comments/{comment.pk}/")
    assert response["Location"] == f"/posts/{post.pk}/#c{comment.pk}"


def test_later_threads_are_on_later_pages(member_client: Client, post: Post, member: User,
                                          make_comment) -> None:
    comments = [make_comment(post, member, f"thread {i}") for i in range(25)]
    assert member_client.get(f"/comments/{comments[24].pk}/")["Location"] == (
        f"/posts/{post.pk}/?from=20#c{comments[24].pk}")
    page2 = member_client.get(f"/posts/{post.pk}/?from=20").content.decode()
    assert "thread 24" in page2 and "thread 3<" not in page2
    assert f'href="/posts/{post.pk}/#comments">Earlier comments' in page2


def test_notifications_link_to_comments_that_moved(member_client: Client, post: Post,
                                                   comment: Comment, make_comment,
                                                   writer: User) -> None:
    """A deep reply's notification opens the page where it is shown."""
    parent = comment
    for depth in range(1, 9):
        parent = make_comment(post, writer if depth % 2 else None, f"level {depth}",
                              parent=parent)
    target = member_client.get(f"/comments/{parent.pk}/")["Location"]
    assert target.startswith(f"/comments/{comment.pk}/thread?from=")
    assert f'id="c{parent.pk}"' in member_client.get(target).content.decode()
