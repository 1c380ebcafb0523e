"""Hold: kept moments, search by meaning and by words, and the home card."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.utils import timezone

from attunement.insight.models import HoldSnooze, SentenceVector
from attunement.insight.services import hold, vectors
from attunement.record.models import Entry
from attunement.words.models import SentenceReading

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client: Client, journal_home, demo_year) -> Client:
    """The project's unlocked test client, over the demo year."""
    return client


def test_every_sentence_has_a_vector(client: Client) -> None:
    assert SentenceVector.objects.count() == SentenceReading.objects.count() > 500
    assert vectors.ensure_vectors() == 0


def test_search_for_safe_finds_a_reconnection_sentence(client: Client) -> None:
    hits = hold.search_meaning("when did I feel safe with her", k=5)
    assert hits and all(h.score is not None for h in hits)
    # The demo year's moments of feeling close again say "close to her" (its ground truth),
    # whatever the marker model makes of them.
    assert any("close to her" in h.text for h in hits), [h.text for h in hits]
    html = client.get("/hold/", {"q": "when did I feel safe with her"}).content.decode()
    assert hits[0].text.replace("'", "&#x27;") in html
    assert hits[0].href in html


def test_word_search(client: Client) -> None:
    hits = hold.search_words("close")
    assert hits and all("close" in h.text.lower() for h in hits)
    assert hold.search_words("  ") == []


def test_moments_are_own_words_with_dates_and_links(client: Client) -> None:
    found = hold.moments()
    kinds = {m.source for m in found}
    assert "checkin" in kinds
    close = SentenceReading.objects.filter(label="client_repair", subtype="reconnection",
                                           confidence__gte=hold.MOMENT_CONFIDENCE).count()
    assert sum(m.source == "sentence" for m in found) == close
    html = client.get("/hold/").content.decode()
    for m in found[:5]:
        assert m.href in html


def test_starred_entries_are_kept(client: Client) -> None:
    e = Entry.objects.order_by("written_at").first()
    assert e is not None
    e.starred = True
    e.save()
    assert any(m.source == "starred" and m.href == f"/entries/{e.pk}/" for m in hold.moments())


def test_home_card_offers_three_from_different_times(client: Client) -> None:
    ctx = hold.card_context()
    picks = ctx["hold_card"]
    assert len(picks) == 3
    assert len({(m.date.year, m.date.month) for m in picks}) >= 2
    html = render_to_string("insight/_hold_card.html", ctx)
    assert html.count("Read the whole entry") == 3 and "Not now" in html


def test_not_now_is_remembered_for_a_day(client: Client) -> None:
    r = client.post("/hold/not-now", {"next": "https://elsewhere.example/"})
    assert r.status_code == 302 and r["Location"] == "/"
    assert hold.card_context()["hold_card"] == []
    later = timezone.now() + dt.timedelta(days=1, minutes=1)
    assert not hold.snoozed(later)
    assert HoldSnooze.objects.count() == 1


def test_spread_picks_one_per_stretch() -> None:
    ms = [hold.Moment(dt.date(2026, 1, 1) + dt.timedelta(days=10 * i), str(i), "sentence", "")
          for i in range(9)]
    picks = hold.spread(ms, 3, day=dt.date(2026, 5, 5))
    assert [int(p.text) // 3 for p in picks] == [0, 1, 2]
    assert hold.spread(ms[:2], 3) == ms[:2]


def test_vectors_follow_edits_and_reuse_known_text(client: Client) -> None:
    entry = Entry.objects.order_by("written_at").first()
    assert entry is not None
    first = SentenceReading.objects.filter(entry=entry).order_by("index").first()
    assert first is not None
    calls: list[list[str]] = []

    def fake(texts):
        calls.append(list(texts))
        v = np.zeros((len(texts), 384), dtype=np.float32)
        v[:, 0] = 1.0
        return v

    first.text = "A sentence no one wrote before."
    first.save()
    assert vectors.ensure_vectors(fake, entry_ids=[entry.pk]) == 1
    assert calls == [["A sentence no one wrote before."]]
    row = SentenceVector.objects.get(entry=entry, index=first.index)
    assert row.text == first.text
    top = vectors.nearest(np.eye(1, 384, 0, dtype=np.float32)[0], k=1)
    assert top[0][0] == row.pk and top[0][1] == pytest.approx(1.0, abs=1e-5)


def test_numpy_path_matches_sqlite_vec(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    from attunement.analysis.embed import embed

    q = embed(["I felt close to her again"])[0]
    native = vectors.nearest(q, k=5)
    monkeypatch.setattr(vectors, "uses_vec", lambda: False)
    exact = vectors.nearest(q, k=5)
    assert [i for i, _ in native] == [i for i, _ in exact]
    assert [s for _, s in native] == pytest.approx([s for _, s in exact], abs=1e-4)


def test_sqlite_vec_table_is_refilled_when_emptied(client: Client) -> None:
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("sqlite-vec only")
    with connection.cursor() as cur:
        cur.execute("DELETE FROM insight_vec")
    vectors._SYNCED.clear()
    vectors.ensure_vectors()
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM insight_vec")
        assert cur.fetchone()[0] == SentenceVector.objects.count()
    assert hold.search_meaning("close to her again", k=3)
