"""Load test of the circle server: 200 readers, 20 commenters, 60 s (results in docs/circle.md).

    .venv/bin/python bench/bench_circle_load.py [--seconds 60] [--workers 2]

Makes a throwaway PostgreSQL database on 127.0.0.1:5432 (PG_URL to change), seeds one
writer's circle (220 members, 20 posts with 30 comments each), starts the real server
(`attune serve --hosted`, gunicorn) on loopback, and runs Locust headless against it on
the same machine: readers open post pages and the home page every 5-15 s, commenters read
a post and answer it every 10-20 s (both adjustable: --reader-wait 1,3 makes it a
stress test that finds the saturation point). Prints and writes (JSON beside --out) the request
count, errors and latency percentiles per kind of request. The database is dropped after.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import socket
import string
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG_URL = os.environ.get("PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_URL.replace("postgres://", "postgresql://"), autocommit=True) as c:
        c.execute(sql)


def seed(db_url: str, out: Path, readers: int, commenters: int) -> dict[str, object]:
    """Create the schema and the circle in a child process (Django, circle profile)."""
    env = {**os.environ, "ATTUNE_PROFILE": "circle", "DATABASE_URL": db_url,
           "ATTUNE_SECRET_KEY": ENV_SECRET, "ATTUNE_FAST_HASHER": "1"}
    code = f"""
import json, django, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "attunement.settings")
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.auth import SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY
from attunement.circle.models import User, Circle, Membership, Post, Comment
from attunement.circle import rendering
from django.utils import timezone
writer = User.objects.create_user("writer", password="load-test-passphrase", display_name="Writer",
                                  can_write=True)
circle = Circle.objects.create(owner=writer, name="Load circle")
Membership.objects.create(circle=circle, user=writer, role="owner")
def session_for(user):
    s = SessionStore()
    s[SESSION_KEY] = str(user.pk)
    s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    s.create()
    return s.session_key
people = []
for i in range({readers + commenters}):
    u = User.objects.create_user(f"m{{i}}", password="load-test-passphrase",
                                 display_name=f"Friend {{i}}")
    Membership.objects.create(circle=circle, user=u, role="member")
    people.append(u)
posts = []
para = "Today in session I said the thing I had been holding for weeks. " * 12
for p in range(20):
    post = Post.objects.create(author=writer, local_id=f"entry-{{p}}", title=f"Week {{p}}",
                               body=para, written_at=timezone.now())
    post.circles.add(circle)
    posts.append(post.pk)
    for c in range(30):
        body = "Thinking of you. That sounds like a lot to carry."
        Comment.objects.create(post=post, author=people[c % len(people)], body=body,
                               body_html=rendering.render_markdown(body))
sessions = [session_for(u) for u in people]
print(json.dumps({{"posts": posts, "readers": sessions[:{readers}],
                  "commenters": sessions[{readers}:]}}))
"""
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=False,
                          capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"seeding failed:\n{done.stderr}")
    data: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    data["csrf"] = "".join(secrets.choice(string.ascii_letters + string.digits)
                           for _ in range(32))
    out.write_text(json.dumps(data), encoding="utf-8")
    return data


ENV_SECRET = secrets.token_urlsafe(40)
RAMP_RATE = 22  # people arriving per second


def wait_ready(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "login", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("the circle server did not start")


def warm_up(host: str, data: dict[str, list[object]]) -> None:
    """Open every post page a few times first, so each worker has loaded its templates."""
    cookie = f"sessionid={data['readers'][0]}"
    for _ in range(4):
        for post in data["posts"]:
            req = urllib.request.Request(f"{host}posts/{post}/", headers={"Cookie": cookie})
            with urllib.request.urlopen(req, timeout=30) as r:
                r.read()


def percentile_rows(stats_csv: Path) -> list[dict[str, str]]:
    with stats_csv.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--readers", type=int, default=200)
    parser.add_argument("--commenters", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--reader-wait", default="5,15",
                        help="seconds a reader spends on a page before the next, as MIN,MAX")
    parser.add_argument("--commenter-wait", default="10,20",
                        help="seconds between two comments by one person, as MIN,MAX")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    work = args.out or Path(tempfile.mkdtemp(prefix="attune-load-"))
    work.mkdir(parents=True, exist_ok=True)
    name = f"attune_load_{os.getpid()}"
    base = PG_URL.rsplit("/", 1)[0]
    db_url = f"{base}/{name}"
    _admin(f'CREATE DATABASE "{name}"')
    server = None
    try:
        sessions = work / "sessions.json"
        data = seed(db_url, sessions, args.readers, args.commenters)
        data["wait"] = {"readers": [float(x) for x in args.reader_wait.split(",")],
                        "commenters": [float(x) for x in args.commenter_wait.split(",")]}
        sessions.write_text(json.dumps(data), encoding="utf-8")
        port = _free_port()
        env = {**os.environ, "ATTUNE_PROFILE": "circle", "DATABASE_URL": db_url,
               "ATTUNE_SECRET_KEY": ENV_SECRET}
        server = subprocess.Popen(
            [str(BIN / "attune"), "serve", "--hosted", "--no-migrate", "--port", str(port),
             "--workers", str(args.workers), "--threads", str(args.threads)],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=(work / "server.log").open("w"),
        )
        host = f"http://127.0.0.1:{port}/"
        wait_ready(host)
        warm_up(host, json.loads(sessions.read_text(encoding="utf-8")))
        ramp = (args.readers + args.commenters) // RAMP_RATE + 1
        started = time.time()
        subprocess.run(
            [str(BIN / "locust"), "-f", str(ROOT / "bench" / "locust_circle.py"), "--headless",
             # Everyone arrives over ~10 s; the figures are reset once all are there, so
             # the table covers --seconds of full load.
             "-u", str(args.readers + args.commenters), "-r", str(RAMP_RATE),
             "-t", f"{args.seconds + ramp}s", "--reset-stats",
             "--host", host.rstrip("/"), "--csv", str(work / "load"), "--only-summary",
             "--stop-timeout", "10"],
            env={**os.environ, "ATTUNE_LOAD_SESSIONS": str(sessions),
                 "ATTUNE_LOAD_READERS": str(args.readers),
                 "ATTUNE_LOAD_COMMENTERS": str(args.commenters)},
            cwd=ROOT, check=False,
        )
        elapsed = time.time() - started
        rows = percentile_rows(work / "load_stats.csv")
        result = {
            "seconds": round(elapsed, 1), "readers": args.readers,
            "commenters": args.commenters, "gunicorn_workers": args.workers,
            "threads": args.threads, "load_average": os.getloadavg(),
            "reader_wait_s": args.reader_wait, "commenter_wait_s": args.commenter_wait,
            "rows": [{k: r[k] for k in ("Type", "Name", "Request Count", "Failure Count",
                                        "50%", "95%", "99%", "Requests/s")} for r in rows],
        }
        (work / "result.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
        print("\n| request | count | errors | p50 ms | p95 ms | p99 ms | req/s |")
        print("|---|---|---|---|---|---|---|")
        for r in result["rows"]:  # type: ignore[union-attr]
            print(f"| {r['Type']} {r['Name']} | {r['Request Count']} | {r['Failure Count']} | "
                  f"{r['50%']} | {r['95%']} | {r['99%']} | {float(r['Requests/s']):.1f} |")
        print(f"\nload average after: {os.getloadavg()}; files in {work}")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
