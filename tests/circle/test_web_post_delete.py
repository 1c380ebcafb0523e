"""The writer deletes a post on the server (review finding 4, the server's side).

A post must never become impossible to withdraw: when the journal that shared it is
disconnected or gone, the writer deletes it here, after a confirmation page. Who else
may do what is in the authorisation matrix (test_authz_pages) and CSRF in test_web_csrf.
"""

from __future__ import annotations

from django.test import Client

from attunement.circle.models import Comment, Notification, Post, Reaction, User
from attunement.circle.views_posts import DELETED
from tests.circle.conftest import csp_problems


def test_the_writer_sees_a_way_to_delete_and_a_confirmation(writer_client: Client,
                                                            member_client: Client,
                                                            post: Post, comment: Comment) -> None:
    link = f'href="/posts/{post.pk}/delete"'
    assert link in writer_client.get(f"/posts/{post.pk}/").content.decode()
    assert link not in member_client.get(f"/posts/{post.pk}/").content.decode()
    page = writer_client.get(f"/posts/{post.pk}/delete")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Delete this post?" in html and "After Tuesday" in html
    assert "with its 1 comment and its reactions. This cannot be undone." in html
    assert "unshare the entry there as well, or a later edit will share it again" in html
    assert 'name="confirm" value="delete"' in html and "csrfmiddlewaretoken" in html
    assert csp_problems(html) == []
    assert Post.objects.filter(pk=post.pk).exists()  # looking deletes nothing


def test_deleting_takes_the_post_and_everything_under_it(writer_client: Client, writer: User,
                                                         member_client: Client, post: Post,
                                                         comment: Comment) -> None:
    member_client.post(f"/posts/{post.pk}/react", {"kind": "me_too"})
    assert Notification.objects.filter(user=writer, post=post).exists()
    response = writer_client.post(f"/posts/{post.pk}/delete", {"confirm": "delete"}, follow=True)
    assert response.redirect_chain == [("/", 302)]
    assert DELETED in response.content.decode()
    assert DELETED == "The post is deleted from this server, with its comments and reactions."
    assert not Post.objects.filter(pk=post.pk).exists()
    assert not Comment.objects.filter(pk=comment.pk).exists()
    assert not Reaction.objects.exists()
    assert not Notification.objects.filter(user=writer).exists()
    assert member_client.get(f"/posts/{post.pk}/").status_code == 404


def test_a_post_without_the_confirmation_deletes_nothing(writer_client: Client,
                                                         post: Post) -> None:
    response = writer_client.post(f"/posts/{post.pk}/delete", {})
    assert response.status_code == 400
    assert "Delete this post?" in response.content.decode()
    assert Post.objects.filter(pk=post.pk).exists()


def test_a_reader_is_told_plainly_and_an_outsider_sees_nothing(
        member_client: Client, outsider_client: Client, post: Post) -> None:
    refused = member_client.post(f"/posts/{post.pk}/delete", {"confirm": "delete"})
    assert refused.status_code == 403
    assert "Only the writer of a post can delete it." in refused.content.decode()
    assert outsider_client.post(f"/posts/{post.pk}/delete",
                                {"confirm": "delete"}).status_code == 404
    assert Post.objects.filter(pk=post.pk).exists()
