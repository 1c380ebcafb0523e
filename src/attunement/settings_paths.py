"""Where journals live by default (importable without Django)."""

from __future__ import annotations

import os
from pathlib import Path


def default_home() -> Path:
    """The journal folder: ATTUNE_HOME, else the XDG data folder."""
    env = os.environ.get("ATTUNE_HOME")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg) / "attunement"


def demo_home() -> Path:
    """The demo journal's folder, beside (never inside) the real one."""
    return default_home().parent / "attunement-demo"
