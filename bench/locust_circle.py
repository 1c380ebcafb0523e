"""Locust users for bench/bench_circle_load.py (not run on its own).

Readers open the circle's home and post pages; commenters read a post and answer it.
Each simulated person signs in with a session made by the bench (reading the cookies
from ATTUNE_LOAD_SESSIONS), so the login rate limit is not what is measured.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import threading
from pathlib import Path

import gevent
from locust import FastHttpUser, between, task

_DATA = json.loads(Path(os.environ["ATTUNE_LOAD_SESSIONS"]).read_text(encoding="utf-8"))
_LOCK = threading.Lock()
_READERS = itertools.cycle(_DATA["readers"])
_COMMENTERS = itertools.cycle(_DATA["commenters"])
POSTS: list[int] = _DATA["posts"]
# Seconds a person spends between two pages (reading, writing), chosen by the bench.
_WAIT: dict[str, tuple[float, float]] = {k: tuple(v) for k, v in _DATA["wait"].items()}


class _Person(FastHttpUser):
    abstract = True
    pool = _READERS

    def on_start(self) -> None:
        with _LOCK:
            self.session_key = next(self.pool)
        self.cookies = {"sessionid": self.session_key, "csrftoken": _DATA["csrf"]}
        self.headers = {
            "Cookie": f"sessionid={self.session_key}; csrftoken={_DATA['csrf']}",
        }
        # People do not all click at the same instant: each starts somewhere in its cycle.
        gevent.sleep(random.uniform(0, self.wait_time()))


class Reader(_Person):
    """Someone in the circle reading: mostly posts, sometimes the home page."""

    fixed_count = int(os.environ.get("ATTUNE_LOAD_READERS", "200"))
    wait_time = between(*_WAIT["readers"])

    @task(4)
    def read_post(self) -> None:
        post = random.choice(POSTS)
        self.client.get(f"/posts/{post}/", headers=self.headers, name="/posts/[id]/")

    @task(1)
    def home(self) -> None:
        self.client.get("/", headers=self.headers, name="/")


class Commenter(_Person):
    """Someone answering a post (at a pace the comment rate limit allows)."""

    fixed_count = int(os.environ.get("ATTUNE_LOAD_COMMENTERS", "20"))
    wait_time = between(*_WAIT["commenters"])
    pool = _COMMENTERS

    @task
    def comment(self) -> None:
        post = random.choice(POSTS)
        self.client.get(f"/posts/{post}/", headers=self.headers, name="/posts/[id]/")
        body = random.choice(
            ["Thinking of you this week.", "That sounds so hard. I'm here.",
             "Me too, more than I can say.", "Thank you for writing this."]
        )
        self.client.post(
            f"/posts/{post}/comment",
            data={"body": body, "csrfmiddlewaretoken": _DATA["csrf"]},
            headers={**self.headers, "X-CSRFToken": _DATA["csrf"],
                     "Referer": f"{self.host}/posts/{post}/"},
            name="/posts/[id]/comment",
        )
