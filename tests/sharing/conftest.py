"""Fixtures of the sharing tests: a fake circle server, a connected journal, and for the
end-to-end test a REAL circle server (``attune serve --hosted``) on its own fresh
PostgreSQL database, dropped afterwards.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from attunement.record.models import Entry
from attunement.sharing.models import Connection
from tests.sharing.fake_server import CIRCLES, TOKEN, FakeCircle, running_fake

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
WRITER, WRITER_PASSWORD = "writer", "a long and quiet evening"
START_TIMEOUT = 180.0


# --- unit tests --------------------------------------------------------------------


@pytest.fixture
def fake() -> Iterator[FakeCircle]:
    with running_fake() as server:
        yield server


@pytest.fixture
def connected(db, fake: FakeCircle) -> Connection:  # type: ignore[no-untyped-def]
    """A journal connected to the fake server, its circles known."""
    fake.tokens.add(TOKEN)
    return Connection.objects.create(
        server_url=fake.url, server_name="Test circle", token=TOKEN, account_id=7,
        account_name="Lantern", circles=[dict(c) for c in CIRCLES],
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def closed_url() -> str:
    """An address on this computer where nothing listens (a server that is down)."""
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture
def entry(db) -> Entry:  # type: ignore[no-untyped-def]
    """An entry with things that must never leave: tags and a session link."""
    from attunement.record.services import save_entry

    return save_entry(title="After Tuesday", body="I could not say it in the room.\n\nLater, "
                      "on the bus, the words came.", tags=["private-tag"], analyze=False)


# --- the end-to-end test: a real circle server ------------------------------------------


@dataclass
class CircleServer:
    """A running ``attune serve --hosted`` process that can be stopped and started again."""

    url: str
    port: int
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None
    logs: list[str] = field(default_factory=list)

    def start(self, *, migrate: bool = False) -> None:
        attune = str(Path(sys.executable).parent / "attune")
        cmd = [attune, "serve", "--hosted", "--port", str(self.port), "--workers", "1",
               "--threads", "4", "--migrate" if migrate else "--no-migrate"]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(cmd, env=self.env, stdout=out,
                                            stderr=subprocess.STDOUT)
        _wait_answering(self)

    def stop(self) -> None:
        proc = self.process
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)
        self.process = None

    def tail(self) -> str:
        """The end of what the server printed (for failure messages)."""
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""


def _wait_answering(server: CircleServer) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    while time.monotonic() < deadline:
        if server.process is not None and server.process.poll() is not None:
            raise RuntimeError("The circle server exited:\n" + server.tail())
        try:
            with opener.open(server.url + "/login", timeout=5):
                return
        except urllib.error.HTTPError:
            return  # it answered
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("The circle server never answered:\n" + server.tail())


def _admin(statement: str) -> None:
    import psycopg

    try:
        conn = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=10)
    except psycopg.OperationalError as exc:
        raise RuntimeError(
            "The end-to-end test needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust "
            "auth); start it, e.g. `pg_ctlcluster $(ls /etc/postgresql) main start`."
        ) from exc
    with conn:
        conn.execute(statement)  # type: ignore[arg-type]


@pytest.fixture
def circle_server(tmp_path: Path) -> Iterator[CircleServer]:
    """A fresh database, a real circle server on a free port, and a writer's account."""
    name = f"attune_e2e_{secrets.token_hex(6)}"
    _admin(f'CREATE DATABASE "{name}"')
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "ATTUNE_PG_TEST_DB", "DJANGO_SETTINGS_MODULE")}
    env.update({
        "ATTUNE_PROFILE": "circle",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{name}",
        "ATTUNE_SECRET_KEY": "e2e-tests-only-" + secrets.token_hex(16),
        "ATTUNE_FAST_HASHER": "1",
        "ATTUNE_HOME": str(tmp_path / "circle-home"),
        "ATTUNE_BASE_URL": url,
        "PYTHONUNBUFFERED": "1",
    })
    server = CircleServer(url=url, port=port, env=env, log=tmp_path / "circle-server.log")
    try:
        server.start(migrate=True)
        subprocess.run(
            [str(Path(sys.executable).parent / "attune"), "circle", "add-writer", WRITER,
             "--display-name", "Lantern"],
            env={**env, "ATTUNE_CIRCLE_PASSWORD": WRITER_PASSWORD},
            check=True, capture_output=True, timeout=180,
        )
        yield server
    finally:
        server.stop()
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
