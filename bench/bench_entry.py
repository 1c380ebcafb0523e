"""Markers in the journal itself: the demo journal analysed whole, and an edited entry saved.

Run: ``.venv/bin/python bench/bench_entry.py [SAVES]`` (makes a throwaway encrypted journal
in a temporary folder; takes under a minute). Results in docs/markers.md.

- The demo journal (a fictional year) is imported without analysis, then every entry is
  read for markers in one batch with ``words.services.analyze_entries``, the path that
  imports and model upgrades take. Goal: under 60 s.
- One entry of the demo is edited and saved ``SAVES`` times (20 by default) with
  ``record.services.save_entry``: the search index and the markers are rebuilt in the
  same transaction, as when the writer presses Save. Goal: under 300 ms.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time

HOME = tempfile.mkdtemp(prefix="attune-bench-entry-")
os.environ["ATTUNE_HOME"] = HOME
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "attunement.settings")

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402

EDITS = (
    " I kept looking at the clock and said it was fine.",
    " She said she had noticed me going quiet and asked what happened.",
    " Later I wrote to her that I was sorry for snapping.",
    " Then I went for a walk by the river.",
)


def main() -> int:
    from attunement.analysis.markers import analyze
    from attunement.demo.generator import build_demo_journal
    from attunement.record import transfer
    from attunement.record.models import Entry
    from attunement.record.services import save_entry
    from attunement.store import journal
    from attunement.words import services as words
    from attunement.words.models import SentenceReading

    saves = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    journal.create("bench passphrase")
    transfer.import_data(build_demo_journal(seed=7), analyze=False)
    entries = list(Entry.objects.order_by("written_at"))
    n_words = sum(len(e.body.split()) for e in entries)
    analyze("Warm up the model.")  # loading the model is start-up, not analysis
    t = time.perf_counter()
    words.analyze_entries(entries)
    whole = time.perf_counter() - t
    n_sentences = SentenceReading.objects.count()
    print(f"| the demo journal analysed in one batch ({len(entries)} entries, {n_words:,} "
          f"words, {n_sentences:,} sentences) | {whole:.1f} s |")

    entry = max(entries, key=lambda e: len(e.body))
    base = entry.body
    times = []
    for i in range(saves):
        body = base + EDITS[i % len(EDITS)] * (1 + i % 2)
        t = time.perf_counter()
        with transaction.atomic():
            save_entry(entry=entry, title=entry.title, body=body, written_at=entry.written_at)
        times.append((time.perf_counter() - t) * 1000)
    print(f"| saving an edited entry ({len(base.split())} words and an edit; search index and "
          f"markers, one transaction), median of {saves} | {statistics.median(times):.0f} ms "
          f"(max {max(times):.0f} ms) |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
