"""Opening an invitation link: who invites you to what; joining once, and only once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from attunement.circle.models import Circle, Invitation, Membership, Notification, User
from attunement.circle.ratelimit import LIMITS
from tests.circle.conftest import PASSWORD, csp_problems, without_csrf

NEW = {"username": "newcomer", "display_name": "Quiet Reader",
       "password": PASSWORD, "password2": PASSWORD}
GONE = "This link no longer works"


def test_the_link_says_who_invites_you_to_what(client: Client, invitation) -> None:
    response = client.get(f"/invite/{invitation.secret}")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Lantern invites you" in html
    assert "join <strong>Evening circle</strong>" in html
    assert "A pseudonym is welcome." in html
    assert "for a friend" not in html  # the owner's note is for the owner
    assert csp_problems(html) == []


def test_a_new_account_joins_and_is_signed_in(client: Client, invitation, circle: Circle,
                                              writer: User) -> None:
    response = client.post(f"/invite/{invitation.secret}", NEW)
    assert response.status_code == 302
    assert response["Location"] == f"/circles/{circle.pk}/"
    user = User.objects.get(username="newcomer")
    assert user.display_name == "Quiet Reader"
    assert user.check_password(PASSWORD)
    assert Membership.objects.get(circle=circle, user=user).role == "member"
    inv = Invitation.objects.get(pk=invitation.obj.pk)
    assert inv.used_by == user and inv.used_at is not None
    assert client.get(f"/circles/{circle.pk}/").status_code == 200
    note = Notification.objects.get(user=writer)
    assert note.kind == "joined" and note.text == "Quiet Reader joined Evening circle."


def test_a_link_works_once(client: Client, invitation) -> None:
    client.post(f"/invite/{invitation.secret}", NEW)
    other = Client()
    second = other.post(f"/invite/{invitation.secret}", {**NEW, "username": "another"})
    assert second.status_code == 404
    assert GONE in second.content.decode()
    assert not User.objects.filter(username="another").exists()


def _gone_page(client: Client, token: str) -> str:
    response = client.get(f"/invite/{token}")
    assert response.status_code == 404
    return without_csrf(response.content.decode().replace(token, ""))


def test_every_dead_link_gets_the_same_calm_page(client: Client, invitation,
                                                 writer: User, circle: Circle) -> None:
    """Used, expired, revoked or made up: the page cannot tell them apart."""
    from attunement.circle.models import new_token, token_hash

    pages = set()
    for state in ("expired", "revoked", "used"):
        token = new_token()
        inv = Invitation.objects.create(
            circle=circle, created_by=writer, token_hash=token_hash(token),
            expires_at=timezone.now() + timedelta(days=1))
        if state == "expired":
            inv.expires_at = timezone.now() - timedelta(seconds=1)
        elif state == "revoked":
            inv.revoked = True
        else:
            inv.used_at = timezone.now()
        inv.save()
        pages.add(_gone_page(client, token))
    pages.add(_gone_page(client, "made-up-token"))
    pages.add(_gone_page(client, "x" * 500))
    assert len(pages) == 1
    page = pages.pop()
    assert GONE in page
    assert "Evening circle" not in page and "Lantern" not in page


@pytest.mark.parametrize(("change", "field_message"), [
    ({"password": "short", "password2": "short"},
     "This password is too short. It must contain at least 10 characters."),
    ({"password": "password123", "password2": "password123"}, "This password is too common."),
    ({"password2": "something else entirely"}, "The two passwords are not the same."),
    ({"username": "writer"}, "That sign-in name is taken; choose another."),
    ({"username": "WRITER"}, "That sign-in name is taken; choose another."),
    ({"username": "has space"}, "Enter a valid username."),
    ({"display_name": ""}, "Choose a name others will see (a pseudonym is fine)."),
])
def test_a_bad_account_is_refused_with_a_reason(client: Client, invitation, writer: User,
                                                change: dict[str, str],
                                                field_message: str) -> None:
    response = client.post(f"/invite/{invitation.secret}", {**NEW, **change})
    assert response.status_code == 400
    assert field_message in response.content.decode()
    assert Invitation.objects.get(pk=invitation.obj.pk).used_at is None
    assert User.objects.count() == 2  # the writer and the member


def test_someone_signed_in_joins_with_their_account(outsider_client: Client, outsider: User,
                                                    invitation, circle: Circle) -> None:
    html = outsider_client.get(f"/invite/{invitation.secret}").content.decode()
    assert "Join as Bramble" in html
    response = outsider_client.post(f"/invite/{invitation.secret}")
    assert response["Location"] == f"/circles/{circle.pk}/"
    assert Membership.objects.get(circle=circle, user=outsider).role == "member"


def test_a_member_already_in_keeps_the_link_unused(member_client: Client, invitation) -> None:
    response = member_client.post(f"/invite/{invitation.secret}", follow=True)
    assert "You are already in this circle." in response.content.decode()
    assert Invitation.objects.get(pk=invitation.obj.pk).used_at is None


def test_a_therapist_joins_a_therapy_circle_as_therapist(client: Client, writer: User,
                                                         make_circle) -> None:
    from attunement.circle.accounts import make_invitation

    therapy = make_circle(writer, "Sessions", kind=Circle.Kind.THERAPY)
    token = make_invitation(therapy, writer, "therapist", "", 7)
    html = client.get(f"/invite/{token}").content.decode()
    assert "as their therapist in <strong>Sessions</strong>" in html
    client.post(f"/invite/{token}", NEW)
    assert Membership.objects.get(circle=therapy, user__username="newcomer").role == "therapist"


def test_a_second_therapist_cannot_slip_in(client: Client, writer: User, make_circle,
                                           make_user) -> None:
    """Two links made before either was used: the second finds the place taken."""
    therapy = make_circle(writer, "Sessions", kind=Circle.Kind.THERAPY)
    from attunement.circle.models import new_token, token_hash

    tokens = []
    for _ in range(2):
        token = new_token()
        Invitation.objects.create(circle=therapy, created_by=writer, role="therapist",
                                  token_hash=token_hash(token),
                                  expires_at=timezone.now() + timedelta(days=1))
        tokens.append(token)
    client.post(f"/invite/{tokens[0]}", NEW)
    later = Client().post(f"/invite/{tokens[1]}", {**NEW, "username": "second"})
    assert later.status_code == 404
    assert therapy.memberships.filter(role="therapist").count() == 1
    assert not User.objects.filter(username="second").exists()


def test_opening_links_is_rate_limited_per_address(client: Client) -> None:
    for _ in range(LIMITS["invite_open"][0]):
        assert client.get("/invite/guess", REMOTE_ADDR="10.5.0.1").status_code == 404
    response = client.get("/invite/guess", REMOTE_ADDR="10.5.0.1")
    assert response.status_code == 429
    assert "Too many attempts; try again in 15 minutes." in response.content.decode()
    assert client.get("/invite/guess", REMOTE_ADDR="10.5.0.2").status_code == 404


def test_an_invited_account_is_never_a_writer(client: Client, invitation) -> None:
    client.post(f"/invite/{invitation.secret}", NEW)
    assert User.objects.get(username="newcomer").can_write is False


def test_sign_in_names_are_unique_in_any_capitals_in_the_database(writer: User) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="WRITER", display_name="Copy")


def test_a_name_taken_between_the_check_and_the_save_is_a_form_error(
        client: Client, invitation, writer: User, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Two sign-ups racing for one name (in any capitals): the loser gets the form back."""
    from attunement.circle.forms import SignupForm

    monkeypatch.setattr(SignupForm, "clean_username",
                        lambda form: form.cleaned_data["username"])  # the check saw it free
    response = client.post(f"/invite/{invitation.secret}", {**NEW, "username": "Writer"})
    assert response.status_code == 400
    assert "That sign-in name is taken; choose another." in response.content.decode()
    assert Invitation.objects.get(pk=invitation.obj.pk).used_at is None
    assert User.objects.count() == 2  # the writer and the member
    assert client.get("/").status_code == 302  # not signed in
