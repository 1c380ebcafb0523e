"""Per-part views on the demo year: ?part=<id> narrows the timeline, patterns, episodes and hold.

Two parts share the demo year: Rowan wrote the entries and filled in the check-ins of
its first half, Sable those of the second. Contacts, breaks and the frame belong to
everyone and stay on both timelines.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from attunement.checkins.models import Checkin
from attunement.insight.services import episodes as eps
from attunement.insight.services import hold
from attunement.insight.services import patterns as pats
from attunement.insight.services import scope as scoping
from attunement.insight.services import timeline as tl
from attunement.parts import authorship, prefs, services
from attunement.parts.models import Authorship, Part
from attunement.record.models import Entry
from attunement.words.models import SentenceReading

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)
PAGES = ["/timeline/", "/patterns/", "/episodes/", "/hold/"]


@pytest.fixture
def client(client: Client, journal_home: Any, demo_year: None) -> Client:
    """The project's unlocked test client, over the demo year."""
    return client


def _split(rows: list[Any]) -> tuple[list[Any], list[Any]]:
    half = len(rows) // 2
    return rows[:half], rows[half:]


@pytest.fixture
def two(demo_year: None) -> tuple[Part, Part]:
    """The feature on; Rowan wrote the first half of the year, Sable the second."""
    prefs.set_enabled(True)
    rowan, sable = (services.save_part(None, name=n, now=T0) for n in ("Rowan", "Sable"))
    for part, entries in zip((rowan, sable), _split(list(Entry.objects.order_by("written_at"))),
                             strict=True):
        Authorship.objects.bulk_create(Authorship(part=part, entry=e) for e in entries)
    checkins = list(Checkin.objects.order_by("completed_at"))
    for part, mine in zip((rowan, sable), _split(checkins), strict=True):
        Authorship.objects.bulk_create(Authorship(part=part, checkin=c) for c in mine)
    return rowan, sable


def _spec(html: str) -> dict[str, Any]:
    m = re.search(r'<script id="timeline-spec" type="application/json">(.*?)</script>', html,
                  re.S)
    assert m
    return json.loads(m.group(1))  # type: ignore[no-any-return, unused-ignore]


def _ids_of(part: Part, field: str) -> set[int]:
    return set(Authorship.objects.filter(part=part).exclude(**{field: None})
               .values_list(field, flat=True))


# ---- the timeline --------------------------------------------------------------------------


def test_the_timeline_of_one_part(client: Client, two: tuple[Part, Part]) -> None:
    rowan, sable = two
    everyone = _spec(client.get("/timeline/").content.decode())["datasets"]
    html = client.get(f"/timeline/?part={rowan.pk}").content.decode()
    data = _spec(html)["datasets"]
    mine = _ids_of(rowan, "checkin_id")
    expected = Checkin.objects.filter(pk__in=mine).exclude(alliance=None).count()
    assert 0 < len(data["alliance"]) == expected < len(everyone["alliance"])
    assert {r["href"] for r in data["alliance"]} == {
        f"/checkins/{pk}/" for pk in Checkin.objects.filter(pk__in=mine).exclude(alliance=None)
        .values_list("pk", flat=True)
    }
    markers = SentenceReading.objects.filter(entry_id__in=_ids_of(rowan, "entry_id"),
                                             label__in=list(tl.MARKER_GROUPS),
                                             confidence__gte=tl.MIN_CONFIDENCE).count()
    assert sum(r["n"] for r in data["markers"]) == markers > 0
    assert sum(r["n"] for r in data["markers"]) < sum(r["n"] for r in everyone["markers"])
    # Episodes resting on Rowan's writing: some, not all, and exactly those.
    scope = scoping.for_part(rowan)
    kept = [e for e in eps.decided().episodes if scope.keeps(e)]
    assert 0 < len(data["episodes"]) == len(kept) < len(everyone["episodes"])
    assert data["events"] == everyone["events"] and data["ranges"] == everyone["ranges"]
    assert f'<option value="{rowan.pk}" selected>Rowan</option>' in html
    assert f'<option value="{sable.pk}">Sable</option>' in html
    assert "The check-ins Rowan filled in, the words Rowan wrote" in html
    assert f'href="/patterns/?part={rowan.pk}"' in html


def test_the_two_halves_make_the_whole(client: Client, two: tuple[Part, Part]) -> None:
    rowan, sable = two
    whole = tl.alliance_rows()
    halves = tl.alliance_rows(scoping.for_part(rowan)) + tl.alliance_rows(scoping.for_part(sable))
    assert sorted(r["href"] for r in halves) == sorted(r["href"] for r in whole)


def test_an_episode_is_kept_by_the_part_whose_evidence_it_rests_on(two: tuple[Part, Part]) -> None:
    rowan, sable = two
    a, b = scoping.for_part(rowan), scoping.for_part(sable)
    episodes = eps.decided().episodes
    # Rowan's half is the first: every episode kept for Rowan alone started in it.
    last_rowan_day = max(timezone.localtime(e.written_at).date()
                         for e in Entry.objects.filter(pk__in=a.entry_ids))
    only_rowan = [e for e in episodes if a.keeps(e) and not b.keeps(e)]
    assert only_rowan and all(e.start <= last_rowan_day for e in only_rowan)
    assert all(a.keeps(e) or b.keeps(e) for e in episodes)  # everything was written by one


# ---- falling back, and the feature off -----------------------------------------------------


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("raw", ["999999", "abc", "-1", "1" * 40])
def test_an_unknown_part_shows_everyone_with_a_message(
    client: Client, two: tuple[Part, Part], url: str, raw: str
) -> None:
    r = client.get(url, {"part": raw})
    assert r.status_code == 200
    html = r.content.decode()
    assert 'id="part-filter-message"' in html and scoping.NOT_FOUND in html
    assert "selected>Rowan" not in html and 'id="part-scope"' not in html


def test_an_unknown_part_on_the_timeline_draws_everyone(
    client: Client, two: tuple[Part, Part]
) -> None:
    everyone = _spec(client.get("/timeline/").content.decode())
    assert _spec(client.get("/timeline/?part=999999").content.decode()) == everyone


@pytest.mark.parametrize("url", PAGES)
def test_off_hides_the_filter_and_ignores_the_parameter(
    client: Client, two: tuple[Part, Part], url: str
) -> None:
    rowan, _ = two
    prefs.set_enabled(False)
    for query in ("", f"?part={rowan.pk}", "?part=999999"):
        html = client.get(url + query).content.decode()
        for trace in ('id="part-filter"', "part-filter-message", "Rowan", "Sable", "part-scope"):
            assert trace not in html, (url, query, trace)
    if url == "/timeline/":
        assert _spec(client.get(f"/timeline/?part={rowan.pk}").content.decode()) == _spec(
            client.get("/timeline/").content.decode()
        )
    prefs.set_enabled(True)
    assert 'id="part-filter"' in client.get(url).content.decode()


@pytest.mark.parametrize("url", PAGES)
def test_no_select_while_there_are_no_parts(client: Client, url: str) -> None:
    prefs.set_enabled(True)
    assert 'id="part-filter"' not in client.get(url).content.decode()


def test_archived_and_waiting_parts(client: Client, two: tuple[Part, Part]) -> None:
    rowan, sable = two
    services.archive(rowan, T0)
    services.request_deletion(sable, T0)
    html = client.get("/timeline/").content.decode()
    assert f'<option value="{rowan.pk}">Rowan (archived)</option>' in html
    assert f'<option value="{sable.pk}">' not in html
    # Asked for by number, a part still waiting is shown (its writing is all still here).
    html = client.get(f"/timeline/?part={sable.pk}").content.decode()
    assert f'<option value="{sable.pk}" selected>Sable</option>' in html
    assert "part-filter-message" not in html


# ---- patterns and episodes -----------------------------------------------------------------


def test_patterns_of_one_part(client: Client, two: tuple[Part, Part]) -> None:
    rowan, _ = two
    scope = scoping.for_part(rowan)
    kept = [e for e in eps.decided().episodes if scope.keeps(e)]
    html = client.get(f"/patterns/?part={rowan.pk}&k=14").content.decode()
    assert f"({len(kept)} episodes in the writing and check-ins of Rowan)" in html
    assert 'name="k" value="14"' in html  # the part filter keeps the look-ahead
    assert f'name="part" value="{rowan.pk}"' in html  # and the look-ahead keeps the part
    result = pats.compute(14, scope)
    everyone = pats.compute(14)
    assert result["n_episodes"] == len(kept) < everyone["n_episodes"]
    assert result["window"] == everyone["window"]  # the same observed time for both
    closeness = {e.date for e in pats.journal_events(scope) if e.kind == "closeness_session"}
    assert closeness <= set(pats.closeness_days())
    assert closeness == set(pats.closeness_days(scope))


def test_people_are_those_the_part_wrote_about(two: tuple[Part, Part]) -> None:
    rowan, sable = two
    a, b = pats.person_mentions(scoping.for_part(rowan)), pats.person_mentions(
        scoping.for_part(sable))
    assert sorted(map(repr, a + b)) == sorted(map(repr, pats.person_mentions()))


def test_episodes_page_of_one_part(client: Client, two: tuple[Part, Part]) -> None:
    rowan, _ = two
    scope = scoping.for_part(rowan)
    kept = [e for e in eps.decided().episodes if scope.keeps(e)]
    html = client.get(f"/episodes/?part={rowan.pk}").content.decode()
    assert f"{len(kept)} episodes resting on what Rowan wrote or filled in" in html
    ids = re.findall(r'<article class="card episode [^"]*" id="ep-([0-9a-f]+)"', html)
    assert set(ids) <= {e.id for e in kept} and ids


# ---- hold ----------------------------------------------------------------------------------


def test_hold_shows_the_words_a_part_wrote(client: Client, two: tuple[Part, Part]) -> None:
    rowan, sable = two
    a = scoping.for_part(rowan)
    mine = hold.moments(a)
    assert any(m.source == "sentence" for m in mine)
    entry_links = {f"/entries/{pk}/" for pk in a.entry_ids}
    checkin_links = {f"/checkins/{pk}/" for pk in a.checkin_ids}
    for m in mine:
        assert m.href.split("#")[0] in entry_links | checkin_links, m.href
    theirs = hold.moments(scoping.for_part(sable))
    assert len(mine) + len(theirs) == len(hold.moments())
    html = client.get(f"/hold/?part={rowan.pk}").content.decode()
    assert '<h2 id="moments-h">Words Rowan wrote</h2>' in html
    assert "Moments of connection written by Rowan, in Rowan's own words" in html
    for m in mine[:5]:
        assert m.href in html
    for m in theirs:
        assert f'href="{m.href}"' not in html


def test_hold_search_stays_within_the_part(client: Client, two: tuple[Part, Part]) -> None:
    rowan, _ = two
    a = scoping.for_part(rowan)
    hits = hold.search_words("close", scope=a)
    assert hits and all(int(h.href.split("/")[2]) in a.entry_ids for h in hits)
    near = hold.search_meaning("when did I feel safe with her", k=5, scope=a)
    assert near and len(near) <= 5
    assert all(int(h.href.split("/")[2]) in a.entry_ids for h in near)
    html = client.get("/hold/", {"q": "close", "mode": "words", "part": rowan.pk}).content.decode()
    assert f'<input type="hidden" name="part" value="{rowan.pk}">' in html
    assert '<input type="hidden" name="q" value="close">' in html


def test_a_part_with_no_moments_gets_a_gentle_line(client: Client, two: tuple[Part, Part]) -> None:
    quiet = services.save_part(None, name="Wren", now=T0)
    warm = SentenceReading.objects.filter(label="client_repair", subtype="reconnection")
    plain = Entry.objects.filter(starred=False).exclude(pk__in=warm.values("entry_id")).first()
    assert plain is not None
    authorship.set_links(plain, [quiet])
    assert hold.moments(scoping.for_part(quiet)) == []
    html = client.get(f"/hold/?part={quiet.pk}").content.decode()
    assert "No moments of connection written by Wren are kept yet." in html
    assert "Nothing here yet." not in html
