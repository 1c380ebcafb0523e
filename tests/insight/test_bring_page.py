"""Bring it to the session: nothing pre-selected, only the picks in the page and the PDF."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from attunement.insight.services import bring
from attunement.record.models import Entry, Unsaid

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client: Client, journal_home) -> Client:
    """The project's unlocked test client."""
    return client


@pytest.fixture
def notes() -> list[Unsaid]:
    return [Unsaid.objects.create(text="I was hurt when she looked at the clock."),
            Unsaid.objects.create(text="I want to talk about the summer break.")]


def test_nothing_is_ticked_by_default(client: Client, notes: list[Unsaid]) -> None:
    Entry.objects.create(title="Tuesday", body="The room felt cold today.")
    html = client.get("/bring/").content.decode()
    boxes = re.findall(r'<input type="checkbox"[^>]*>', html)
    assert len(boxes) == 3
    assert not any("checked" in b for b in boxes)
    assert "I was hurt when she looked at the clock." in html


def test_page_holds_only_what_was_picked(client: Client, notes: list[Unsaid]) -> None:
    r = client.post("/bring/", {"unsaid": [str(notes[1].pk)], "action": "page",
                                "note": "And the <b>fee</b>."})
    html = r.content.decode()
    assert "summer break" in html and "looked at the clock" not in html
    assert "&lt;b&gt;fee&lt;/b&gt;" in html


def test_pdf_is_a_real_pdf_with_the_picks(client: Client, notes: list[Unsaid]) -> None:
    r = client.post("/bring/", {"unsaid": [str(notes[0].pk)], "action": "pdf"})
    assert r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF-") and b"%%EOF" in r.content[-64:]
    assert "attachment" in r["Content-Disposition"]


def test_pdf_fetches_nothing(notes: list[Unsaid]) -> None:
    hostile = Unsaid.objects.create(text='<img src="http://example.invalid/x.png"> remote?')
    data = bring.pdf(bring.chosen({"unsaid": [str(hostile.pk)]}))
    assert data.startswith(b"%PDF-")
    with pytest.raises(ValueError):
        bring._no_fetch("http://example.invalid/x.png")


def test_bad_ids_are_ignored(notes: list[Unsaid]) -> None:
    items = bring.chosen({"unsaid": ["x", "-1", str(notes[0].pk)], "entry": ["99999"]})
    assert [i.text for i in items] == [notes[0].text]
    assert bring.parse_weeks("0") == 1 and bring.parse_weeks("abc") == bring.DEFAULT_WEEKS
