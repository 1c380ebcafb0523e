"""Only writers publish: making circles, connecting journals, sharing, and their limits.

Review finding 2: an invited member or therapist could make circles, invitations and
journal connections and publish without end. Now ``User.can_write`` (set by
``attune circle add-writer``) gates all of it, sharing is limited per account, and an
account holds at most ten journals.
"""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from click.testing import CliRunner
from django.apps import apps as django_apps
from django.db import connection
from django.test import Client
from django.utils import timezone

from attunement.circle import ratelimit
from attunement.circle.access import NOT_A_WRITER
from attunement.circle.accounts import MAX_DEVICES, TOO_MANY_DEVICES
from attunement.circle.api_http import MESSAGES
from attunement.circle.models import Circle, DeviceToken, Post, SharedCheckin, SharedNote, User

from .api_support import Api, checkin_body, claim_code, device_for, error_of, note_body, post_body

# --- the web pages ----------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_member_cannot_make_a_circle(member_client: Client, member: User, method: str) -> None:
    response = getattr(member_client, method)("/circles/new", {"name": "Mine", "kind": "circle"})
    assert response.status_code == 403
    assert NOT_A_WRITER in response.content.decode()
    assert not Circle.objects.filter(owner=member).exists()


def test_a_writer_makes_a_circle(writer_client: Client, writer: User) -> None:
    response = writer_client.post("/circles/new", {"name": "Friday people", "kind": "circle"})
    assert response.status_code == 302
    assert Circle.objects.filter(owner=writer, name="Friday people").exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_therapist_cannot_connect_a_journal(therapist_client: Client, therapist: User,
                                              method: str) -> None:
    response = getattr(therapist_client, method)("/connect", {"name": "Mine"})
    assert response.status_code == 403
    assert NOT_A_WRITER in response.content.decode()
    assert not DeviceToken.objects.filter(user=therapist).exists()


def test_the_home_page_offers_circles_and_journals_to_writers_only(
        member_client: Client, make_user, circle) -> None:  # type: ignore[no-untyped-def]
    reader_home = member_client.get("/").content.decode()
    assert "/circles/new" not in reader_home and 'href="/connect"' not in reader_home
    lone = Client()
    lone.force_login(make_user("newcomer"))
    calm = lone.get("/").content.decode()
    assert "No circle yet" in calm and "/circles/new" not in calm
    new_writer = Client()
    new_writer.force_login(make_user("fresh", can_write=True))
    first = new_writer.get("/").content.decode()
    assert "Make your first circle" in first and 'href="/connect"' in first


def test_the_writers_home_offers_another_circle(writer_client: Client, circle) -> None:
    html = writer_client.get("/").content.decode()
    assert '<a href="/circles/new">Make another circle</a>' in html


# --- connecting a journal -----------------------------------------------------------


def test_the_api_refuses_to_connect_a_readers_journal(member: User) -> None:
    device, code = claim_code(member)  # a link made before the rule, say
    body = error_of(Api().post("connect", {"code": code, "device_name": "J"}), 403, "forbidden")
    assert body["message"] == MESSAGES["not_a_writer"]
    device.refresh_from_db()
    assert device.token_hash is None and device.claimed_at is None  # the code is not used up


def _live_links(user: User, n: int) -> None:
    for i in range(n):
        DeviceToken.objects.create(user=user, name=f"J{i}", claim_hash=f"{user.pk}-{i}",
                                   claim_expires_at=timezone.now() + timedelta(hours=1))


def test_an_account_holds_at_most_ten_journals_and_links(writer_client: Client,
                                                        writer: User) -> None:
    _live_links(writer, MAX_DEVICES - 1)
    DeviceToken.objects.create(user=writer, name="Expired", claim_hash="old",
                               claim_expires_at=timezone.now() - timedelta(hours=2))
    DeviceToken.objects.create(user=writer, name="Gone", claim_hash="gone", revoked=True,
                               claim_expires_at=timezone.now() + timedelta(hours=1))
    assert writer_client.post("/connect", {"name": "Tenth"}).status_code == 200
    refused = writer_client.post("/connect", {"name": "Eleventh"})
    assert refused.status_code == 400
    assert TOO_MANY_DEVICES in refused.content.decode()
    assert not DeviceToken.objects.filter(name="Eleventh").exists()
    # Disconnecting one makes room again.
    one = DeviceToken.objects.filter(user=writer, name="J0").get()
    writer_client.post(f"/connect/devices/{one.pk}/revoke")
    assert writer_client.post("/connect", {"name": "Eleventh"}).status_code == 200


def test_the_api_refuses_an_eleventh_connected_journal(writer: User) -> None:
    for i in range(MAX_DEVICES):
        device_for(writer, name=f"J{i}")
    _, code = claim_code(writer)
    body = error_of(Api().post("connect", {"code": code}), 403, "forbidden")
    assert body["message"] == MESSAGES["too_many_devices"]
    assert "10 connected journals" in body["message"]


# --- sharing ------------------------------------------------------------------------


def test_a_readers_old_token_cannot_share(member: User, make_circle) -> None:
    """A journal a member connected before the rule cannot publish, even into a circle
    they made then."""
    own = make_circle(member, "Made before the rule")
    api = Api(device_for(member)[1])
    for path, body in (("posts/e-1", post_body([own.pk])),
                       ("checkins/c-1", checkin_body(own.pk)),
                       ("notes/n-1", note_body(own.pk))):
        assert error_of(api.put(path, body), 403, "forbidden")["message"] == (
            MESSAGES["not_a_writer"])
    assert not Post.objects.filter(author=member).exists()


def test_sharing_is_limited_per_account_across_journals(writer: User, circle, therapy_circle,
                                                        monkeypatch) -> None:
    """Posts, check-ins and notes count together, whichever journal sends them."""
    monkeypatch.setitem(ratelimit.LIMITS, "publish", (3, 3600))
    laptop, phone = Api(device_for(writer)[1]), Api(device_for(writer, name="Phone")[1])
    assert laptop.put("posts/e-1", post_body([circle.pk])).status_code == 201
    assert phone.put("checkins/c-1", checkin_body(therapy_circle.pk)).status_code == 201
    assert laptop.put("notes/n-1", note_body(therapy_circle.pk)).status_code == 201
    refused = phone.put("posts/e-2", post_body([circle.pk]))
    body = error_of(refused, 429, "rate_limited")
    assert body["message"] == MESSAGES["publish_limited"]
    assert 3590 <= int(refused["Retry-After"]) <= 3601
    assert not Post.objects.filter(local_id="e-2").exists()
    # Unsharing is never held back by the publishing limit.
    assert laptop.delete("posts/e-1").status_code == 204


def test_the_publish_limit_is_120_an_hour_and_says_so() -> None:
    assert ratelimit.LIMITS["publish"] == (120, 3600)
    assert MESSAGES["publish_limited"] == (
        "This account shared 120 items in the last hour, the most it can; the journal sends "
        "the rest later.")


def test_an_invalid_body_does_not_use_up_the_publish_limit(writer: User, circle,
                                                           monkeypatch) -> None:
    monkeypatch.setitem(ratelimit.LIMITS, "publish", (1, 3600))
    api = Api(device_for(writer)[1])
    assert api.put("posts/e-1", post_body([circle.pk], written_at="no")).status_code == 400
    assert api.put("posts/e-1", post_body([circle.pk])).status_code == 201


# --- attune circle add-writer -------------------------------------------------------


def test_add_writer_makes_a_writer(db, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from attunement.circle.cli import add_writer

    monkeypatch.setenv("ATTUNE_CIRCLE_PASSWORD", "a calm and long passphrase")
    result = CliRunner().invoke(add_writer, ["Lark", "--display-name", "Lark"])
    assert result.exit_code == 0, result.output
    assert User.objects.get(username="Lark").can_write
    again = CliRunner().invoke(add_writer, ["lark"])
    assert again.exit_code != 0
    assert "There is already an account called 'lark' (in some capitals)." in str(again.exception)


def test_checkins_and_notes_still_need_a_therapy_circle(writer: User, circle) -> None:
    """The writer check comes on top of the ownership checks, not instead of them."""
    api = Api(device_for(writer)[1])
    r = api.put("checkins/c-1", checkin_body(circle.pk))
    assert r.status_code == 400 and list(r.json()["fields"]) == ["circle"]
    assert not SharedCheckin.objects.exists() and not SharedNote.objects.exists()




def test_an_owner_who_is_no_longer_a_writer_invites_no_one(writer_client: Client,
                                                           writer: User, circle) -> None:  # type: ignore[no-untyped-def]
    writer.can_write = False
    writer.save(update_fields=["can_write"])
    for response in (writer_client.get(f"/circles/{circle.pk}/invite"),
                     writer_client.post(f"/circles/{circle.pk}/invite",
                                        {"role": "member", "days": "3"})):
        assert response.status_code == 403
        assert NOT_A_WRITER in response.content.decode()
    assert not circle.invitations.exists()
    assert writer_client.get(f"/circles/{circle.pk}/").status_code == 200  # still hers


# --- the upgrade (migration 0002) -------------------------------------------------------

MIGRATION = importlib.import_module(
    "attunement.circle.migrations.0002_writers_notification_subjects")


def test_the_upgrade_makes_owners_of_circles_writers(make_user, make_circle) -> None:  # type: ignore[no-untyped-def]
    owner, reader = make_user("owner"), make_user("reader")
    make_circle(owner, "Made before writers existed", members=[reader])
    MIGRATION.owners_write(django_apps, None)
    owner.refresh_from_db()
    reader.refresh_from_db()
    assert (owner.can_write, reader.can_write) == (True, False)


def test_the_upgrade_stops_on_names_differing_only_in_capitals(make_user) -> None:  # type: ignore[no-untyped-def]
    MIGRATION.refuse_names_differing_in_case(django_apps, None)  # none yet: passes
    with connection.cursor() as cursor:  # as before the constraint (rolled back after)
        cursor.execute("DROP INDEX username_unique_any_case")
    make_user("Robin")
    make_user("robin")
    with pytest.raises(RuntimeError) as caught:
        MIGRATION.refuse_names_differing_in_case(django_apps, None)
    assert str(caught.value) == (
        "Some accounts have sign-in names that differ only in capitals ('robin'). Rename "
        "all but one of each (UPDATE circle_user SET username = ... WHERE id = ...) and run "
        "the migration again.")
