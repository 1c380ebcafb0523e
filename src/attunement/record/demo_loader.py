"""Create the clearly labelled demo journal from the fictional year in attunement.demo."""

from __future__ import annotations

from pathlib import Path

from attunement.record import transfer
from attunement.store import journal

# A demo holds no secrets; the label says so on every page.
DEMO_PASSPHRASE = "demo journal"  # noqa: S105
DEMO_MARKER = "DEMO"


def create_demo(folder: Path, seed: int = 7) -> str:
    """Create the demo journal in ``folder`` (must be configured as ATTUNE_HOME)."""
    from attunement.demo.generator import build_demo_journal

    data = build_demo_journal(seed=seed)
    journal.create(DEMO_PASSPHRASE)
    (folder / DEMO_MARKER).write_text(
        "This folder holds Attunement's demo journal: a fictional year of therapy.\n"
    )
    transfer.import_data(data)
    return DEMO_PASSPHRASE
