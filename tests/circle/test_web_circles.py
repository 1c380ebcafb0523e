"""Home, making circles, the circle page, its settings, invitations and members."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from attunement.circle.models import Circle, Invitation, Membership, Notification, User
from tests.circle.conftest import csp_problems, signed_in


def test_a_writer_without_circles_is_invited_to_make_one(writer_client: Client) -> None:
    html = writer_client.get("/").content.decode()
    assert "Make your first circle" in html
    assert 'href="/circles/new"' in html
    assert csp_problems(html) == []


def test_home_lists_circles_posts_and_unread_count(member_client: Client, member: User,
                                                   post, circle) -> None:
    Notification.objects.create(user=member, kind="comment", text="Someone commented.")
    html = member_client.get("/").content.decode()
    assert "Make your first circle" not in html
    assert f'<a href="/circles/{circle.pk}/">Evening circle</a>' in html
    assert f'<a href="/posts/{post.pk}/">After Tuesday</a>' in html
    assert "1 new notification" in html
    assert csp_problems(html) == []


def test_making_a_circle_makes_its_owner_a_member(writer_client: Client, writer: User) -> None:
    response = writer_client.post("/circles/new", {"name": "  Friends  ", "kind": "circle"})
    circle = Circle.objects.get(owner=writer)
    assert response["Location"] == f"/circles/{circle.pk}/"
    assert circle.name == "Friends"
    assert Membership.objects.get(circle=circle).role == "owner"


@pytest.mark.parametrize(("data", "message"), [
    ({"name": "", "kind": "circle"}, "Give the circle a name."),
    ({"name": "x" * 121, "kind": "circle"}, "Ensure this value has at most 120 characters"),
    ({"name": "Ok", "kind": "club"}, "Select a valid choice. club is not one of the available"),
])
def test_a_bad_circle_is_refused_with_a_reason(writer_client: Client, data: dict[str, str],
                                               message: str) -> None:
    response = writer_client.post("/circles/new", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Circle.objects.exists()


def test_the_owner_sees_members_and_settings_a_member_does_not(
        writer_client: Client, member_client: Client, circle: Circle, member: User,
        post) -> None:
    owner_html = writer_client.get(f"/circles/{circle.pk}/").content.decode()
    assert f"/circles/{circle.pk}/members/{member.pk}/remove" in owner_html
    assert "Hold new comments until I approve them" in owner_html
    assert "After Tuesday" in owner_html
    member_html = member_client.get(f"/circles/{circle.pk}/").content.decode()
    assert "After Tuesday" in member_html
    assert "/remove" not in member_html
    assert "Hold new comments" not in member_html
    assert "Lantern shares here; you are a member." in member_html
    assert csp_problems(owner_html) == csp_problems(member_html) == []


def test_holding_comments_is_a_setting_of_the_circle(writer_client: Client,
                                                     circle: Circle) -> None:
    writer_client.post(f"/circles/{circle.pk}/settings", {"hold_comments": "on"})
    circle.refresh_from_db()
    assert circle.hold_comments
    writer_client.post(f"/circles/{circle.pk}/settings", {})
    circle.refresh_from_db()
    assert not circle.hold_comments


LINK = re.compile(r"http://testserver/invite/([A-Za-z0-9_-]{43})")


def test_an_invitation_link_is_shown_once(writer_client: Client, circle: Circle) -> None:
    response = writer_client.post(f"/circles/{circle.pk}/invite",
                                  {"role": "member", "note": "for my sister", "days": "3"})
    html = response.content.decode()
    assert response.status_code == 200
    tokens = LINK.findall(html)
    assert len(tokens) == 1
    inv = Invitation.objects.get(circle=circle)
    assert inv.token_hash != tokens[0] and len(inv.token_hash) == 64
    assert 2.9 < (inv.expires_at - inv.created).total_seconds() / 86400 <= 3
    again = writer_client.get(f"/circles/{circle.pk}/invite").content.decode()
    assert LINK.findall(again) == []
    assert "Member — for my sister" in again
    assert csp_problems(html) == []


def test_the_link_uses_the_configured_base_url(writer_client: Client, circle: Circle,
                                               settings) -> None:
    settings.CIRCLE_BASE_URL = "https://circle.example.org"
    html = writer_client.post(f"/circles/{circle.pk}/invite",
                              {"role": "member", "days": "7"}).content.decode()
    assert re.search(r"https://circle\.example\.org/invite/[A-Za-z0-9_-]{43}", html)


@pytest.mark.parametrize(("kind", "role", "message"), [
    ("circle", "therapist", "A therapist can only be invited to a therapy circle."),
    ("therapy", "member", "A therapy circle is for you and your therapist: invite a therapist."),
])
def test_roles_fit_the_kind_of_circle(writer_client: Client, make_circle, writer: User,
                                      kind: str, role: str, message: str) -> None:
    c = make_circle(writer, "C", kind=kind)
    response = writer_client.post(f"/circles/{c.pk}/invite", {"role": role, "days": "7"})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Invitation.objects.exists()


def test_a_therapy_circle_holds_one_therapist(writer_client: Client,
                                              therapy_circle: Circle) -> None:
    response = writer_client.post(f"/circles/{therapy_circle.pk}/invite",
                                  {"role": "therapist", "days": "7"})
    assert response.status_code == 400
    assert "This therapy circle already has a therapist." in response.content.decode()


def test_one_open_therapist_invitation_at_a_time(writer_client: Client, make_circle,
                                                 writer: User) -> None:
    c = make_circle(writer, "T", kind="therapy")
    assert writer_client.post(f"/circles/{c.pk}/invite",
                              {"role": "therapist", "days": "7"}).status_code == 200
    second = writer_client.post(f"/circles/{c.pk}/invite", {"role": "therapist", "days": "7"})
    assert "There is already an open invitation for a therapist here; revoke it first." in (
        second.content.decode())


@pytest.mark.parametrize("days", ["0", "15", "-1", "seven", ""])
def test_expiry_is_one_to_fourteen_days(writer_client: Client, circle: Circle,
                                        days: str) -> None:
    response = writer_client.post(f"/circles/{circle.pk}/invite", {"role": "member",
                                                                    "days": days})
    assert response.status_code == 400
    text = response.content.decode()
    assert ("Choose between 1 and 14 days." in text) or ("This field is required." in text)
    assert not Invitation.objects.exists()


def test_making_invitations_is_rate_limited(writer_client: Client, circle: Circle) -> None:
    from attunement.circle.ratelimit import LIMITS

    for _ in range(LIMITS["invite"][0]):
        assert writer_client.post(f"/circles/{circle.pk}/invite",
                                  {"role": "member", "days": "1"}).status_code == 200
    response = writer_client.post(f"/circles/{circle.pk}/invite", {"role": "member", "days": "1"})
    assert response.status_code == 429
    assert "Too many attempts; try again in 60 minutes." in response.content.decode()


def test_revoking_an_invitation(writer_client: Client, circle: Circle, invitation,
                                client: Client) -> None:
    response = writer_client.post(
        f"/circles/{circle.pk}/invitations/{invitation.obj.pk}/revoke")
    assert response["Location"] == f"/circles/{circle.pk}/invite"
    invitation.obj.refresh_from_db()
    assert invitation.obj.revoked
    assert "No open invitations." in writer_client.get(
        f"/circles/{circle.pk}/invite").content.decode()
    assert client.get(f"/invite/{invitation.secret}").status_code == 404


def test_removing_a_member_ends_their_access(writer_client: Client, member_client: Client,
                                             circle: Circle, member: User, post) -> None:
    response = writer_client.post(f"/circles/{circle.pk}/members/{member.pk}/remove")
    assert response["Location"] == f"/circles/{circle.pk}/"
    assert not Membership.objects.filter(circle=circle, user=member).exists()
    assert member_client.get(f"/posts/{post.pk}/").status_code == 404
    assert member_client.get(f"/circles/{circle.pk}/").status_code == 404


def test_the_owner_cannot_be_removed(writer_client: Client, circle: Circle,
                                     writer: User) -> None:
    response = writer_client.post(f"/circles/{circle.pk}/members/{writer.pk}/remove",
                                  follow=True)
    assert "That person is not a member of this circle." in response.content.decode()
    assert Membership.objects.filter(circle=circle, user=writer, role="owner").exists()


def test_a_therapist_sees_only_the_therapy_circle(therapist: User, therapy_circle: Circle,
                                                  therapy_post, post) -> None:
    html = signed_in(therapist).get("/").content.decode()
    assert "With my therapist" in html and "For my therapist" in html
    assert "Evening circle" not in html and "After Tuesday" not in html
    assert '<a href="/therapist/">the therapist\'s view</a>' in html
