"""The therapist's pages show her what her clients shared, and nothing else."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from attunement.circle.models import Alert, Circle, Membership, SharedNote
from tests.circle.therapist_support import SCORES, TENSION_AT, share_history

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(therapy_circle, writer, therapist):  # type: ignore[no-untyped-def]
    return share_history(therapy_circle, writer, therapist)


def chart_spec(html: str) -> dict:  # type: ignore[type-arg]
    found = re.search(r'<script id="therapist-chart-spec" type="application/json">(.*?)</script>',
                      html, re.S)
    assert found, "the chart spec is embedded as JSON data"
    return json.loads(found.group(1))


# --- her clients ------------------------------------------------------------------------


def test_home_lists_each_client_with_what_is_new(  # type: ignore[no-untyped-def]
        therapist_client: Client, history, therapy_circle) -> None:
    r = therapist_client.get("/therapist/")
    assert r.status_code == 200
    html = r.content.decode()
    assert f'href="/therapist/clients/{therapy_circle.pk}/">Lantern</a>' in html
    assert "With my therapist" in html
    last = history.checkins[-1]
    assert f"{last.completed_at:%-d %b %Y} · alliance 4.50" in html
    open_alerts = Alert.objects.filter(seen_at__isnull=True).count()
    assert open_alerts == 2  # the fall: a reliable drop and the tension
    assert "<td><strong>2</strong></td>\n  <td><strong>1</strong></td>" in html


def test_home_shows_a_client_who_shared_nothing_yet(  # type: ignore[no-untyped-def]
        therapist_client: Client, therapy_circle) -> None:
    html = therapist_client.get("/therapist/").content.decode()
    assert "none shared yet" in html


def test_home_lists_only_her_own_therapy_circles(  # type: ignore[no-untyped-def]
        therapist_client: Client, therapy_circle, make_user, make_circle, other_writer) -> None:
    other_therapist = make_user("othertherapist", "Dr. Aspen")
    make_circle(other_writer, "Kestrel's therapy", kind=Circle.Kind.THERAPY,
                therapist=other_therapist)
    html = therapist_client.get("/therapist/").content.decode()
    assert "Kestrel" not in html
    assert html.count('href="/therapist/clients/') == 1


# --- one client ---------------------------------------------------------------------------


def test_client_page_shows_everything_shared(  # type: ignore[no-untyped-def]
        therapist_client: Client, history, therapy_circle, therapy_post) -> None:
    r = therapist_client.get(f"/therapist/clients/{therapy_circle.pk}/")
    assert r.status_code == 200
    html = r.content.decode()
    # the alerts, with the numbers
    assert "Reliable drop in the alliance" in html
    assert "Alliance 2.00, down 2.50 from 4.50 on 2025-02-24" in html
    assert "Tension or a misunderstanding reported, strength 4 of 5" in html
    # the note for the next session, unread
    assert "I want to talk about the call between sessions." in html
    assert f'action="/therapist/notes/{history.note.pk}/read"' in html
    # both views of the fall, side by side, and why they may differ
    fall = history.checkins[TENSION_AT]
    row = html[html.index(f'<tr id="checkin-{fall.pk}"'):]
    row = row[: row.index("</tr>")]
    assert 'class="differs"' in row
    assert "2.00" in row and "yes, strength 4 of 5, worked through 2 of 5" in row
    assert "4.00" in row and "Felt like good work on the break." in row
    assert ("You saw this session differently: only the client noted tension and your "
            "alliance rating is 2.00 higher.") in row
    assert "Clients and therapists often see the same session differently" in html
    # the post shared with her links to the post page
    assert f'<a href="/posts/{therapy_post.pk}/">For my therapist</a>' in html
    # a row per check-in, each with a rating link
    assert html.count('<tr id="checkin-') == len(SCORES)
    assert html.count("Edit my rating") == 2
    assert html.count("Add my rating") == len(SCORES) - 2


def test_chart_spec_marks_the_episode_and_both_views(  # type: ignore[no-untyped-def]
        therapist_client: Client, history, therapy_circle) -> None:
    html = therapist_client.get(f"/therapist/clients/{therapy_circle.pk}/").content.decode()
    spec = chart_spec(html)
    data = spec["datasets"]
    assert [row["score"] for row in data["alliance"]] == SCORES
    assert len(data["therapist"]) == 2
    [episode] = data["episodes"]
    assert episode["start"] == "2025-03-03"  # the week of the fall
    assert episode["status"] == "repaired"
    assert 'id="ep-' in html and "the client reported tension" in html
    assert spec["$schema"].endswith("vega-lite/v5.json")
    # offline: the chart's code is served from this server, and the spec is data, not script
    assert "/static/vendor/vega-lite-5.23.0.min.js" in html
    assert "/static/circle/therapist_chart.js" in html
    assert "cdn" not in html.lower()


def test_drop_rule_sentence_states_the_numbers(  # type: ignore[no-untyped-def]
        therapist_client: Client, history, therapy_circle) -> None:
    html = therapist_client.get(f"/therapist/clients/{therapy_circle.pk}/").content.decode()
    assert re.search(r"The next check-in raises an alert if its alliance is at least "
                     r"\d\.\d\d points below the one before: the reliable-change amount "
                     r"1\.96 × SD \d\.\d\d × √2 × √\(1 − α 0\.85, assumed\)", html)


def test_drop_rule_before_enough_history(  # type: ignore[no-untyped-def]
        therapist_client: Client, therapy_circle, writer) -> None:
    share_history(therapy_circle, writer, None, scores=[4.0, 4.5])
    html = therapist_client.get(f"/therapist/clients/{therapy_circle.pk}/").content.decode()
    assert "Drop alerts start once 4 scored check-ins have been shared (so far 2)" in html


def test_empty_client_page(therapist_client: Client, therapy_circle) -> None:  # type: ignore[no-untyped-def]
    r = therapist_client.get(f"/therapist/clients/{therapy_circle.pk}/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "No check-ins shared yet." in html and "No notes sent." in html
    assert chart_spec(html)["datasets"] == {"alliance": [], "episodes": [], "therapist": []}


def test_posts_in_the_writers_other_circles_stay_hidden(  # type: ignore[no-untyped-def]
        therapist_client: Client, therapy_circle, post) -> None:
    html = therapist_client.get(f"/therapist/clients/{therapy_circle.pk}/").content.decode()
    assert "After Tuesday" not in html and f"/posts/{post.pk}/" not in html


# --- marking things seen --------------------------------------------------------------------


def test_mark_alert_seen(therapist_client: Client, history, therapy_circle) -> None:  # type: ignore[no-untyped-def]
    alert = Alert.objects.filter(reason="tension").get()
    r = therapist_client.post(f"/therapist/alerts/{alert.pk}/seen")
    assert r.status_code == 303
    assert r["Location"] == f"/therapist/clients/{therapy_circle.pk}/#alerts"
    alert.refresh_from_db()
    assert alert.seen_at is not None
    first_seen = alert.seen_at
    therapist_client.post(f"/therapist/alerts/{alert.pk}/seen")  # again: unchanged
    alert.refresh_from_db()
    assert alert.seen_at == first_seen
    html = therapist_client.get(f"/therapist/clients/{therapy_circle.pk}/").content.decode()
    assert "Seen alerts (1)" in html and '<span class="badge">1 new</span>' in html


def test_mark_note_read(therapist_client: Client, history, therapy_circle) -> None:  # type: ignore[no-untyped-def]
    note = history.note
    r = therapist_client.post(f"/therapist/notes/{note.pk}/read")
    assert r.status_code == 303
    assert r["Location"] == f"/therapist/clients/{therapy_circle.pk}/#notes"
    assert SharedNote.objects.get(pk=note.pk).seen_at is not None
    html = therapist_client.get("/therapist/").content.decode()
    assert "<td><strong>2</strong></td>\n  <td>0</td>" in html


def test_marking_needs_post(therapist_client: Client, history) -> None:  # type: ignore[no-untyped-def]
    alert = Alert.objects.first()
    assert alert is not None
    r = therapist_client.get(f"/therapist/alerts/{alert.pk}/seen")
    assert r.status_code == 405 and r["Allow"] == "POST"
    assert Alert.objects.get(pk=alert.pk).seen_at is None
    r = therapist_client.get(f"/therapist/notes/{history.note.pk}/read")
    assert r.status_code == 405


def test_marking_needs_csrf(therapist, history) -> None:  # type: ignore[no-untyped-def]
    c = Client(enforce_csrf_checks=True)
    c.force_login(therapist)
    alert = Alert.objects.first()
    assert alert is not None
    assert c.post(f"/therapist/alerts/{alert.pk}/seen").status_code == 403
    assert c.post(f"/therapist/notes/{history.note.pk}/read").status_code == 403
    assert Alert.objects.get(pk=alert.pk).seen_at is None


def test_a_therapist_role_in_an_ordinary_circle_gives_no_access(  # type: ignore[no-untyped-def]
        make_user, make_circle, writer) -> None:
    odd = make_user("oddrole", "Odd")
    c = make_circle(writer, "Not therapy", kind=Circle.Kind.CIRCLE)
    Membership.objects.create(circle=c, user=odd, role=Membership.Role.THERAPIST)
    client = Client()
    client.force_login(odd)
    assert client.get("/therapist/").status_code == 404
    assert client.get(f"/therapist/clients/{c.pk}/").status_code == 404


def test_hostile_shared_values_do_not_break_the_pages(  # type: ignore[no-untyped-def]
        therapist_client: Client, therapy_circle, writer) -> None:
    from attunement.circle.models import SharedCheckin

    share_history(therapy_circle, writer, None, scores=[4.0, 4.5, 4.0, 4.5])
    odd = SharedCheckin.objects.create(
        author=writer, circle=therapy_circle, local_id="checkin-odd",
        instrument="attunement-alliance-v1", completed_at=SharedCheckin.objects.last().completed_at,  # type: ignore[union-attr]
        answers={"bond_grasped": [1, 2], "task_fit": {"x": 1}, "tension": "<b>yes</b>"},
        alliance=float("nan"), note="<script>alert(1)</script>")
    r = therapist_client.get(f"/therapist/clients/{therapy_circle.pk}/")
    assert r.status_code == 200
    html = r.content.decode()
    spec_text = re.search(r'id="therapist-chart-spec" type="application/json">(.*?)</script>',
                          html, re.S).group(1)  # type: ignore[union-attr]
    assert "NaN" not in spec_text
    assert len(json.loads(spec_text)["datasets"]["alliance"]) == 4
    assert "<script>alert(1)</script>" not in html
    r = therapist_client.get(f"/therapist/checkins/{odd.pk}/rate")
    assert r.status_code == 200
    assert "&lt;b&gt;yes&lt;/b&gt;" in r.content.decode()
    SharedCheckin.objects.filter(pk=odd.pk).update(answers=[1, 2, 3])
    assert therapist_client.get(f"/therapist/checkins/{odd.pk}/rate").status_code == 200
    assert therapist_client.get(f"/therapist/clients/{therapy_circle.pk}/fhir").status_code == 200
