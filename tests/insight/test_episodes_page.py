"""The episodes page on the demo year: content, and decisions that survive re-analysis."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from attunement.checkins.models import Checkin
from attunement.insight.models import EpisodeDecision
from attunement.insight.services import episodes as eps

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client: Client, journal_home, demo_year) -> Client:
    """The project's unlocked test client, over the demo year."""
    return client


def _ids(html: str) -> list[str]:
    return re.findall(r'<article class="card episode [^"]*" id="ep-([0-9a-f]+)"', html)


def test_lists_every_detected_episode_with_evidence_links(client: Client) -> None:
    from attunement.words.episodes import journal_episodes

    found = journal_episodes()
    html = client.get("/episodes/").content.decode()
    assert sorted(_ids(html)) == sorted(e.id for e in found)
    assert len(found) >= 5
    first_checkin = next(ev for e in found for ev in e.evidence if ev.source == "checkin")
    pk = eps.checkin_links()[first_checkin.id]
    assert Checkin.objects.filter(pk=pk, timing="post").exists()
    assert f'href="/checkins/{pk}/"' in html
    assert re.search(r'href="/entries/\d+/#s\d+"', html)
    assert "Lowest point" in html and "SD below your usual level" in html
    assert "still open" in html and "repaired" in html


def test_detection_runs_once_per_change(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    import attunement.words.episodes as we

    eps.decided()
    calls: list[int] = []

    def counting() -> list[object]:
        calls.append(1)
        return []

    monkeypatch.setattr(we, "journal_episodes", counting)
    client.get("/episodes/")
    client.get("/timeline/")
    assert calls == []


def test_dismiss_survives_reanalysis(client: Client) -> None:
    target = eps.decided().episodes[0]
    r = client.post(f"/episodes/{target.id}/decide", {"action": "dismiss"})
    assert r.status_code == 302
    assert target.id not in _ids(client.get("/episodes/").content.decode())
    # New data re-runs detection; the choice still applies.
    c = Checkin.objects.filter(timing="post").order_by("-completed_at").first()
    assert c is not None
    c.alliance = (c.alliance or 3.0) + 0.001
    c.save()
    again = eps.decided()
    assert target.id in {e.id for e in again.dismissed}
    assert target.id not in {e.id for e in again.episodes}


def test_confirm_edit_merge_split_and_undo(client: Client) -> None:
    before = eps.decided().episodes
    a, b = before[0], before[1]
    client.post(f"/episodes/{a.id}/decide", {"action": "confirm"})
    assert next(e for e in eps.decided().episodes if e.id == a.id).confirmed
    client.post(f"/episodes/{a.id}/decide", {"action": "edit", "start": a.start.isoformat(),
                                             "end": "", "status": "unrepaired", "kind": "mixed"})
    edited = next(e for e in eps.decided().episodes if e.id == a.id)
    assert (edited.status, edited.kind, edited.edited) == ("unrepaired", "mixed", True)
    client.post("/episodes/merge", {"ids": [a.id, b.id]})
    merged = eps.decided().episodes
    assert len(merged) == len(before) - 1
    assert {a.id, b.id}.isdisjoint(e.id for e in merged)
    assert EpisodeDecision.objects.count() == 3
    client.post("/episodes/undo")
    assert len(eps.decided().episodes) == len(before)


def test_split_makes_two(client: Client) -> None:
    import datetime as dt

    from attunement.analysis.episodes_decisions import span

    long = next(e for e in eps.decided().episodes if (span(e)[1] - span(e)[0]).days >= 4)
    at = long.start + dt.timedelta(days=2)
    client.post(f"/episodes/{long.id}/decide", {"action": "split", "at": at.isoformat()})
    after = eps.decided().episodes
    assert long.id not in {e.id for e in after}
    assert {long.start, at} <= {e.start for e in after}


def test_merge_needs_two(client: Client) -> None:
    one = eps.decided().episodes[0]
    r = client.post("/episodes/merge", {"ids": [one.id]}, follow=True)
    assert b"Choose at least two" in r.content
    assert EpisodeDecision.objects.count() == 0


def test_unknown_episode_is_404(client: Client) -> None:
    assert client.post("/episodes/ffffffffffff/decide", {"action": "confirm"}).status_code == 404
