"""The timeline page on the demo year: every check-in is a point, every episode a rect."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from attunement.checkins.models import Checkin
from attunement.insight.services import episodes as eps
from attunement.record.models import Absence, Contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client: Client, journal_home, demo_year) -> Client:
    """The project's unlocked test client, over the demo year."""
    return client


def _spec(html: str) -> dict[str, Any]:
    m = re.search(r'<script id="timeline-spec" type="application/json">(.*?)</script>', html,
                  re.S)
    assert m, "the spec is inline in the page"
    return json.loads(m.group(1))  # type: ignore[no-any-return, unused-ignore]


def test_spec_holds_the_demo_year(client: Client) -> None:
    html = client.get("/timeline/").content.decode()
    spec = _spec(html)
    data = spec["datasets"]
    posts = Checkin.objects.filter(timing="post").exclude(alliance=None).count()
    pres = Checkin.objects.filter(timing="pre").exclude(alliance=None).count()
    assert posts > 100 and pres > 0
    assert sum(r["timing"] == "after" for r in data["alliance"]) == posts
    assert sum(r["timing"] == "before" for r in data["alliance"]) == pres
    episodes = eps.decided().episodes
    assert len(data["episodes"]) == len(episodes) >= 5
    assert {r["start"] for r in data["episodes"]} == {e.start.isoformat() for e in episodes}
    assert len(data["ranges"]) == Absence.objects.count() > 0
    kinds = [r["kind"] for r in data["events"]]
    assert kinds.count("I reached out") == Contact.objects.filter(initiated_by="me").count()
    assert sum(r["n"] for r in data["markers"]) > 0
    assert {r["label"] for r in data["markers"]} == {"moving away", "moving against", "repair"}


def test_table_and_scripts_are_offline(client: Client) -> None:
    html = client.get("/timeline/").content.decode()
    assert "<table" in html and "<details" in html
    rows = re.findall(r"<tr><td>", html)
    assert len(rows) >= Checkin.objects.exclude(alliance=None).count()
    for src in re.findall(r'<script src="([^"]+)"', html):
        assert src.startswith("/static/"), src
    assert "vega-embed-6.29.0.min.js" in html and "insight/timeline.js" in html


def test_timeline_js_turns_off_actions_and_uses_svg() -> None:
    from pathlib import Path

    import attunement.insight as pkg

    js = (Path(pkg.__file__).parent / "static" / "insight" / "timeline.js").read_text()
    assert "actions: false" in js and 'renderer: "svg"' in js
    assert "fetch(" not in js


def test_empty_journal_timeline(client: Client) -> None:
    from tests.insight.conftest import wipe

    wipe()  # inside this test's transaction: rolled back afterwards
    r = client.get("/timeline/")
    assert r.status_code == 200 and b"Nothing recorded yet." in r.content
