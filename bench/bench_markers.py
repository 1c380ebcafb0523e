"""Benchmark of the markers pipeline: throughput, embedding vs FLOP bound, peak memory.

    PYTHONPATH=src .venv/bin/python bench/bench_markers.py [N]

Feeds N journal-like sentences (from data/markers, repeated as needed) through
``run_jsonl`` in one process, then times the embedding step alone, estimates the CPU's
peak with a float32 matmul, and counts MiniLM-L6 FLOPs per token.
"""

from __future__ import annotations

import io
import json
import resource
import sys
import time

import numpy as np

LAYERS, HIDDEN, FFN = 6, 384, 1536


def flops_per_token(seq_len: int) -> float:
    """Multiply-adds x2 per token of one MiniLM-L6 forward pass at a given sequence length."""
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


def sentences(n: int) -> list[str]:
    """n sentences from the labelled data (cycled)."""
    from attunement.analysis.markers.dataset import load_examples

    texts = [e.text for e in load_examples()[0]]
    return [texts[i % len(texts)] for i in range(n)]


def main() -> None:
    """Run the benchmark and print a Markdown summary."""
    from attunement.analysis.embed import get_embedder
    from attunement.analysis.markers.jsonl import run_jsonl

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    texts = sentences(n)
    t0 = time.perf_counter()
    get_embedder()
    from attunement.analysis.markers import load_model

    load_model()
    load_s = time.perf_counter() - t0
    feed = io.StringIO(
        "".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(texts))
    )
    out = io.StringIO()
    t0 = time.perf_counter()
    written = run_jsonl(feed, out)
    e2e = time.perf_counter() - t0
    emb = get_embedder()
    tokens = emb.token_counts(texts)
    t0 = time.perf_counter()
    emb.embed(texts)
    emb_s = time.perf_counter() - t0
    mean_len = float(np.mean(tokens))
    model_gflop = sum(tokens) * flops_per_token(int(mean_len)) / 1e9
    peak = peak_gflops()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"| sentences | {n} (written {written}) |")
    print(f"| model load | {load_s:.2f} s |")
    print(f"| end to end (run_jsonl) | {written / e2e:.0f} sentences/s |")
    tok_s = sum(tokens) / emb_s
    print(f"| embedding step alone | {n / emb_s:.0f} sentences/s, {tok_s:.0f} tokens/s |")
    print(f"| mean tokens per sentence | {mean_len:.1f} |")
    mflop = flops_per_token(int(mean_len)) / 1e6
    print(f"| FLOPs per token (L={int(mean_len)}) | {mflop:.1f} MFLOP |")
    print(f"| achieved | {model_gflop / emb_s:.1f} GFLOP/s |")
    print(f"| float32 matmul peak (numpy, 2 cores) | {peak:.1f} GFLOP/s |")
    print(f"| achieved / float32 peak | {100 * model_gflop / emb_s / peak:.0f} % |")
    print(f"| peak RSS | {rss_mb:.0f} MB |")


if __name__ == "__main__":
    main()
