"""The therapist's own rating: her wording, the engine's checks, one per check-in, CSRF."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from django.test import Client

from attunement.circle import therapist_rating
from attunement.circle.models import TherapistRating
from tests.circle.therapist_support import TENSION_AT, share_history

pytestmark = pytest.mark.django_db
GOOD = {"bond_grasped": "4", "bond_on_my_side": "5", "task_fit": "3", "goal_direction": "4",
        "tension": "yes", "note": "We named the distance."}


@pytest.fixture
def checkin(therapy_circle, writer):  # type: ignore[no-untyped-def]
    return share_history(therapy_circle, writer, None).checkins[TENSION_AT]


def url(checkin) -> str:  # type: ignore[no-untyped-def]
    return f"/therapist/checkins/{checkin.pk}/rate"


def test_the_form_is_in_her_words_and_valid() -> None:
    form = therapist_rating.form()
    assert form.id == "attunement-alliance-therapist-v1"
    assert [it.id for it in form.items[:4]] == [
        "bond_grasped", "bond_on_my_side", "task_fit", "goal_direction"]
    assert form.item("bond_grasped").text == (
        "Today I had a good grasp of what was going on for the client.")
    assert form.score_range() == (1.0, 5.0)
    assert form.rupture.tension == "tension"


def test_form_page(therapist_client: Client, checkin) -> None:  # type: ignore[no-untyped-def]
    r = therapist_client.get(url(checkin))
    assert r.status_code == 200
    html = r.content.decode()
    assert "My view of the session" in html
    assert "Today I had a good grasp of what was going on for the client." in html
    assert html.count('type="radio" name="bond_grasped"') == 5
    assert '<input type="radio" name="tension" value="yes" required> Yes' in html
    assert "4 · Largely" in html
    assert 'name="csrfmiddlewaretoken"' in html
    # the client's own answers, folded away so she can rate first
    assert "The client's answers (you may prefer to rate first)" in html
    assert "Today I felt that my therapist grasped what was going on for me." in html
    assert "2 · A little" in html and "I went quiet when she mentioned the break." in html


def test_save_a_rating(therapist_client: Client, checkin, therapist, therapy_circle) -> None:  # type: ignore[no-untyped-def]
    r = therapist_client.post(url(checkin), GOOD)
    assert r.status_code == 303
    assert r["Location"] == f"/therapist/clients/{therapy_circle.pk}/#checkin-{checkin.pk}"
    rating = TherapistRating.objects.get(checkin=checkin, therapist=therapist)
    assert rating.answers == {"bond_grasped": 4, "bond_on_my_side": 5, "task_fit": 3,
                              "goal_direction": 4, "tension": True}
    assert rating.alliance == pytest.approx(4.0)
    assert rating.tension is True
    assert rating.note == "We named the distance."


def test_edit_keeps_one_rating(therapist_client: Client, checkin, therapist) -> None:  # type: ignore[no-untyped-def]
    therapist_client.post(url(checkin), GOOD)
    created = TherapistRating.objects.get().created
    html = therapist_client.get(url(checkin)).content.decode()
    assert '<input type="radio" name="bond_on_my_side" value="5" checked required>' in html
    assert '<input type="radio" name="tension" value="yes" checked required>' in html
    assert ">We named the distance.</textarea>" in html
    assert "saving again replaces that rating" in html
    therapist_client.post(url(checkin), {**GOOD, "bond_on_my_side": "1", "tension": "no",
                                         "note": ""})
    rating = TherapistRating.objects.get()
    assert rating.alliance == pytest.approx(3.0)
    assert rating.tension is False and rating.note == ""
    assert rating.created == created and rating.updated > created


def test_client_page_shows_her_rating_beside_the_clients(  # type: ignore[no-untyped-def]
        therapist_client: Client, checkin, therapy_circle) -> None:
    therapist_client.post(url(checkin), GOOD)
    html = therapist_client.get(f"/therapist/clients/{therapy_circle.pk}/").content.decode()
    row = html[html.index(f'<tr id="checkin-{checkin.pk}"'):]
    row = row[: row.index("</tr>")]
    assert re.search(r'<td class="figure">2\.00</td>.*<td class="figure mine">4\.00</td>', row,
                     re.S)
    assert "We named the distance." in row and "Edit my rating" in row
    assert "your alliance rating is 2.00 higher" in row


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"task_fit": ""}, "task_fit", "This question needs an answer."),
    ({"task_fit": "7"}, "task_fit", "7 is outside 1..5."),
    ({"task_fit": "0"}, "task_fit", "0 is outside 1..5."),
    ({"task_fit": "lots"}, "task_fit", "Expected a number from 1 to 5, got &#x27;lots&#x27;."),
    ({"task_fit": "2.5"}, "task_fit", "2.5 is not a step of 1 from 1."),
    ({"tension": "maybe"}, "tension", "Expected yes or no, got &#x27;maybe&#x27;."),
    ({"tension": ""}, "tension", "This question needs an answer."),
    ({"note": "x" * 4001}, "note", "The note is 4,001 characters long; please keep it to 4,000."),
])
def test_invalid_answers_are_named_and_nothing_is_saved(  # type: ignore[no-untyped-def]
        therapist_client: Client, checkin, change, field, message) -> None:
    r = therapist_client.post(url(checkin), {**GOOD, **change})
    assert r.status_code == 400
    html = r.content.decode()
    assert f'<p class="error" id="e-{field}">{message}</p>' in html
    assert "Some answers need a look" in html
    assert not TherapistRating.objects.exists()
    # what she typed elsewhere is still there
    assert '<input type="radio" name="bond_on_my_side" value="5" checked required>' in html


def test_missing_everything_lists_every_question(therapist_client: Client, checkin) -> None:  # type: ignore[no-untyped-def]
    html = therapist_client.post(url(checkin), {}).content.decode()
    assert html.count("This question needs an answer.") == 2 * 5  # the summary and each field


def test_posted_alliance_is_ignored_the_engine_scores(  # type: ignore[no-untyped-def]
        therapist_client: Client, checkin) -> None:
    therapist_client.post(url(checkin), {**GOOD, "alliance": "1", "bogus": "x"})
    rating = TherapistRating.objects.get()
    assert rating.alliance == pytest.approx(4.0)
    assert set(rating.answers) == {"bond_grasped", "bond_on_my_side", "task_fit",
                                   "goal_direction", "tension"}


def test_markup_in_the_note_is_shown_as_text(  # type: ignore[no-untyped-def]
        therapist_client: Client, checkin, therapy_circle) -> None:
    therapist_client.post(url(checkin), {**GOOD, "note": "<script>alert(1)</script>"})
    html = therapist_client.get(f"/therapist/clients/{therapy_circle.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_rating_needs_csrf(therapist, checkin) -> None:  # type: ignore[no-untyped-def]
    c = Client(enforce_csrf_checks=True)
    c.force_login(therapist)
    assert c.post(url(checkin), GOOD).status_code == 403
    assert not TherapistRating.objects.exists()
    page = c.get(url(checkin)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token
    r = c.post(url(checkin), {**GOOD, "csrfmiddlewaretoken": token.group(1)})
    assert r.status_code == 303
    assert TherapistRating.objects.count() == 1


def test_other_methods_are_refused(therapist_client: Client, checkin) -> None:  # type: ignore[no-untyped-def]
    r = therapist_client.put(url(checkin), GOOD)
    assert r.status_code == 405
    assert r["Allow"] == "GET, HEAD, POST"


def test_a_huge_paste_is_not_echoed_in_full(therapist_client: Client, checkin) -> None:  # type: ignore[no-untyped-def]
    r = therapist_client.post(url(checkin), {**GOOD, "task_fit": "9" * 100_000})
    assert r.status_code == 400
    html = r.content.decode()
    [message] = re.findall(r'<p class="error" id="e-task_fit">([^<]*)</p>', html)
    assert message.startswith("Expected a number from 1 to 5, got &#x27;999")  # too big a number
    assert len(html_lib.unescape(message)) <= 200 and message.endswith("…")
    assert len(html) < 150_000  # the pasted value once in the form, not again in messages
