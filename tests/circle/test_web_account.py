"""The person's own pages: notifications, quiet mode, account, deleting it, journals."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from attunement.circle.models import (
    Circle,
    Comment,
    DeviceToken,
    Membership,
    Notification,
    Post,
    User,
    token_hash,
)
from tests.circle.conftest import PASSWORD, csp_problems, without_csrf

# --- notifications ----------------------------------------------------------------


def test_notifications_list_and_mark_read(member_client: Client, member: User) -> None:
    a = Notification.objects.create(user=member, kind="reply", text="Lantern replied to you.",
                                    url="/comments/1/")
    Notification.objects.create(user=member, kind="comment", text="Second thing.")
    html = member_client.get("/notifications").content.decode()
    assert '<a href="/comments/1/">Lantern replied to you.</a>' in html
    assert html.count("notification unread") == 2
    assert csp_problems(html) == []
    member_client.post("/notifications/read", {"id": a.pk})
    assert Notification.objects.filter(user=member, read_at__isnull=True).count() == 1
    member_client.post("/notifications/read")
    assert not Notification.objects.filter(user=member, read_at__isnull=True).exists()


def test_marking_read_touches_only_ones_own(member_client: Client, writer: User) -> None:
    theirs = Notification.objects.create(user=writer, kind="comment", text="x")
    member_client.post("/notifications/read", {"id": theirs.pk})
    member_client.post("/notifications/read")
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_quiet_mode_stops_notifications(writer_client: Client, member_client: Client,
                                        writer: User, post: Post) -> None:
    writer_client.post("/account", {"display_name": "Lantern", "quiet": "on"})
    writer.refresh_from_db()
    assert writer.quiet
    member_client.post(f"/posts/{post.pk}/comment", {"body": "hello"})
    assert not Notification.objects.filter(user=writer).exists()
    html = writer_client.get("/notifications").content.decode()
    assert "Quiet mode is on" in html


# --- account ----------------------------------------------------------------------


def test_changing_the_shown_name(member_client: Client, member: User) -> None:
    response = member_client.post("/account", {"display_name": "New \u202ename"})
    assert response["Location"] == "/account"
    member.refresh_from_db()
    assert member.display_name == "New name"
    empty = member_client.post("/account", {"display_name": "  "})
    assert empty.status_code == 400
    assert "Your shown name cannot be empty." in empty.content.decode()


def test_changing_the_password(member_client: Client, member: User) -> None:
    new = "another calm long passphrase"
    response = member_client.post("/account/password", {
        "old_password": PASSWORD, "new_password1": new, "new_password2": new})
    assert response["Location"] == "/account"
    member.refresh_from_db()
    assert member.check_password(new)
    assert member_client.get("/account").status_code == 200  # still signed in


def test_changing_the_password_disconnects_every_journal(writer_client: Client, writer: User,
                                                        writer_device) -> None:  # type: ignore[no-untyped-def]
    """Review finding 11: whoever learnt the old password may have connected a journal."""
    from .api_support import Api, claim_code

    _, code = claim_code(writer)
    assert Api(writer_device.secret).get("me").status_code == 200
    new = "another calm long passphrase"
    response = writer_client.post("/account/password", {
        "old_password": PASSWORD, "new_password1": new, "new_password2": new}, follow=True)
    assert ("Your password is changed. Journals connected to this account were disconnected; "
            "connect them again with a new link.") in response.content.decode()
    assert Api(writer_device.secret).get("me").status_code == 401
    assert Api().post("connect", {"code": code}).status_code == 400  # the open link too
    assert not DeviceToken.objects.filter(user=writer, revoked=False).exists()
    assert "No journal is connected." in writer_client.get("/connect").content.decode()


def test_changing_the_password_without_journals_says_only_that(member_client: Client) -> None:
    new = "another calm long passphrase"
    response = member_client.post("/account/password", {
        "old_password": PASSWORD, "new_password1": new, "new_password2": new}, follow=True)
    html = response.content.decode()
    assert "Your password is changed." in html and "disconnected" not in html


def test_a_wrong_current_password_changes_nothing(member_client: Client, member: User) -> None:
    response = member_client.post("/account/password", {
        "old_password": "not my password", "new_password1": "x" * 12, "new_password2": "x" * 12})
    assert response.status_code == 400
    assert "Your old password was entered incorrectly." in response.content.decode()
    member.refresh_from_db()
    assert member.check_password(PASSWORD)


def test_the_account_page_renders_under_the_csp(member_client: Client) -> None:
    html = member_client.get("/account").content.decode()
    assert "autofocus" not in html
    assert csp_problems(html) == []


def _delete(c: Client, choice: str, password: str = PASSWORD) -> object:
    return c.post("/account/delete", {"comments": choice, "password": password})


@pytest.fixture
def threaded(post: Post, comment: Comment, make_comment, writer: User) -> Comment:
    """The member's comment has a reply by the writer; the member has a lone one too."""
    make_comment(post, writer, "A reply under it", parent=comment)
    return make_comment(post, comment.author, "A lone comment")


def test_deleting_the_account_and_its_words(member_client: Client, member: User,
                                            comment: Comment, threaded: Comment,
                                            writer_client: Client, post: Post,
                                            member_device) -> None:
    response = _delete(member_client, "delete")
    assert response["Location"] == "/login"
    assert not User.objects.filter(pk=member.pk).exists()
    assert not Membership.objects.filter(user_id=member.pk).exists()
    assert not DeviceToken.objects.filter(user_id=member.pk).exists()
    for c in Comment.objects.filter(pk__in=[comment.pk, threaded.pk]):
        assert (c.author_id, c.body, c.body_html, c.status) == (None, "", "", "removed")
    html = writer_client.get(f"/posts/{post.pk}/").content.decode()
    assert f'<p class="meta" id="h{comment.pk}">[removed]</p>' in html
    assert f'id="c{threaded.pk}"' not in html  # nothing under it: gone
    assert "A reply under it" in html


def test_deleting_the_account_but_keeping_the_words(member_client: Client, comment: Comment,
                                                    writer_client: Client, post: Post) -> None:
    _delete(member_client, "keep")
    comment.refresh_from_db()
    assert comment.author_id is None and comment.status == "visible"
    html = writer_client.get(f"/posts/{post.pk}/").content.decode()
    assert "<strong>[removed]</strong>" in html
    assert "I remember when you felt safe with her." in html


def test_a_writer_leaving_takes_their_circles_and_posts(writer_client: Client, writer: User,
                                                        circle: Circle, post: Post,
                                                        comment: Comment) -> None:
    _delete(writer_client, "delete")
    assert not Circle.objects.filter(pk=circle.pk).exists()
    assert not Post.objects.filter(pk=post.pk).exists()
    assert not Comment.objects.filter(pk=comment.pk).exists()


@pytest.mark.parametrize(("data", "message"), [
    ({"comments": "delete", "password": "wrong one"}, "That is not your password."),
    ({"password": PASSWORD}, "Choose what happens to your comments."),
])
def test_deleting_needs_the_password_and_a_choice(member_client: Client, member: User,
                                                  data: dict[str, str], message: str) -> None:
    response = member_client.post("/account/delete", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert User.objects.filter(pk=member.pk).exists()


# --- connected journals -----------------------------------------------------------


@pytest.fixture
def member_device(member: User) -> DeviceToken:
    return DeviceToken.objects.create(user=member, name="Phone", claim_hash="a" * 64,
                                      claim_expires_at=timezone.now())


CONNECT_LINK = re.compile(r"http://testserver/connect/([A-Za-z0-9_-]{43})")


def test_connecting_a_journal_shows_a_one_time_link(writer_client: Client,
                                                    writer: User) -> None:
    response = writer_client.post("/connect", {"name": "Laptop"})
    html = response.content.decode()
    codes = CONNECT_LINK.findall(html)
    assert len(codes) == 1
    device = DeviceToken.objects.get(user=writer)
    assert device.claim_hash == token_hash(codes[0])
    assert device.name == "Laptop" and device.token_hash is None
    minutes = (device.claim_expires_at - timezone.now()).total_seconds() / 60
    assert 59 < minutes <= 60
    assert "Settings → Sharing" in html
    assert csp_problems(html) == []
    listing = writer_client.get("/connect").content.decode()
    assert CONNECT_LINK.findall(listing) == []
    assert "waiting for the journal" in listing


def test_connected_and_expired_devices_are_described(writer_client: Client,
                                                     writer_device) -> None:
    DeviceToken.objects.create(user=writer_device.obj.user, name="Old link", claim_hash="b" * 64,
                               claim_expires_at=timezone.now() - timedelta(hours=2))
    html = writer_client.get("/connect").content.decode()
    assert "<strong>Laptop journal</strong> · connected" in html
    assert "<strong>Old link</strong> · link expired, never used" in html


def test_revoking_a_device(writer_client: Client, writer_device) -> None:
    response = writer_client.post(f"/connect/devices/{writer_device.obj.pk}/revoke")
    assert response["Location"] == "/connect"
    writer_device.obj.refresh_from_db()
    assert writer_device.obj.revoked
    assert "<strong>Laptop journal</strong>" not in writer_client.get("/connect").content.decode()
    again = writer_client.post(f"/connect/devices/{writer_device.obj.pk}/revoke")
    assert again.status_code == 404


def test_a_connection_link_opened_in_a_browser_explains_itself(client: Client) -> None:
    """The same page for any code, signed in or not: it checks nothing, tells nothing."""
    a = without_csrf(client.get("/connect/some-code").content.decode())
    b = without_csrf(client.get("/connect/another").content.decode())
    assert "Settings → Sharing" in a
    assert a.replace("some-code", "") == b.replace("another", "")
    assert csp_problems(a) == []
