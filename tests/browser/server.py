"""Start the app as a real server process on a free loopback port, for browser tests.

Shared by the browser tests and tests/web/test_offline.py. The server reads the
journal folder from ATTUNE_HOME, like a person's ``attune run``; nothing in the
test process touches its database.
"""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

READY = "Attunement is running at "
# Generous: a busy machine may take long to import Django and the app.
START_TIMEOUT = 180.0


@dataclass
class Server:
    """A running server: its address and journal folder, and what it printed."""

    url: str
    home: Path
    process: subprocess.Popen[str]
    output: list[str] = field(default_factory=list)

    def log(self) -> str:
        """Everything the server printed so far (for failure messages)."""
        return "".join(self.output)


def free_port() -> int:
    """A loopback port that was free a moment ago (the app tries the next ones if not)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(home: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a local-profile server with a fast key derivation."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update({
        "ATTUNE_HOME": str(home),
        "ATTUNE_KDF_FAST": "1",
        "DJANGO_SETTINGS_MODULE": "attunement.settings",
        "PYTHONUNBUFFERED": "1",
    })
    env.update(extra or {})
    return env


def _pump(stream: object, lines: queue.Queue[str], sink: list[str]) -> None:
    for line in iter(stream.readline, ""):  # type: ignore[attr-defined]
        sink.append(line)
        lines.put(line)
    lines.put("")  # end of output: the process has closed it


def _stop(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)


@contextmanager
def running_server(
    home: Path, *, python_code: str | None = None, extra_env: dict[str, str] | None = None
) -> Iterator[Server]:
    """Run ``attune run`` (or ``python -c python_code`` which must start it) until exit."""
    home.mkdir(parents=True, exist_ok=True)
    port = str(free_port())
    if python_code is None:
        cmd = [sys.executable, "-c", "from attunement.cli import entry_point; entry_point()",
               "run", "--port", port, "--threads", "8"]
    else:
        cmd = [sys.executable, "-c", python_code, "run", "--port", port, "--threads", "8"]
    proc = subprocess.Popen(
        cmd, env=server_env(home, extra_env), cwd=str(home), stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, bufsize=1,
    )
    lines: queue.Queue[str] = queue.Queue()
    sink: list[str] = []
    threading.Thread(target=_pump, args=(proc.stdout, lines, sink), daemon=True).start()
    try:
        url = _wait_ready(proc, lines, sink)
        _wait_listening(url, proc, sink)
        yield Server(url=url, home=home, process=proc, output=sink)
    finally:
        _stop(proc)


def _wait_listening(url: str, proc: subprocess.Popen[str], sink: list[str]) -> None:
    """The address is printed just before waitress binds it: wait until it accepts."""
    host, port = url.split("//", 1)[1].rsplit(":", 1)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("The server exited:\n" + "".join(sink))
        try:
            with socket.create_connection((host.strip("[]"), int(port)), timeout=5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("The server never accepted connections:\n" + "".join(sink))


def _wait_ready(proc: subprocess.Popen[str], lines: queue.Queue[str], sink: list[str]) -> str:
    while True:
        try:
            line = lines.get(timeout=START_TIMEOUT)
        except queue.Empty:
            raise RuntimeError("The server did not start in time:\n" + "".join(sink)) from None
        if line.startswith(READY):
            return line[len(READY):].strip().rstrip("/")
        if line == "":
            proc.wait(timeout=30)
            raise RuntimeError("The server exited:\n" + "".join(sink))
