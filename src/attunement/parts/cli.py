"""``attune parts import FILE`` and ``attune parts export FILE``.

Both open the journal like every other command, carry out any part deletion that
has come due, and work whether or not the parts feature is turned on in settings
(an import does not turn it on; the pages stay hidden until the person does).
"""

from __future__ import annotations

from pathlib import Path

import click

FORMAT_CHOICES = ["auto", "pluralkit", "simplyplural", "pluralport"]


def _open() -> None:
    """Open the journal (Django is set up there), then carry out due deletions."""
    from attunement.cli import _unlock

    _unlock()
    from attunement.parts import clock
    from attunement.parts.services import purge_due

    purge_due(clock.now())


@click.group("parts")
def parts_group() -> None:
    """Parts of a plural system: import from PluralKit, Simply Plural, Pluralport; export."""


@parts_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMAT_CHOICES),
    default="auto",
    show_default=True,
    help="The file's format; auto recognises it from the content.",
)
def import_cmd(file: Path, fmt: str) -> None:
    """Import a plural-system export; if it has any problem, nothing is imported."""
    _open()
    from attunement.parts import clock, importing, transfer

    counts = importing.import_file(fmt, file, now=clock.now())
    click.echo(transfer.summary(counts))


@parts_group.command("export")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
def export_cmd(out: Path) -> None:
    """Write everything about parts as a Pluralport file (not encrypted)."""
    _open()
    from attunement.io.atomic import atomic_write
    from attunement.parts import clock, importing

    atomic_write(out, importing.export_bytes(now=clock.now()))
    click.echo(f"Wrote {out}. It is not encrypted.")
