"""Notifications name what they are about, and go when it goes (review findings 3 and 7).

A notification quotes shared things: a post's title, a check-in's date and alert, a
person's shown name. It must not outlive the post, the check-in, the alert, the
membership through which it was seen, or the account of the person who acted. And a
reaction toggled in a loop must not fill the writer's list.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from attunement.circle import ratelimit
from attunement.circle.accounts import accept_invitation, delete_account, remove_member
from attunement.circle.models import (
    Alert,
    Circle,
    Comment,
    Membership,
    Notification,
    Post,
    User,
)
from attunement.circle.views_posts import REACT_WAIT, notify_reply

from .api_support import Api, checkin_body, device_for, note_body, post_body


@pytest.fixture
def writer_api(writer: User) -> Api:
    return Api(device_for(writer)[1])


def _of(user: User, **subject: Any) -> list[Notification]:
    return list(Notification.objects.filter(user=user, **subject))


# --- every call site names its subject ------------------------------------------------


def test_a_new_post_names_the_post_its_circle_and_the_writer(writer_api: Api, writer: User,
                                                            member: User, circle: Circle) -> None:
    assert writer_api.put("posts/e-1", post_body([circle.pk])).status_code == 201
    post = Post.objects.get(local_id="e-1")
    [n] = _of(member)
    assert (n.kind, n.post, n.circle, n.actor) == ("post", post, circle, writer)


def test_comments_replies_and_reactions_name_the_post(member_client: Client, writer: User,
                                                      member: User, post: Post,
                                                      make_comment) -> None:  # type: ignore[no-untyped-def]
    writers_comment = make_comment(post, writer, "Thank you all.")
    member_client.post(f"/posts/{post.pk}/comment", {"body": "Always.",
                                                     "parent": writers_comment.pk})
    member_client.post(f"/posts/{post.pk}/react", {"kind": "sending_care"})
    kinds = {n.kind: n for n in _of(writer)}
    assert set(kinds) == {"comment", "reaction"}
    for n in kinds.values():
        assert (n.post, n.actor) == (post, member)
    # A reply to someone other than the writer names the post too.
    answer = _friend_answers(member, post)
    [reply] = _of(member, kind="reply")
    assert (reply.post, reply.actor) == (post, answer.author)


def test_joining_names_the_circle(writer: User, invitation, make_user) -> None:  # type: ignore[no-untyped-def]
    newcomer = make_user("newcomer")
    circle = accept_invitation(invitation.secret, newcomer)
    [n] = _of(writer, kind="joined")
    assert (n.circle, n.actor) == (circle, newcomer)


def test_notes_and_alerts_name_the_therapy_circle_and_the_checkin(
        writer_api: Api, writer: User, therapist: User, therapy_circle: Circle) -> None:
    writer_api.put("notes/n-1", note_body(therapy_circle.pk))
    writer_api.put("checkins/c-1", checkin_body(therapy_circle.pk, tension=True))
    note = Notification.objects.get(user=therapist, kind="note")
    assert (note.circle, note.actor) == (therapy_circle, writer)
    alert = Notification.objects.get(user=therapist, kind="alert")
    assert alert.checkin is not None and alert.checkin.local_id == "c-1"
    assert (alert.circle, alert.actor) == (therapy_circle, writer)
    assert alert.alert == Alert.objects.get(checkin=alert.checkin, reason="tension")


def _friend_answers(member: User, post: Post) -> Comment:
    """A friend in the post's circle answers a comment of ``member`` (who is notified)."""
    friend = User.objects.create(username="friend", display_name="Friend")
    Membership.objects.create(circle=post.circles.get(), user=friend, role="member")
    mine = Comment.objects.create(post=post, author=member, body="m", body_html="m")
    answer = Comment.objects.create(post=post, author=friend, parent=mine, body="r",
                                    body_html="r", depth=1)
    notify_reply(answer, friend)
    return answer


# --- they go when their subject goes ------------------------------------------------------


def test_deleting_a_post_takes_every_notification_about_it(
        writer_api: Api, writer: User, member: User, circle: Circle,
        member_client: Client) -> None:
    writer_api.put("posts/e-1", post_body([circle.pk], title="Something private"))
    post = Post.objects.get(local_id="e-1")
    member_client.post(f"/posts/{post.pk}/comment", {"body": "I read it."})
    member_client.post(f"/posts/{post.pk}/react", {"kind": "me_too"})
    assert len(_of(member)) == 1 and len(_of(writer)) == 2
    assert writer_api.delete("posts/e-1").status_code == 204
    assert not Notification.objects.filter(text__contains="Something private").exists()
    assert _of(member) == [] and _of(writer) == []


def test_withdrawing_a_checkin_takes_its_alert_notification(
        writer_api: Api, therapist: User, therapy_circle: Circle) -> None:
    writer_api.put("checkins/c-1", checkin_body(therapy_circle.pk, tension=True))
    assert len(_of(therapist, kind="alert")) == 1
    assert writer_api.delete("checkins/c-1").status_code == 204
    assert _of(therapist, kind="alert") == []


def test_an_edit_that_withdraws_an_unseen_alert_takes_its_notification(
        writer_api: Api, therapist: User, therapy_circle: Circle) -> None:
    writer_api.put("checkins/c-1", checkin_body(therapy_circle.pk, tension=True))
    writer_api.put("checkins/c-2", checkin_body(therapy_circle.pk, tension=True,
                                                completed_at="2024-05-08T18:30:00+02:00"))
    assert len(_of(therapist, kind="alert")) == 2
    Alert.objects.filter(checkin__local_id="c-2").update(seen_at="2024-05-09T10:00:00Z")
    writer_api.put("checkins/c-1", checkin_body(therapy_circle.pk, tension=False))
    writer_api.put("checkins/c-2", checkin_body(therapy_circle.pk, tension=False,
                                                completed_at="2024-05-08T18:30:00+02:00"))
    # The unseen one went with its notification; the seen one stays, as a record.
    [left] = _of(therapist, kind="alert")
    assert left.checkin is not None and left.checkin.local_id == "c-2"


def test_a_removed_member_loses_what_the_circle_told_them(
        writer_api: Api, writer: User, member: User, circle: Circle, make_circle,
        member_client: Client) -> None:  # type: ignore[no-untyped-def]
    second = make_circle(writer, "Second circle", members=[member])
    writer_api.put("posts/e-1", post_body([circle.pk], title="Only for the first"))
    writer_api.put("posts/e-2", post_body([second.pk], title="For the second"))
    _friend_answers(member, Post.objects.get(local_id="e-1"))
    assert len(_of(member)) == 3
    remove_member(circle, member.pk)
    [kept] = _of(member)
    assert kept.circle == second and "For the second" in kept.text
    assert not Notification.objects.filter(user=member, text__contains="Only for the first")


def test_a_deleted_account_takes_what_it_caused(member_client: Client, writer: User,
                                                member: User, post: Post) -> None:
    member_client.post(f"/posts/{post.pk}/comment", {"body": "From me."})
    member_client.post(f"/posts/{post.pk}/react", {"kind": "me_too"})
    assert len(_of(writer)) == 2
    delete_account(member, delete_comments=False)
    assert _of(writer) == []


# --- reactions: a limit, and one unread notification per person and post --------------


def test_toggling_a_reaction_in_a_loop_notifies_once_until_read(
        member_client: Client, writer: User, post: Post) -> None:
    for kind in ("me_too", "me_too", "me_too", "sending_care", "thinking_of_you"):
        member_client.post(f"/posts/{post.pk}/react", {"kind": kind})
    assert len(_of(writer, kind="reaction")) == 1
    Notification.objects.filter(user=writer).update(read_at="2024-05-09T10:00:00Z")
    member_client.post(f"/posts/{post.pk}/react", {"kind": "me_too"})  # off: no news
    assert len(_of(writer, kind="reaction")) == 1
    member_client.post(f"/posts/{post.pk}/react", {"kind": "me_too"})  # on again: news
    assert len(_of(writer, kind="reaction")) == 2


def test_another_persons_reaction_is_news(member_client: Client, writer: User, member: User,
                                          post: Post, make_user) -> None:  # type: ignore[no-untyped-def]
    friend = make_user("friend")
    Membership.objects.create(circle=post.circles.get(), user=friend, role="member")
    member_client.post(f"/posts/{post.pk}/react", {"kind": "me_too"})
    friend_client = Client()
    friend_client.force_login(friend)
    friend_client.post(f"/posts/{post.pk}/react", {"kind": "me_too"})
    assert {n.actor for n in _of(writer, kind="reaction")} == {member, friend}


def test_reactions_are_rate_limited(member_client: Client, post: Post, monkeypatch) -> None:
    assert ratelimit.LIMITS["react"] == (60, 300)
    monkeypatch.setitem(ratelimit.LIMITS, "react", (3, 300))
    for _ in range(3):
        assert member_client.post(f"/posts/{post.pk}/react",
                                  {"kind": "me_too"}).status_code == 302
    refused = member_client.post(f"/posts/{post.pk}/react", {"kind": "me_too"})
    assert refused.status_code == 429
    assert REACT_WAIT.format(n="5 minutes") in refused.content.decode()
    assert "Too many reactions in a short time; try again in 5 minutes." in (
        refused.content.decode())
    assert 290 <= int(refused["Retry-After"]) <= 301
    assert post.reactions.count() == 1  # on, off, on: the fourth changed nothing
