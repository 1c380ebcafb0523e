"""The ``attune`` command.

One exit point (:func:`main`): the app's own errors print one clear line and
return their exit code; a traceback only with ``--debug``. The journal folder
comes from ``ATTUNE_HOME``; non-interactive use reads the passphrase from
``ATTUNE_PASSPHRASE``.
"""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import sys
from pathlib import Path
from typing import Any

import click

from attunement.errors import AttuneError

DEFAULT_PORT = 8765
_state = {"debug": False}


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "attunement.settings")
    import django

    django.setup()


def _passphrase(prompt: str = "Passphrase") -> str:
    value = os.environ.get("ATTUNE_PASSPHRASE")
    if value:
        return value
    if not sys.stdin.isatty():
        raise AttuneError("No passphrase: set ATTUNE_PASSPHRASE or run in a terminal.")
    return str(click.prompt(prompt, hide_input=True))


def _unlock() -> None:
    """Open the journal for a command (settings are loaded first)."""
    _django()
    from attunement.store import journal

    if not journal.exists():
        from attunement.store.errors import NoJournal

        raise NoJournal()
    journal.unlock(_passphrase())


@click.group()
@click.option("--debug", is_flag=True, help="Show a full traceback on errors.")
def cli(debug: bool) -> None:
    """Attunement: a private journal of the therapy relationship."""
    _state["debug"] = debug


@cli.command()
def init() -> None:
    """Create a new encrypted journal in ATTUNE_HOME."""
    _django()
    from attunement.store import journal

    passphrase = os.environ.get("ATTUNE_PASSPHRASE")
    if not passphrase:
        if not sys.stdin.isatty():
            raise AttuneError("No passphrase: set ATTUNE_PASSPHRASE or run in a terminal.")
        passphrase = click.prompt("Choose a passphrase", hide_input=True, confirmation_prompt=True)
    recovery = journal.create(str(passphrase))
    click.echo(f"Created a journal in {journal.paths().folder}")
    click.echo("Your recovery key (shown only now; write it down and keep it safe):")
    click.echo(f"  {recovery}")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _free_port(host: str, port: int) -> int:
    for candidate in range(port, port + 20):
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
            try:
                s.bind((host.strip("[]"), candidate))
            except OSError:
                continue
            return candidate
    raise AttuneError(f"No free port between {port} and {port + 19} on {host}.")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=int)
@click.option(
    "--allow-remote", is_flag=True, help="Required to listen on anything other than this computer."
)
@click.option("--threads", default=4, show_default=True, type=int)
def run(host: str, port: int, allow_remote: bool, threads: int) -> None:
    """Start the app (local profile: encrypted SQLite, localhost only)."""
    if not _is_loopback(host):
        if not allow_remote:
            raise AttuneError(
                f"Refusing to listen on {host}: the journal would be reachable from other "
                "machines. Add --allow-remote if you really mean it."
            )
        click.echo(
            f"WARNING: listening on {host}. Anyone who can reach this address can try your "
            "passphrase, and traffic is not encrypted without a TLS proxy.",
            err=True,
        )
    _django()
    from django.conf import settings
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from waitress import create_server

    from attunement.store import keyring
    from attunement.wsgi import application

    keyring.start_idle_watch(settings.IDLE_LOCK_MINUTES * 60)
    from attunement.sharing.worker import start_sync_thread

    start_sync_thread()  # idle unless a circle server was connected (see its docstring)
    port = _free_port(host, port)
    where = f"http://{host if ':' not in host else f'[{host}]'}:{port}/"
    server = create_server(
        StaticFilesHandler(application),
        host=host.strip("[]"),
        port=port,
        threads=threads,
        ident="attunement",
    )
    # Printed once the socket listens, so whoever reads it can connect at once.
    click.echo(f"Attunement is running at {where}")
    click.echo(f"Journal folder: {settings.ATTUNE_HOME}  (Ctrl+C to stop)")
    sys.stdout.flush()
    server.run()


@cli.command()
def passphrase() -> None:
    """Change the passphrase; the journal is re-encrypted under a new key."""
    _unlock()
    from attunement.store import journal

    new = os.environ.get("ATTUNE_NEW_PASSPHRASE")
    if not new:
        if not sys.stdin.isatty():
            raise AttuneError("No new passphrase: set ATTUNE_NEW_PASSPHRASE or run in a terminal.")
        new = click.prompt("New passphrase", hide_input=True, confirmation_prompt=True)
    journal.rekey(str(new))
    click.echo("Passphrase changed; the journal is re-encrypted. Your recovery key still works.")


@cli.command("import")
@click.argument("fmt", type=click.Choice(["wordpress", "jrnl", "dayone", "daylio", "json"]))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_cmd(fmt: str, file: Path) -> None:
    """Import a file; if it has any problem, nothing is imported."""
    _unlock()
    from rich.progress import Progress

    from attunement.record import importing

    with Progress(transient=True) as bar, file.open("rb") as fh:
        task = bar.add_task("Importing", total=None)

        def progress(kind: str, done: int, total: int) -> None:
            bar.update(task, description=f"Importing {kind}", completed=done, total=total)

        counts = importing.import_bytes(fmt, fh, filename=file.name, progress=progress)
    click.echo(importing.summary(counts))


@cli.command("export")
@click.argument("fmt", type=click.Choice(["json", "markdown"]))
@click.argument("out", type=click.Path(path_type=Path))
def export_cmd(fmt: str, out: Path) -> None:
    """Export everything as JSON (one file) or Markdown (a folder). Not encrypted."""
    _unlock()
    from attunement.io.atomic import atomic_write
    from attunement.io.jsonexport import export_json
    from attunement.io.markdown import export_markdown
    from attunement.record import transfer

    data = transfer.export_data()
    if fmt == "json":
        atomic_write(out, export_json(data))
        click.echo(f"Wrote {out} ({len(data.entries)} entries). It is not encrypted.")
    else:
        written = export_markdown(data, out)
        click.echo(f"Wrote {len(written)} Markdown files in {out}. They are not encrypted.")


@cli.command()
@click.argument("out", type=click.Path(path_type=Path))
def backup(out: Path) -> None:
    """Write an encrypted backup file (opens with the same passphrase)."""
    _unlock()
    from attunement.store.backup import create_backup

    click.echo(f"Encrypted backup written to {create_backup(out)}")


@cli.command()
@click.argument("file", type=click.Path(path_type=Path))
def restore(file: Path) -> None:
    """Replace the journal with a backup (the current one is kept aside)."""
    _django()
    from attunement.store.backup import restore_backup

    kept = restore_backup(file, _passphrase("Passphrase (or recovery key) of the backup"))
    click.echo("Restored the journal from the backup. It opens with its own passphrase;")
    click.echo("if that is forgotten, unlock it with the recovery key to choose a new one.")
    if kept:
        click.echo(f"The journal it replaced is kept in {kept}")


@cli.command()
@click.option("-q", "--search", "query", default="", help="Words to search for.")
@click.option("-n", "--limit", default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines.")
def entries(query: str, limit: int, as_json: bool) -> None:
    """List the latest entries, or search them."""
    _unlock()
    from django.utils import timezone

    from attunement.record import search
    from attunement.record.models import Entry

    found = (
        [h.entry for h in search.search(query, limit)]
        if query
        else list(Entry.objects.all()[:limit])
    )
    for e in found:
        when = timezone.localtime(e.written_at)
        if as_json:
            click.echo(json.dumps({"id": e.pk, "date": when.isoformat(), "title": e.title}))
        else:
            click.echo(f"{when:%Y-%m-%d %H:%M}  {e}")


@cli.group()
def session() -> None:
    """Sessions."""


@session.command("add")
@click.argument("when", type=click.DateTime(formats=["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"]))
@click.option(
    "--status",
    default="held",
    type=click.Choice(["held", "cancelled_by_me", "cancelled_by_therapist", "missed"]),
)
@click.option("--modality", default="in_person", type=click.Choice(["in_person", "video", "phone"]))
@click.option("--note", default="")
def session_add(when: Any, status: str, modality: str, note: str) -> None:
    """Log a session, e.g. attune session add "2026-03-02 08:00"."""
    _unlock()
    from django.utils import timezone

    from attunement.record.models import Session

    s = Session.objects.create(
        starts_at=timezone.make_aware(when), status=status, modality=modality, note=note
    )
    click.echo(f"Logged the session of {s}.")


@cli.command()
@click.option("--instrument", default="attunement-alliance-v1", show_default=True)
@click.option(
    "--answers",
    "answers_json",
    default="",
    help='Answers as JSON, e.g. \'{"bond_grasped": 4, "tension": false}\'.',
)
def checkin(instrument: str, answers_json: str) -> None:
    """Record a check-in (asks each question, or takes --answers JSON)."""
    _unlock()
    from attunement.checkins import engine, services

    inst = services.get_instrument(instrument)
    if answers_json:
        try:
            answers = json.loads(answers_json)
        except ValueError as exc:
            raise AttuneError("--answers is not valid JSON.") from exc
    else:
        answers = _ask(inst, engine)
    saved = services.record_checkin(inst.id, answers)
    click.echo(
        f"Check-in saved (alliance {saved.alliance if saved.alliance is not None else '–'})."
    )


def _ask(inst: Any, engine: Any) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for item in inst.items:
        if item.show_if and answers.get(item.show_if[0]) != item.show_if[1]:
            continue
        text = engine.render_text(item.text)
        if item.type == "yesno":
            answers[item.id] = click.confirm(text)
        elif item.type == "scale":
            answers[item.id] = click.prompt(
                f"{text} ({item.min:g}-{item.max:g})", type=click.FloatRange(item.min, item.max)
            )
        else:
            answers[item.id] = click.prompt(text, default="", show_default=False)
    return answers


@cli.command()
def markers() -> None:
    """Read JSON lines {"id", "text"} on stdin; write one JSON line per sentence.

    The research interface (docs/markers.md): no journal needed, nothing stored.
    """
    from attunement.analysis import markers as marker_analysis
    from attunement.analysis.embed import EmbeddingModelError, get_embedder
    from attunement.analysis.markers.jsonl import run_jsonl

    try:  # a missing or stale model is one clear line, before any input is read
        marker_analysis.load_model()
        get_embedder()
    except (EmbeddingModelError, OSError, ValueError) as exc:
        raise click.ClickException(f"The marker model cannot be loaded: {exc}") from exc
    run_jsonl(sys.stdin, sys.stdout)


@cli.command()
@click.option("--all", "everything", is_flag=True, help="Re-read every entry.")
def analyze(everything: bool) -> None:
    """Read entries for markers (new, changed, or after a model upgrade), with progress."""
    _unlock()
    from rich.progress import Progress

    from attunement.record.models import Entry
    from attunement.words import services as words

    todo = list(Entry.objects.order_by("written_at")) if everything else words.stale_entries()
    with Progress(transient=True) as bar:
        task = bar.add_task("Reading entries", total=len(todo))
        words.analyze_entries(todo, lambda done, total: bar.update(task, completed=done))
    click.echo(f"Read {len(todo)} entries with the marker model {words.model_version()}.")


@cli.command()
@click.option(
    "--from-csv",
    "csv_path",
    type=click.Path(exists=True, dir_okay=False),
    help="A CSV with columns date,score (optional tension,intensity,resolved,pre_score).",
)
@click.option("--scale-min", type=float, help="Lowest possible score of the scale.")
@click.option("--scale-max", type=float, help="Highest possible score of the scale.")
@click.option(
    "--alpha",
    type=float,
    default=0.9,
    show_default=True,
    help="Internal consistency of the scale, for the reliable-change cutoff.",
)
@click.option("--sd", type=float, help="The scale's published SD (recommended: fewer false dips).")
@click.option(
    "--therapy-ended",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Open episodes at this date become 'unrepaired'.",
)
def episodes(
    csv_path: str | None,
    scale_min: float | None,
    scale_max: float | None,
    alpha: float,
    sd: float | None,
    therapy_ended: Any,
) -> None:
    """Print rupture-repair episodes as JSON (from a CSV, or from the journal)."""
    if csv_path:
        from attunement.analysis.episodes import Instrument, episodes_from_csv
        from attunement.analysis.episodes_csv import EpisodeCsvError

        instrument = None
        if scale_min is not None and scale_max is not None:
            instrument = Instrument(scale_min, scale_max, alpha=alpha, sd=sd)
        elif scale_min is not None or scale_max is not None or sd is not None:
            raise AttuneError("Give both --scale-min and --scale-max (and optionally --sd).")
        try:
            found = episodes_from_csv(
                csv_path,
                instrument=instrument,
                therapy_ended=therapy_ended.date() if therapy_ended else None,
            )
        except EpisodeCsvError as exc:
            raise AttuneError(f"The CSV has problems; no episodes were computed. {exc}") from exc
    else:
        _unlock()
        from attunement.words.episodes import journal_episodes

        found = [ep.summary() for ep in journal_episodes()]
    click.echo(json.dumps(found, indent=2, default=str))


@cli.command()
@click.option(
    "--home",
    type=click.Path(path_type=Path),
    default=None,
    help="Folder for the demo journal (default: 'attunement-demo' beside your journal).",
)
@click.option("--run/--no-run", "then_run", default=False, help="Start the app on it afterwards.")
def demo(home: Path | None, then_run: bool) -> None:
    """Create a separate demo journal with a fictional year of therapy."""
    from attunement import settings_paths

    target = home or settings_paths.demo_home()
    os.environ["ATTUNE_HOME"] = str(target)
    _django()
    from attunement.record import demo_loader
    from attunement.store import journal

    if journal.exists():
        click.echo(f"The demo journal already exists in {target}.")
    else:
        click.echo("Writing a fictional year of therapy and reading its entries (about a minute)…")
        demo_loader.create_demo(target)
        click.echo(f"Demo journal created in {target}")
    click.echo(f"Its passphrase is: {demo_loader.DEMO_PASSPHRASE}")
    if then_run:
        ctx = click.get_current_context()
        ctx.invoke(run)
    else:
        click.echo(f"Open it with: ATTUNE_HOME={target} attune run")


def _register_groups() -> None:
    from attunement.circle.cli import circle_group, serve
    from attunement.corpus.cli import corpus_group
    from attunement.parts.cli import parts_group

    cli.add_command(corpus_group)
    cli.add_command(parts_group)
    cli.add_command(serve)
    cli.add_command(circle_group)


_register_groups()


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code."""
    try:
        cli.main(args=argv, prog_name="attune", standalone_mode=False)
    except AttuneError as exc:
        if _state["debug"]:
            raise
        click.echo(f"attune: {exc.message}", err=True)
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("attune: stopped.", err=True)
        return 130
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except KeyboardInterrupt:
        click.echo("attune: stopped.", err=True)
        return 130
    return 0


def entry_point() -> None:
    """Console script target."""
    sys.exit(main())


if __name__ == "__main__":
    entry_point()
