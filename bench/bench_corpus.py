"""Benchmark corpus mode on a generated corpus; compare with VADER and Empath on the same text.

    PYTHONPATH=src .venv/bin/python bench/bench_corpus.py --docs 100000

Generates ``--docs`` journal-like documents (~30 words each) from a seeded generator,
then times ``analyze_corpus`` with 1 process, 2 processes and a 2-worker Dask
LocalCluster (one math thread per worker throughout, so 1 -> 2 is a fair core-scaling
test), and VADER and Empath (if installed) in one process. Prints a Markdown table and
writes the figures as JSON next to the corpus.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

OPENERS = ("Today", "In session", "This week", "Afterwards", "On the way home", "Last night")
SUBJECTS = ("she", "my therapist", "I", "we")
CLAUSES = (
    "was late again and I said nothing",
    "asked about my father and I changed the subject",
    "told me she had got it wrong last time",
    "said I was angry and I laughed it off",
    "talked about the move and the new flat",
    "kept looking at the clock",
    "apologised for cutting me off",
    "went back to what I had not said",
    "wondered whether any of this is helping",
    "sat in silence for a long while",
    "felt closer than we have in weeks",
    "argued about the missed session fee",
)
ENDINGS = ("", " for a while", " again", " before the end", " and it stayed with me")


def sentence(rng: random.Random) -> str:
    """One journal-like sentence (about ten words)."""
    text = f"{rng.choice(OPENERS)} {rng.choice(SUBJECTS)} {rng.choice(CLAUSES)}"
    return text + rng.choice(ENDINGS) + "."


def generate(path: Path, n_docs: int, seed: int = 7) -> int:
    """Write n_docs JSON lines of ~30 words each; returns the number of words."""
    rng = random.Random(seed)
    words = 0
    start = dt.date(2020, 1, 6)
    with path.open("w", encoding="utf-8") as f:
        for i in range(n_docs):
            text = " ".join(sentence(rng) for _ in range(3))
            words += len(text.split())
            row = {"id": f"d{i:07d}", "text": text, "author": f"p{i % 200:03d}",
                   "date": (start + dt.timedelta(days=i // 200)).isoformat()}
            f.write(json.dumps(row) + "\n")
    return words


def run_markers(src: Path, out: Path, **opts: Any) -> dict[str, Any]:
    """One corpus run; wall time and throughput."""
    from attunement.corpus.run import CorpusOptions, analyze_corpus

    t0 = time.perf_counter()
    s = analyze_corpus([src], out, CorpusOptions(threads_per_worker=1, **opts))
    secs = time.perf_counter() - t0
    return {"seconds": secs, "docs_per_s": s.documents / secs,
            "sentences_per_s": s.sentences / secs, "peak_rss_mb": s.peak_rss_mb,
            "documents": s.documents, "sentences": s.sentences}


def run_dask(src: Path, out: Path, shard_size: int) -> dict[str, Any]:
    """The same run on a 2-worker LocalCluster (cluster start-up not timed)."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, host="127.0.0.1",
                      dashboard_address="127.0.0.1:0", silence_logs=40) as cluster:
        return run_markers(src, out, shard_size=shard_size, scheduler=cluster.scheduler_address)


def run_lexicons(src: Path) -> dict[str, Any]:
    """VADER and Empath over the same documents, one process each."""
    texts = [json.loads(line)["text"] for line in src.open(encoding="utf-8")]
    out: dict[str, Any] = {}
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    vader = SentimentIntensityAnalyzer()
    t0 = time.perf_counter()
    for t in texts:
        vader.polarity_scores(t)
    out["vader_docs_per_s"] = len(texts) / (time.perf_counter() - t0)
    try:
        from empath import Empath
    except ImportError:
        out["empath_docs_per_s"] = None
        return out
    lexicon = Empath()
    t0 = time.perf_counter()
    for t in texts:
        lexicon.analyze(t, normalize=True)
    out["empath_docs_per_s"] = len(texts) / (time.perf_counter() - t0)
    return out


CONFIGS = ("p1", "p2", "dask", "lexicons")


def main() -> None:
    """Run the chosen configurations (all by default), merge into bench.json, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--shard-size", type=int, default=500)
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--only", default=",".join(CONFIGS),
                        help="comma-separated subset of p1,p2,dask,lexicons (results merge "
                             "into DIR/bench.json, so configurations can run at different times)")
    args = parser.parse_args()
    chosen = [c.strip() for c in args.only.split(",") if c.strip()]
    unknown = sorted(set(chosen) - set(CONFIGS))
    if unknown:
        parser.error(f"unknown configuration(s): {', '.join(unknown)}")
    base = args.dir or Path(tempfile.mkdtemp(prefix="attune-bench-corpus-"))
    base.mkdir(parents=True, exist_ok=True)
    src = base / "corpus.jsonl"
    result_file = base / "bench.json"
    res: dict[str, Any] = (json.loads(result_file.read_text())
                           if result_file.exists() else {})
    if res.get("docs") != args.docs or not src.exists():
        res = {"docs": args.docs, "words": generate(src, args.docs),
               "shard_size": args.shard_size}
    runs = {
        "p1": ("one_process", lambda: run_markers(src, base / "p1", shard_size=args.shard_size,
                                                  workers=1)),
        "p2": ("two_processes", lambda: run_markers(src, base / "p2",
                                                    shard_size=args.shard_size, workers=2)),
        "dask": ("dask_two_workers", lambda: run_dask(src, base / "dask", args.shard_size)),
    }
    for config in chosen:
        if config == "lexicons":
            res.update(run_lexicons(src))
            continue
        key, fn = runs[config]
        shutil.rmtree(base / config, ignore_errors=True)  # a timed run never resumes
        before = os.getloadavg()[0]
        res[key] = fn()
        res[key]["load_before"] = before
        res[key]["cpus"] = sorted(os.sched_getaffinity(0))
        res[key]["measured"] = time.strftime("%Y-%m-%d %H:%M")
        result_file.write_text(json.dumps(res, indent=2))
    if "one_process" in res and "two_processes" in res:
        res["scaling_efficiency"] = (res["two_processes"]["docs_per_s"]
                                     / (2 * res["one_process"]["docs_per_s"]))
    result_file.write_text(json.dumps(res, indent=2))
    print(f"{args.docs} documents, {res['words']} words, shard size {args.shard_size}; "
          f"in {base}\n")
    print("| run | docs/s | sentences/s | peak RSS per worker (MB) | seconds | load before |")
    print("|---|---|---|---|---|---|")
    for key in ("one_process", "two_processes", "dask_two_workers"):
        if key in res:
            r = res[key]
            print(f"| {key} | {r['docs_per_s']:.1f} | {r['sentences_per_s']:.1f} | "
                  f"{r['peak_rss_mb']:.0f} | {r['seconds']:.1f} | {r.get('load_before', '?')} |")
    if "scaling_efficiency" in res:
        print(f"\nScaling efficiency 1 -> 2 processes: {100 * res['scaling_efficiency']:.0f} %")
    if "vader_docs_per_s" in res:
        print(f"VADER: {res['vader_docs_per_s']:.0f} docs/s; Empath: "
              f"{res['empath_docs_per_s'] and round(res['empath_docs_per_s'])} docs/s")


if __name__ == "__main__":
    main()
