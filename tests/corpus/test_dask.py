"""The same shard function on a Dask cluster of two worker processes (loopback only)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from attunement.corpus.run import CorpusOptions, analyze_corpus
from attunement.corpus.shards import read_done

from .conftest import sorted_rows, write_corpus

distributed = pytest.importorskip("distributed")


def test_dask_local_cluster_gives_the_same_tables(tmp_path: Path) -> None:
    src = write_corpus(tmp_path / "in.jsonl", 16)
    local = analyze_corpus([src], tmp_path / "local", CorpusOptions(shard_size=4, workers=1))
    with distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, host="127.0.0.1",
        dashboard_address="127.0.0.1:0", silence_logs=40,
    ) as cluster:
        opts = CorpusOptions(shard_size=4, scheduler=cluster.scheduler_address)
        remote = analyze_corpus([src], tmp_path / "dask", opts)
    assert (remote.documents, remote.sentences) == (local.documents, local.sentences)
    assert remote.shards_run == 4
    pids = {read_done(tmp_path / "dask", i)["pid"] for i in range(4)}
    assert os.getpid() not in pids  # the shards ran in the cluster's worker processes
    for name in ("sentences", "documents", "episodes"):
        assert sorted_rows(tmp_path / "local" / f"{name}.parquet") == sorted_rows(
            tmp_path / "dask" / f"{name}.parquet")


def test_unreachable_scheduler_is_a_clear_error(tmp_path: Path) -> None:
    from attunement.corpus import CorpusError

    src = write_corpus(tmp_path / "in.jsonl", 2)
    opts = CorpusOptions(scheduler="tcp://127.0.0.1:9")  # discard port: nothing listens
    with pytest.raises(CorpusError, match="Could not reach the Dask scheduler"):
        analyze_corpus([src], tmp_path / "out", opts)
