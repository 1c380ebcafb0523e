"""Benchmark of the markers pipeline: throughput, embedding vs FLOP bound, peak memory.

    .venv/bin/python bench/bench_markers.py [N]

Feeds N journal-like sentences (from data/markers, repeated as needed) through
``run_jsonl`` in one process, the way ``attune markers`` runs, and reports sentences per
second and the peak RSS of that run. Then it times the embedding step alone, counts
MiniLM-L6 FLOPs for the exact token lengths, and compares the rate with a measured
float32 matmul rate (numpy, both cores) and with the CPU's nominal float32 peak.
"""

from __future__ import annotations

import io
import json
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np

LAYERS, HIDDEN, FFN = 6, 384, 1536
DATA = Path(__file__).resolve().parents[1] / "data" / "markers"


def flops_per_token(seq_len: int) -> float:
    """FLOPs (2 per multiply-add) per token of one MiniLM-L6 forward pass at length seq_len."""
    per_layer = 2 * (4 * HIDDEN * HIDDEN + 2 * HIDDEN * FFN)  # QKV+output proj, FFN up+down
    per_layer += 2 * 2 * seq_len * HIDDEN  # attention scores and weighted sum
    return LAYERS * per_layer


def peak_gflops(seconds: float = 2.0) -> float:
    """Measured float32 matmul throughput (all cores, via numpy's BLAS)."""
    a = np.random.default_rng(0).standard_normal((1024, 1024), dtype=np.float32)
    b = a.copy()
    a @ b
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        a @ b
        n += 1
    return n * 2 * 1024**3 / (time.perf_counter() - t0) / 1e9


def nominal_peak() -> tuple[float, str]:
    """The CPU's nominal float32 peak in GFLOP/s, and the arithmetic behind it.

    FLOPs per cycle per core come from the vector units: two FMA pipes, each doing one
    fused multiply-add (2 FLOPs) per float32 lane. Intel server cores with AVX-512 have
    two 512-bit FMA pipes (16 lanes: 64 FLOPs/cycle); AMD Zen 4 (family 0x19) runs
    AVX-512 on two 256-bit pipes (8 lanes: 32); Zen 5 (family 0x1a) has 512-bit pipes
    (64); AVX2 with FMA is two 256-bit pipes (32). The clock is the nominal one that
    /proc/cpuinfo reports; turbo, if any, would raise the real peak.
    """
    info = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""

    def field(name: str) -> str:
        for line in info.splitlines():
            if line.startswith(name):
                return line.split(":", 1)[1].strip()
        return ""

    flags = set(field("flags").split())
    vendor, family = field("vendor_id"), int(field("cpu family") or 0)
    mhz = float(field("cpu MHz") or 0.0)
    if "avx512f" in flags and not (vendor == "AuthenticAMD" and family < 0x1A):
        per_cycle, unit = 64, "2 FMA x 16 lanes (AVX-512) x 2"
    elif "avx512f" in flags or ("avx2" in flags and "fma" in flags):
        per_cycle, unit = 32, "2 FMA x 8 lanes (256-bit) x 2"
    else:
        per_cycle, unit = 16, "2 x 4 lanes (SSE) x 2"
    cores = len(os.sched_getaffinity(0))
    name = field("model name") or "unknown CPU"
    text = f"{name}, {cores} cores x {mhz / 1000:.2f} GHz x {per_cycle} ({unit})"
    if not mhz:  # no /proc/cpuinfo clock (not Linux): the share against it is not printed
        return float("nan"), f"{name}: clock unknown"
    return cores * mhz / 1000 * per_cycle, text


def sentences(n: int) -> list[str]:
    """n sentences from the labelled data files (cycled), read as plain JSON."""
    texts = [
        json.loads(line)["text"]
        for path in sorted(DATA.glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    return [texts[i % len(texts)] for i in range(n)]


def rss_mb() -> float:
    """Peak resident set size of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    """Run the benchmark and print a Markdown summary."""
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    texts = sentences(n)
    feed = "".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(texts))
    t0 = time.perf_counter()
    from attunement.analysis.markers.jsonl import run_jsonl

    out = io.StringIO()
    written = run_jsonl(io.StringIO(feed[: feed.index("\n") + 1]), out)  # loads everything
    load_s = time.perf_counter() - t0
    out = io.StringIO()
    t0 = time.perf_counter()
    written = run_jsonl(io.StringIO(feed), out)
    e2e = time.perf_counter() - t0
    peak_rss = rss_mb()

    from attunement.analysis.embed import get_embedder
    from attunement.analysis.markers.text import clean_for_model

    emb = get_embedder()
    cleaned = [clean_for_model(t) for t in texts]
    tokens = emb.token_counts(cleaned)
    t0 = time.perf_counter()
    emb.embed_pooled(cleaned)
    emb_s = time.perf_counter() - t0
    gflop = sum(length * flops_per_token(length) for length in tokens) / 1e9
    measured = peak_gflops()
    nominal, how = nominal_peak()
    print(f"| sentences in / out | {n} / {written} |")
    print(f"| load (tokenizer, ONNX session, weights) + first line | {load_s:.2f} s |")
    print(f"| end to end (run_jsonl, one process) | {written / e2e:.0f} sentences/s |")
    print(f"| peak RSS (getrusage, after the run) | {peak_rss:.0f} MB |")
    tok_s = sum(tokens) / emb_s
    print(f"| embedding step alone | {n / emb_s:.0f} sentences/s, {tok_s:.0f} tokens/s |")
    print(f"| mean tokens per sentence (with [CLS]/[SEP]) | {np.mean(tokens):.1f} |")
    print(f"| model FLOPs for these sentences | {gflop:.1f} GFLOP |")
    print(f"| achieved | {gflop / emb_s:.1f} GFLOP/s |")
    print(f"| float32 matmul measured (numpy, 2 cores) | {measured:.1f} GFLOP/s |")
    print(f"| achieved / measured float32 | {100 * gflop / emb_s / measured:.0f} % |")
    print(f"| float32 nominal peak ({how}) | {nominal:.1f} GFLOP/s |")
    print(f"| achieved / nominal float32 | {100 * gflop / emb_s / nominal:.0f} % |")


if __name__ == "__main__":
    main()
