"""The patterns page: every figure with its n, k from the query string, small-sample words."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from attunement.analysis.patterns import EVENT_KINDS
from attunement.insight.services import episodes as eps
from attunement.insight.services import patterns as pats
from attunement.record.models import Contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client: Client, journal_home, demo_year) -> Client:
    """The project's unlocked test client, over the demo year."""
    return client


def test_every_event_kind_with_counts_and_a_sentence(client: Client) -> None:
    html = client.get("/patterns/").content.decode()
    assert len(re.findall(r'<tr class="precedence"', html)) == len(EVENT_KINDS)
    n_me = Contact.objects.filter(initiated_by="me").count()
    assert "a rupture began within a week" in html
    assert re.search(rf"After you reached out between sessions, a rupture began within a week "
                     rf"\d+ times? out of {n_me};", html)
    n = len(eps.decided().episodes)
    assert f"({n} episodes)" in html
    assert "n = " in html and "Theil" in html
    for word in ("causes", "caused", "because of"):
        assert word not in html.replace("none of them says that one thing causes another", "")


def test_k_from_the_query_string(client: Client) -> None:
    html = client.get("/patterns/?k=14").content.decode()
    assert "within two weeks" in html and "within a week" not in html
    assert pats.parse_k("999") == pats.MAX_K and pats.parse_k("x") == 7
    assert pats.parse_k("0") == 1


def test_counts_match_the_analysis(client: Client) -> None:
    result = pats.compute(7)
    first = next(r for r in result["precedence"] if r.kind == "contact_me")
    assert first.events == Contact.objects.filter(initiated_by="me").count()
    assert first.shifts >= 1000 or first.exact
    assert result["trend"].n == sum(e.status == "repaired" and e.days_to_repair is not None
                                    for e in eps.decided().episodes)
    years = result["years"]
    assert sum(y.n for y in years) == result["trend"].n


def test_too_few_to_say(client: Client) -> None:
    from tests.insight.conftest import wipe

    wipe()
    html = client.get("/patterns/").content.decode()
    assert 'id="too-few"' in html and "too few to say" in html
