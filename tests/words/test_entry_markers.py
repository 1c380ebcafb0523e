"""Entries are read for markers on save; corrections are kept and teach similar sentences."""

from __future__ import annotations

import pytest

from attunement.record import services
from attunement.words.models import Correction, EntryAnalysis, SentenceReading
from tests.conftest import unlocked_client

pytestmark = pytest.mark.django_db

BODY = (
    "I felt like there was a wall between us the whole hour. "
    "Then she said she felt the distance too, and that she wasn't going anywhere."
)


def _labels(entry) -> list[str]:  # type: ignore[no-untyped-def]
    return list(SentenceReading.objects.filter(entry=entry).values_list("label", flat=True))


def test_saving_an_entry_reads_its_sentences() -> None:
    entry = services.save_entry(title="Wednesday", body=BODY)
    assert _labels(entry) == ["withdrawal", "therapist_repair"]
    analysis = EntryAnalysis.objects.get(entry=entry)
    assert analysis.model_version and not analysis.error
    wall = SentenceReading.objects.get(entry=entry, index=0)
    assert any("wall" in BODY[s:e] for s, e in wall.evidence)


def test_entry_page_shows_markers_with_text_labels(journal_home) -> None:  # type: ignore[no-untyped-def]
    entry = services.save_entry(title="Wednesday", body=BODY)
    page = unlocked_client().get(f"/entries/{entry.pk}/").content.decode()
    assert "[moving away]" in page and "[her repair]" in page
    assert 'class="ms withdrawal"' in page


def test_a_rejection_survives_reanalysis(journal_home) -> None:  # type: ignore[no-untyped-def]
    entry = services.save_entry(title="Wednesday", body=BODY)
    unlocked_client().post(f"/entries/{entry.pk}/markers/0", {"action": "reject"})
    assert _labels(entry)[0] == "none"
    services.save_entry(entry=entry, title="Wednesday", body=BODY + " I slept badly.")
    assert _labels(entry)[0] == "none"
    page = unlocked_client().get(f"/entries/{entry.pk}/").content.decode()
    assert "you rejected this" in page


def test_a_relabelled_phrasing_is_followed_by_similar_sentences(journal_home) -> None:  # type: ignore[no-untyped-def]
    mine = "I went into my cave again during the session."
    other = "Went into my cave again in today's session."
    first = services.save_entry(title="a", body=mine)
    before = SentenceReading.objects.get(entry=services.save_entry(title="b", body=other))
    unlocked_client().post(f"/entries/{first.pk}/markers/0",
                  {"action": "relabel", "label": "withdrawal:shutting_down_distance"})
    assert Correction.objects.get().label == "withdrawal"
    second = services.save_entry(title="c", body=other)
    after = SentenceReading.objects.get(entry=second)
    assert (after.label, after.subtype) == ("withdrawal", "shutting_down_distance")
    assert "follows_correction" in after.flags
    assert before.flags == [] or "follows_correction" not in before.flags
    unrelated = services.save_entry(title="d", body="I bought bread and walked the dog.")
    assert _labels(unrelated) == ["none"]


def test_a_failing_analysis_never_loses_the_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    from attunement.words import services as words

    def boom(*a, **k):  # type: ignore[no-untyped-def]
        raise RuntimeError("model file missing")

    monkeypatch.setattr(words, "analyze_entries", boom)
    entry = services.save_entry(title="kept", body=BODY)
    entry.refresh_from_db()
    assert entry.title == "kept"
    assert EntryAnalysis.objects.get(entry=entry).error == "model file missing"


def test_crisis_words_bring_the_calm_card_with_my_supports(journal_home) -> None:  # type: ignore[no-untyped-def]
    from attunement.record.models import Setting

    Setting.objects.create(name="supports", value={"text": "Call my sister Ana"})
    entry = services.save_entry(title="night", body="Tonight I don't want to be alive anymore.")
    page = unlocked_client().get(f"/entries/{entry.pk}/").content.decode()
    assert "A moment for you" in page and "Call my sister Ana" in page
    assert "Nothing has been sent or shared" in page
