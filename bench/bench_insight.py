"""Speed of the insight pages on five years of three sessions a week (results in docs/insight.md).

Run: ``.venv/bin/python bench/bench_insight.py`` (makes a throwaway encrypted journal in a
temporary folder; takes about a minute). Prints the median of repeated runs for: the timeline
data and spec, one search by meaning over 20,000 sentences, and each page's render.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

HOME = tempfile.mkdtemp(prefix="attune-bench-insight-")
os.environ["ATTUNE_HOME"] = HOME
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "attunement.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from attunement.store import keyring  # noqa: E402

YEARS, PER_WEEK, SENTENCES = 5, 3, 20_000
LABELS = ["none"] * 8 + ["withdrawal", "confrontation", "client_repair", "therapist_repair"]


def median_ms(fn: Callable[[], Any], repeat: int = 20) -> float:
    """Median wall time of fn in milliseconds."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def build(rng: np.random.Generator) -> None:
    """Sessions, check-ins, entries with readings, contacts, absences and frame items."""
    from attunement.checkins.models import Checkin
    from attunement.record.models import Absence, Contact, Entry, FrameItem, Session
    from attunement.words.models import SentenceReading

    start = timezone.make_aware(dt.datetime(2021, 1, 4, 9))
    days = [start + dt.timedelta(weeks=w, days=d) for w in range(52 * YEARS)
            for d in (0, 2, 4)[:PER_WEEK]]
    status = rng.choice(["held"] * 30 + ["cancelled_by_me", "cancelled_by_therapist"], len(days))
    sessions = Session.objects.bulk_create(
        Session(starts_at=d, status=str(s)) for d, s in zip(days, status, strict=True))
    level = 4 + 0.3 * np.sin(np.arange(len(days)) / 9) + rng.normal(0, 0.25, len(days))
    level[rng.choice(len(days), 40, replace=False)] -= 1.5  # dips
    checkins = []
    for s, a in zip(sessions, np.clip(level, 1, 5), strict=True):
        if s.status != "held":
            continue
        checkins.append(Checkin(instrument="attunement-alliance-v1", session=s, timing="post",
                                completed_at=s.starts_at + dt.timedelta(hours=1),
                                alliance=float(a), subscales={"bond": float(a)},
                                tension=bool(a < 3), tension_intensity=3 if a < 3 else None))
        if rng.random() < 0.4:
            checkins.append(Checkin(instrument="attunement-pre-v1", session=s, timing="pre",
                                    completed_at=s.starts_at - dt.timedelta(hours=2),
                                    alliance=float(a) - 0.3))
    Checkin.objects.bulk_create(checkins)
    entries = Entry.objects.bulk_create(
        Entry(title=f"Entry {i}", body="A sentence about the session. " * 12,
              written_at=start + dt.timedelta(days=3.5 * i)) for i in range(52 * YEARS * 2))
    SentenceReading.objects.bulk_create(
        SentenceReading(entry=e, index=j, start=30 * j, end=30 * j + 29,
                        text=f"Sentence {j} of entry {e.pk}.", label=str(rng.choice(LABELS)),
                        subtype="", confidence=0.8, model_version="bench")
        for e in entries for j in range(12))
    Contact.objects.bulk_create(
        Contact(at=start + dt.timedelta(days=int(d)), kind="call",
                initiated_by=str(rng.choice(["me", "therapist"])))
        for d in rng.integers(0, 365 * YEARS, 150))
    Absence.objects.bulk_create(
        Absence(start=(start + dt.timedelta(weeks=26 * i)).date(),
                end=(start + dt.timedelta(weeks=26 * i, days=14)).date()) for i in range(2 * YEARS))
    FrameItem.objects.bulk_create(
        FrameItem(text=f"rule {i}", start=(start + dt.timedelta(days=90 * i)).date())
        for i in range(4 * YEARS))


def add_vectors(rng: np.random.Generator, n: int) -> None:
    """n random unit vectors as sentences, in the table and in sqlite-vec."""
    from attunement.insight.models import SentenceVector
    from attunement.record.models import Entry

    entry_ids = list(Entry.objects.values_list("pk", flat=True))
    vecs = rng.normal(size=(n, 384)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    rows = SentenceVector.objects.bulk_create(
        SentenceVector(entry_id=entry_ids[i % len(entry_ids)], index=1000 + i, text=f"s{i}",
                       text_hash=f"{i:064d}", vector=vecs[i].tobytes(), model="bench")
        for i in range(n))
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.executemany("INSERT INTO insight_vec(rowid, embedding) "
                            "VALUES (%s, vec_quantize_binary(%s))",
                            [(r.pk, bytes(r.vector)) for r in rows])


def main() -> int:
    from django.test import Client
    from django.test.utils import setup_test_environment

    from attunement.insight.charts import timeline_spec
    from attunement.insight.services import cache, timeline, vectors
    from attunement.insight.services import episodes as eps
    from attunement.store import journal

    journal.create("bench passphrase")
    rng = np.random.default_rng(1)
    with transaction.atomic():
        build(rng)
        add_vectors(rng, SENTENCES)
    from attunement.checkins.models import Checkin

    print(f"journal: {Checkin.objects.count()} check-ins over {YEARS} years, "
          f"{SENTENCES} sentence vectors ({connection.vendor})")
    t = time.perf_counter()
    eps.decided()
    print(f"episode detection, cold (once per change): {(time.perf_counter() - t) * 1000:.0f} ms"
          f" -> {len(eps.decided().episodes)} episodes")
    for name in ("alliance_rows", "marker_rows", "event_rows", "range_rows"):
        fn = getattr(timeline, name)
        print(f"  {name}: {median_ms(fn, 5):.1f} ms")
    print(f"  fingerprint: {median_ms(cache.fingerprint, 5):.1f} ms")
    print(f"timeline data + spec (warm): "
          f"{median_ms(lambda: timeline_spec(timeline.data(), scale=timeline.scale())):.1f} ms")
    qs = rng.normal(size=(50, 384)).astype(np.float32)
    qs /= np.linalg.norm(qs, axis=1, keepdims=True)
    it = iter(qs)

    def one_query() -> None:
        vectors.nearest(next(it), 10)

    print(f"search by meaning, KNN over {SENTENCES} (k=10): "
          f"{median_ms(one_query, repeat=50):.1f} ms")
    try:
        from attunement.analysis.embed import embed

        embed(["warm up"])
        ms = median_ms(lambda: embed(["when did I feel safe"]), 20)
        print(f"  + embedding the query: {ms:.1f} ms")
    except Exception as exc:
        print(f"  (query embedding skipped: {exc})")
    setup_test_environment()
    client = Client()
    for url in ("/episodes/", "/timeline/", "/patterns/", "/hold/", "/bring/"):
        client.get(url)  # warm the caches (first view after a change pays detection)
        print(f"page {url}: {median_ms(functools.partial(client.get, url), repeat=5):.0f} ms")
    keyring.forget()
    return 0


if __name__ == "__main__":
    sys.exit(main())
