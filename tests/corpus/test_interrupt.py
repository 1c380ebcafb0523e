"""Kill a run half way, run it again: same tables as an uninterrupted run, no shard redone."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from attunement.corpus.run import CorpusOptions, analyze_corpus
from attunement.corpus.shards import shard_paths

from .conftest import sorted_rows, write_corpus

SHARD = 6
DOCS = 240  # 40 shards: far more than are done when we first see two markers

SCRIPT = """
import sys
from attunement.corpus.run import CorpusOptions, analyze_corpus
if __name__ == "__main__":
    analyze_corpus([sys.argv[1]], sys.argv[2], CorpusOptions(shard_size=int(sys.argv[3]),
                   workers=1))
"""


def _done_markers(out: Path) -> dict[int, int]:
    """Shard index -> mtime (ns) of its done marker."""
    found = {}
    for path in (out / "shards").glob("*.done"):
        found[int(path.stem)] = path.stat().st_mtime_ns
    return found


def test_killed_run_resumes_to_the_same_output(tmp_path: Path) -> None:
    src = write_corpus(tmp_path / "in.jsonl", DOCS)
    out = tmp_path / "interrupted"
    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(src), str(out), str(SHARD)],
        start_new_session=True, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    try:
        deadline = time.monotonic() + 600  # generous: a busy machine is slow, not wrong
        while len(_done_markers(out)) < 2 if (out / "shards").exists() else True:
            assert proc.poll() is None, "the run ended before it could be interrupted"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    before = _done_markers(out)
    total = -(-DOCS // SHARD)
    assert 2 <= len(before) < total
    assert not (out / "sentences.parquet").exists()

    resumed = analyze_corpus([src], out, CorpusOptions(shard_size=SHARD, workers=1))
    after = _done_markers(out)
    assert resumed.shards_skipped == len(before)
    assert resumed.shards_run == total - len(before)
    assert all(after[i] == t for i, t in before.items()), "a finished shard was redone"
    assert all(shard_paths(out, i)[0].exists() for i in range(total))

    clean = tmp_path / "clean"
    analyze_corpus([src], clean, CorpusOptions(shard_size=SHARD, workers=1))
    for name in ("sentences", "documents", "episodes"):
        assert sorted_rows(out / f"{name}.parquet") == sorted_rows(clean / f"{name}.parquet")
    assert (out / "errors.jsonl").read_text() == (clean / "errors.jsonl").read_text()
