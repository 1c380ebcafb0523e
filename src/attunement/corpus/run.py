"""Drive a corpus run: stream shards to workers (local processes or Dask), write, assemble.

Local runs use a process pool (spawned, so each worker loads the model once and nothing
is inherited half-initialised); ``workers=1`` runs in this process. ``scheduler`` sends
the very same :func:`process_shard` to an existing Dask cluster. At most two shards per
worker are in flight, so memory stays bounded whatever the corpus size. Every finished
shard is written by this process, atomically, with its done marker last; a rerun skips
shards whose marker matches, then assembles the final tables from all shards.
"""

from __future__ import annotations

import abc
import json
import os
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor
from concurrent.futures import wait as cf_wait
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from attunement.corpus import CorpusError
from attunement.corpus import manifest as mf
from attunement.corpus.readers import FORMATS, BadRow, Doc, RowError, detect_format, iter_inputs
from attunement.corpus.shard_work import ShardResult, configure, process_shard
from attunement.corpus.shards import (
    Shard,
    atomic_write_bytes,
    is_done,
    iter_shards,
    read_done,
    shard_paths,
    write_done,
)

Progress = Callable[[str, int], None]  # ("total" | "skipped" | "done", number of documents)


@dataclass(frozen=True)
class CorpusOptions:
    """How to read the inputs and where to run; only the reading options affect results."""

    fmt: str = "auto"
    text_column: str = "text"
    id_column: str = "id"
    shard_size: int = 500
    workers: int | None = None  # None: every local core
    scheduler: str | None = None  # e.g. "tcp://host:8786"
    threads_per_worker: int | None = None  # None: cores / workers locally, 1 on Dask
    csv: bool = False

    def identity(self) -> dict[str, Any]:
        """The options recorded in the manifest (those that can change the output)."""
        return {"fmt": self.fmt, "text_column": self.text_column,
                "id_column": self.id_column, "shard_size": self.shard_size}


@dataclass
class RunSummary:
    """What a run did."""

    out_dir: str
    documents: int
    sentences: int
    episodes: int
    errors: int
    shards: int
    shards_run: int
    shards_skipped: int
    seconds: float
    peak_rss_mb: float  # largest peak RSS of any worker process that ran a shard


def analyze_corpus(
    inputs: Sequence[str | os.PathLike[str]], out_dir: str | os.PathLike[str],
    options: CorpusOptions | None = None, progress: Progress | None = None,
) -> RunSummary:
    """Analyse every document of the inputs into DIR; resumes an interrupted run."""
    opts = options or CorpusOptions()
    paths, out = _check_inputs(inputs, opts), Path(out_dir)
    from attunement.analysis.markers import MODEL_VERSION

    manifest = mf.new_manifest(MODEL_VERSION, opts.identity(), mf.checksums(paths))
    old = mf.read_manifest(out)
    if old is not None:
        mf.check_resumable(old, manifest, out)
    out.mkdir(parents=True, exist_ok=True)
    mf.write_manifest(out, manifest)
    report = progress or (lambda _event, _n: None)
    report("total", sum(1 for r in _records(paths, opts) if isinstance(r, Doc)))
    started = time.perf_counter()
    with _backend(opts) as backend:
        state = _drive(paths, out, opts, backend, report)
    counts = assemble(out, state["shards"], opts.csv)
    mf.write_manifest(out, mf.finish(manifest, counts))
    return RunSummary(
        out_dir=str(out), documents=counts["documents"], sentences=counts["sentences"],
        episodes=counts["episodes"], errors=counts["errors"], shards=state["shards"],
        shards_run=state["run"], shards_skipped=state["skipped"],
        seconds=time.perf_counter() - started, peak_rss_mb=state["peak"],
    )


def _check_inputs(inputs: Sequence[str | os.PathLike[str]], opts: CorpusOptions) -> list[Path]:
    """The input paths, each existing and of a readable format."""
    if not inputs:
        raise CorpusError("Give at least one input file or folder.")
    if opts.fmt not in FORMATS:
        raise CorpusError(f"Unknown format {opts.fmt!r}; use one of {', '.join(FORMATS)}.")
    if opts.shard_size < 1:
        raise CorpusError("The shard size must be at least 1.")
    paths = [Path(p) for p in inputs]
    for p in paths:
        if not p.exists():
            raise CorpusError(f"{p} does not exist.")
        try:
            detect_format(p, opts.fmt)
        except RowError as exc:
            raise CorpusError(str(exc)) from exc
    return paths


def _records(paths: list[Path], opts: CorpusOptions) -> Iterable[Doc | BadRow]:
    return iter_inputs(paths, opts.fmt, opts.text_column, opts.id_column)


def _drive(paths: list[Path], out: Path, opts: CorpusOptions, backend: _Backend,
           report: Progress) -> dict[str, Any]:
    """Send unfinished shards to the backend, two per worker at most; write results."""
    from attunement.analysis.markers import MODEL_VERSION

    state: dict[str, Any] = {"shards": 0, "run": 0, "skipped": 0, "peak": 0.0,
                             "model_version": MODEL_VERSION}
    errors_tmp = out / ".errors.jsonl.part"
    pending: set[Any] = set()
    sizes: dict[int, Shard] = {}
    with errors_tmp.open("w", encoding="utf-8") as err_file:
        def on_error(bad: BadRow) -> None:
            err_file.write(json.dumps(bad.as_dict(), ensure_ascii=False) + "\n")

        for shard in iter_shards(_records(paths, opts), opts.shard_size, on_error):
            state["shards"] = shard.index + 1
            if is_done(out, shard):
                state["skipped"] += 1
                report("skipped", len(shard.docs))
                continue
            sizes[shard.index] = shard
            pending.add(backend.submit(shard))
            while len(pending) >= 2 * backend.workers:
                pending = _collect(backend, pending, out, sizes, state, report)
        while pending:
            pending = _collect(backend, pending, out, sizes, state, report)
    os.replace(errors_tmp, out / "reading_errors.jsonl.part")
    return state


def _collect(backend: _Backend, pending: set[Any], out: Path, shards: dict[int, Shard],
             state: dict[str, Any], report: Progress) -> set[Any]:
    """Wait for at least one shard, write what finished; returns what is still pending."""
    done, rest = backend.wait(pending)
    for fut in done:
        try:
            result: ShardResult = fut.result()
        except Exception as exc:
            raise CorpusError(f"A worker failed: {exc!r}. Finished shards are kept; "
                              "run the same command again to resume.") from exc
        shard = shards.pop(result.index)
        if result.model_version != state["model_version"]:
            raise CorpusError(
                f"A worker has marker model {result.model_version}, not "
                f"{state['model_version']} as this run; install the same version everywhere."
            )
        write_shard(out, shard, result)
        state["run"] += 1
        state["peak"] = max(state["peak"], result.peak_rss_mb)
        report("done", len(shard.docs))
    return set(rest)


def write_shard(out: Path, shard: Shard, result: ShardResult) -> None:
    """Both Parquet files of a shard, then its done marker (the commit point)."""
    sentences, documents, _ = shard_paths(out, shard.index)
    atomic_write_bytes(sentences, result.sentences)
    atomic_write_bytes(documents, result.documents)
    write_done(out, shard, {"documents": result.n_docs, "sentences": result.n_sentences,
                            "errors": result.errors, "pid": result.pid})


def assemble(out: Path, n_shards: int, csv: bool) -> dict[str, int]:
    """The final tables and errors.jsonl from the shards; returns the counts."""
    from attunement.corpus.episodes import write_episodes
    from attunement.corpus.outputs import (
        DOCUMENT_SCHEMA,
        SENTENCE_SCHEMA,
        TABLES,
        concat_shards,
        write_csv,
    )

    counts = {
        "sentences": concat_shards(out, n_shards, 0, out / "sentences.parquet", SENTENCE_SCHEMA),
        "documents": concat_shards(out, n_shards, 1, out / "documents.parquet", DOCUMENT_SCHEMA),
    }
    counts["episodes"] = write_episodes(out / "documents.parquet", out / "sentences.parquet",
                                        out / "episodes.parquet")
    counts["errors"] = _write_errors(out, n_shards)
    counts["shards"] = n_shards
    if csv:
        for name in TABLES:
            write_csv(out / f"{name}.parquet", out / f"{name}.csv")
    return counts


def _write_errors(out: Path, n_shards: int) -> int:
    """errors.jsonl: rows skipped while reading, then documents the model failed on."""
    part = out / "reading_errors.jsonl.part"
    tmp = out / ".errors.jsonl.tmp"
    count = 0
    with tmp.open("w", encoding="utf-8") as dst:
        with part.open(encoding="utf-8") as src:
            for line in src:
                dst.write(line)
                count += 1
        for index in range(n_shards):
            for err in (read_done(out, index) or {}).get("errors", []):
                dst.write(json.dumps(err, ensure_ascii=False) + "\n")
                count += 1
    os.replace(tmp, out / "errors.jsonl")
    part.unlink()
    return count


# --- backends -----------------------------------------------------------------------------


class _Backend(abc.ABC):
    """Submit shards and wait for any to finish; the same calls for every scheduler."""

    workers = 1

    def __enter__(self) -> _Backend:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    @abc.abstractmethod
    def submit(self, shard: Shard) -> Any:
        """Start one shard; returns a future."""

    def wait(self, pending: set[Any]) -> tuple[set[Any], set[Any]]:
        done, rest = cf_wait(pending, return_when=FIRST_COMPLETED)
        return set(done), set(rest)


class _InProcess(_Backend):
    """Run each shard here, at once (one worker)."""

    def __init__(self, threads: int | None) -> None:
        self.threads = threads

    def submit(self, shard: Shard) -> Future[ShardResult]:
        fut: Future[ShardResult] = Future()
        try:
            fut.set_result(process_shard(shard, self.threads))
        except Exception as exc:
            fut.set_exception(exc)
        return fut


class _Local(_Backend):
    """A pool of spawned worker processes on this machine."""

    def __init__(self, workers: int, threads: int | None) -> None:
        import multiprocessing as mp

        self.workers, self.threads = workers, threads
        self.pool: Executor = ProcessPoolExecutor(
            workers, mp_context=mp.get_context("spawn"), initializer=configure,
            initargs=(threads,),
        )

    def __exit__(self, *exc: object) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    def submit(self, shard: Shard) -> Any:
        return self.pool.submit(process_shard, shard, self.threads)


class _Dask(_Backend):
    """An existing Dask distributed cluster, reached through its scheduler address."""

    def __init__(self, address: str, threads: int | None) -> None:
        try:
            from distributed import Client
        except ImportError as exc:
            raise CorpusError("--scheduler needs the 'distributed' package.") from exc
        try:
            self.client = Client(address, timeout="20s")
        except (OSError, TimeoutError) as exc:
            raise CorpusError(f"Could not reach the Dask scheduler at {address}.") from exc
        self.threads = threads or 1
        self.workers = max(1, sum(self.client.nthreads().values()))

    def __exit__(self, *exc: object) -> None:
        self.client.close()

    def submit(self, shard: Shard) -> Any:
        key = f"attune-shard-{shard.index:05d}-{shard.digest[:12]}"
        return self.client.submit(partial(process_shard, threads=self.threads), shard,
                                  key=key, pure=False)

    def wait(self, pending: set[Any]) -> tuple[set[Any], set[Any]]:
        from distributed import wait

        done, rest = wait(list(pending), return_when="FIRST_COMPLETED")
        return set(done), set(rest)


def _backend(opts: CorpusOptions) -> _Backend:
    """The backend the options ask for."""
    if opts.scheduler:
        return _Dask(opts.scheduler, opts.threads_per_worker)
    cores = os.cpu_count() or 1
    workers = opts.workers or cores
    threads = opts.threads_per_worker or max(1, cores // workers)
    if workers == 1:
        return _InProcess(threads)
    return _Local(workers, threads)


__all__ = ["CorpusOptions", "RunSummary", "analyze_corpus", "assemble"]
