"""Every therapist URL answers 404 to everyone but the client's own therapist, and changes nothing.

The people: signed out, the writer (owner of the therapy circle), a member of the
writer's ordinary circle, an outsider, and another therapist (with a client of her own).
Each tries every therapist URL for the writer's objects; the therapist also tries her
colleague's objects and ids that do not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client

from attunement.circle.models import (
    Alert,
    Circle,
    Notification,
    SharedCheckin,
    SharedNote,
    TherapistRating,
    User,
)
from tests.circle.conftest import signed_in
from tests.circle.therapist_support import TENSION_AT, History, share_history

pytestmark = pytest.mark.django_db
RATING = {"bond_grasped": "1", "bond_on_my_side": "1", "task_fit": "1", "goal_direction": "1",
          "tension": "yes", "note": "intruder"}
SECRETS = ("Lantern", "I want to talk about the call between sessions.",
           "I went quiet when she mentioned the break.", "Felt like good work on the break.")


@dataclass
class Targets:
    circle: int
    checkin: int
    alert: int
    note: int


def targets_of(circle: Circle, h: History) -> Targets:
    alert = Alert.objects.filter(checkin__circle=circle).first()
    assert alert is not None and h.note is not None
    return Targets(circle.pk, h.checkins[TENSION_AT].pk, alert.pk, h.note.pk)


def requests_for(t: Targets) -> list[tuple[str, str, dict[str, str]]]:
    """(method, path, data) for every therapist URL about these objects."""
    return [
        ("get", f"/therapist/clients/{t.circle}/", {}),
        ("get", f"/therapist/clients/{t.circle}/fhir", {}),
        ("get", f"/therapist/checkins/{t.checkin}/rate", {}),
        ("post", f"/therapist/checkins/{t.checkin}/rate", RATING),
        ("post", f"/therapist/alerts/{t.alert}/seen", {}),
        ("get", f"/therapist/alerts/{t.alert}/seen", {}),
        ("post", f"/therapist/notes/{t.note}/read", {}),
        ("get", f"/therapist/notes/{t.note}/read", {}),
        ("post", f"/therapist/clients/{t.circle}/", {}),
    ]


@pytest.fixture
def world(therapy_circle, writer, therapist, make_user, make_circle, other_writer):  # type: ignore[no-untyped-def]
    mine = share_history(therapy_circle, writer, therapist)
    colleague = make_user("othertherapist", "Dr. Aspen")
    theirs_circle = make_circle(other_writer, "Kestrel's therapy", kind=Circle.Kind.THERAPY,
                                therapist=colleague)
    theirs = share_history(theirs_circle, other_writer, colleague)
    return {"mine": targets_of(therapy_circle, mine),
            "theirs": targets_of(theirs_circle, theirs), "colleague": colleague}


def state() -> tuple[int, int, int, int]:
    """What a refused request must not have changed."""
    return (Alert.objects.filter(seen_at__isnull=False).count(),
            SharedNote.objects.filter(seen_at__isnull=False).count(),
            TherapistRating.objects.count(),
            Notification.objects.count())


def assert_refused(c: Client, method: str, path: str, data: dict[str, str]) -> None:
    before = state()
    r = getattr(c, method)(path, data)
    assert r.status_code == 404, (method, path, r.status_code)
    body = r.content.decode(errors="replace")
    for secret in SECRETS:
        assert secret not in body, (method, path, secret)
    assert state() == before, (method, path)


WHO = ["signed_out", "writer", "member", "outsider", "colleague"]


@pytest.mark.parametrize("who", WHO)
def test_everyone_else_gets_404_everywhere(  # type: ignore[no-untyped-def]
        who, world, writer, member, outsider, circle, other_circle) -> None:
    people: dict[str, Callable[[], User | None]] = {
        "signed_out": lambda: None, "writer": lambda: writer, "member": lambda: member,
        "outsider": lambda: outsider, "colleague": lambda: world["colleague"]}
    c = signed_in(people[who]())
    for method, path, data in requests_for(world["mine"]):
        assert_refused(c, method, path, data)


@pytest.mark.parametrize("who", ["signed_out", "writer", "member", "outsider"])
def test_home_is_404_for_anyone_who_is_nobodys_therapist(  # type: ignore[no-untyped-def]
        who, world, writer, member, outsider, circle) -> None:
    people = {"signed_out": None, "writer": writer, "member": member, "outsider": outsider}
    assert_refused(signed_in(people[who]), "get", "/therapist/", {})


def test_therapist_cannot_reach_her_colleagues_client(therapist_client: Client, world) -> None:  # type: ignore[no-untyped-def]
    for method, path, data in requests_for(world["theirs"]):
        assert_refused(therapist_client, method, path, data)


@pytest.mark.parametrize("guess", ["0", "999999999", "999999999999999999",
                                   "1234567890123456789", "-1", "1e3", "abc"])
def test_guessed_ids_are_404(therapist_client: Client, world, guess: str) -> None:  # type: ignore[no-untyped-def]
    t = Targets(guess, guess, guess, guess)  # type: ignore[arg-type]
    for method, path, data in requests_for(t):
        assert_refused(therapist_client, method, path, data)


def test_colleague_sees_only_her_own_client(world) -> None:  # type: ignore[no-untyped-def]
    html = signed_in(world["colleague"]).get("/therapist/").content.decode()
    assert "Kestrel" in html and "Lantern" not in html


def test_before_session_checkins_are_not_rated(therapist_client: Client, world, writer) -> None:  # type: ignore[no-untyped-def]
    circle = Circle.objects.get(pk=world["mine"].circle)
    pre = SharedCheckin.objects.create(
        author=writer, circle=circle, local_id="checkin-pre", instrument="attunement-pre-v1",
        timing="pre", completed_at=SharedCheckin.objects.first().completed_at,  # type: ignore[union-attr]
        answers={"connected": 3}, alliance=3.0)
    assert_refused(therapist_client, "get", f"/therapist/checkins/{pre.pk}/rate", {})
    assert_refused(therapist_client, "post", f"/therapist/checkins/{pre.pk}/rate", RATING)


def test_the_owner_cannot_rate_herself_even_as_a_therapist_elsewhere(  # type: ignore[no-untyped-def]
        world, writer, make_circle, make_user) -> None:
    someone = make_user("someone", "Someone")
    make_circle(someone, "Someone's therapy", kind=Circle.Kind.THERAPY, therapist=writer)
    c = signed_in(writer)
    assert c.get("/therapist/").status_code == 200  # she is a therapist there
    for method, path, data in requests_for(world["mine"]):
        assert_refused(c, method, path, data)
