"""``attune corpus``: analyse a research corpus, and compare the markers with human labels.

Registered in the main CLI with ``cli.add_command(corpus_group)``. Problems a person can
fix are raised as :class:`AttuneError`, so the CLI's single exit point prints one line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from attunement.errors import AttuneError


@click.group("corpus")
def corpus_group() -> None:
    """Research use: the marker and episode analysis over many documents."""


def _progress_bar() -> tuple[Any, Any]:
    """A rich progress bar showing documents/s and time left, and its event callback."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    bar = Progress(
        TextColumn("Reading documents"), BarColumn(), MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(), transient=False,
    )
    task = bar.add_task("docs", total=None, rate="")

    def report(event: str, n: int) -> None:
        t = bar.tasks[0]
        if event == "total":
            bar.update(task, total=n)
        elif event == "skipped":  # finished earlier: not counted in the speed
            bar.update(task, total=(t.total or 0) - n)
        else:
            bar.advance(task, n)
            speed = bar.tasks[0].speed
            bar.update(task, rate=f"{speed:,.1f} docs/s" if speed else "")

    return bar, report


@corpus_group.command("analyze")
@click.argument("inputs", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path),
              help="Folder for the results (rerun with the same folder to resume).")
@click.option("--format", "fmt", default="auto", show_default=True,
              type=click.Choice(["auto", "jsonl", "csv", "text", "wordpress"]))
@click.option("--text-column", default="text", show_default=True, help="CSV column with the text.")
@click.option("--id-column", default="id", show_default=True, help="CSV column with the id.")
@click.option("--shard-size", default=500, show_default=True, type=click.IntRange(1),
              help="Documents per shard (the unit of work and of resuming).")
@click.option("--workers", type=click.IntRange(1), help="Local processes (default: every core).")
@click.option("--scheduler", help="A Dask scheduler address, e.g. tcp://host:8786.")
@click.option("--threads-per-worker", type=click.IntRange(1),
              help="Math threads per worker (default: cores / workers; 1 on Dask).")
@click.option("--csv", "as_csv", is_flag=True, help="Also write CSV copies of the tables.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def analyze_cmd(inputs: tuple[Path, ...], out_dir: Path, fmt: str, text_column: str,
                id_column: str, shard_size: int, workers: int | None, scheduler: str | None,
                threads_per_worker: int | None, as_csv: bool, quiet: bool) -> None:
    """Read every document of INPUT... for markers; write Parquet tables to --out."""
    from attunement.corpus import CorpusError
    from attunement.corpus.run import CorpusOptions, analyze_corpus

    opts = CorpusOptions(fmt=fmt, text_column=text_column, id_column=id_column,
                         shard_size=shard_size, workers=workers, scheduler=scheduler,
                         threads_per_worker=threads_per_worker, csv=as_csv)
    try:
        if quiet:
            summary = analyze_corpus(list(inputs), out_dir, opts)
        else:
            bar, report = _progress_bar()
            with bar:
                summary = analyze_corpus(list(inputs), out_dir, opts, report)
    except CorpusError as exc:
        raise AttuneError(str(exc)) from exc
    resumed = f" ({summary.shards_skipped} finished shards kept)" if summary.shards_skipped else ""
    click.echo(
        f"Read {summary.documents:,} documents, {summary.sentences:,} sentences; "
        f"{summary.episodes} episodes; {summary.errors} rows skipped (see errors.jsonl)"
        f"{resumed}. Results are in {summary.out_dir}."
    )


@corpus_group.command("evaluate")
@click.argument("gold", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--run", "run_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="A folder from 'corpus analyze' to match by id and sentence.")
@click.option("--bootstrap", "n_boot", default=1000, show_default=True,
              type=click.IntRange(0), help="Bootstrap resamples for the intervals.")
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of Markdown.")
def evaluate_cmd(gold: Path, run_dir: Path | None, n_boot: int, seed: int,
                 as_json: bool) -> None:
    """Compare the markers with human labels in GOLD (JSON lines)."""
    from attunement.corpus.evaluate import evaluate, markdown

    if run_dir is not None and not (run_dir / "sentences.parquet").exists():
        raise AttuneError(f"{run_dir} has no sentences.parquet; run 'corpus analyze' first.")
    result = evaluate(gold, run_dir, n_boot, seed)
    if result["n"] == 0:
        first = result["errors"][0] if result["errors"] else {"line": "-", "error": "empty file"}
        raise AttuneError(
            f"No gold row could be compared ({len(result['errors'])} left out; first: "
            f"line {first['line']}: {first['error']})."
        )
    click.echo(json.dumps(result, indent=2, default=_jsonable) if as_json else markdown(result))


def _jsonable(value: Any) -> Any:
    """numpy values in the result as plain JSON."""
    return value.tolist() if hasattr(value, "tolist") else str(value)
