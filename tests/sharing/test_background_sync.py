"""``attune run`` starts the sync thread: a confirmed share goes out without "Send now",
and comments arrive by themselves; everything it contacts is the connected server."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from tests.browser.server import Server
from tests.sharing.fake_server import GOOD_CODE, FakeCircle
from tests.web.test_offline import (  # noqa: F401 - watched_server is a fixture
    PASSPHRASE,
    Client,
    read_log,
    watched_server,
)

pytestmark = [pytest.mark.local_only, pytest.mark.slow]


def _wait_for(client: Client, path: str, pattern: str, seconds: float = 120.0) -> str:
    deadline = time.monotonic() + seconds
    while True:
        page = client.get(path)[1]
        if re.search(pattern, page) or time.monotonic() > deadline:
            return page
        time.sleep(0.5)


def test_the_thread_sends_and_pulls_by_itself(
    watched_server: tuple[Server, Path], fake: FakeCircle  # noqa: F811
) -> None:
    server, log = watched_server
    c = Client(server.url)
    c.post("/welcome", {"passphrase": PASSPHRASE, "passphrase2": PASSPHRASE})
    c.post("/sharing/connect", {"link": f"{fake.url}/connect/{GOOD_CODE}"}, form_page="/sharing/")
    url, _ = c.post("/entries/new", {"title": "For the circle", "written_at": "2026-03-02T19:30",
                                     "body": "Sent by the thread."})
    entry_path = re.sub(r"^https?://[^/]+", "", url)
    pk = entry_path.strip("/").split("/")[-1]
    fake.comments = [{"id": 1, "post_local_id": f"entry-{pk}.c11", "parent_id": None,
                      "author": "Harbour", "body_html": "<p>Arrived by itself.</p>",
                      "created": "2026-03-02T20:00:00+00:00", "edited_at": None,
                      "status": "visible"}]
    _, preview = c.post(f"/sharing/entries/{pk}/preview",
                        {"circles": "11", "mode": "whole", "excerpt": ""}, form_page=entry_path)
    digest = re.search(r'name="digest" value="([0-9a-f]{64})"', preview)
    assert digest, preview[:2000]
    c.post(f"/sharing/entries/{pk}/confirm",
           {"circles": "11", "mode": "whole", "digest": digest.group(1)}, form_page=entry_path)
    page = _wait_for(c, entry_path, r'data-state="shared">shared<')
    assert 'data-state="shared">shared<' in page, page[-3000:]
    assert fake.items[("posts", f"entry-{pk}.c11")]["body"] == "Sent by the thread."
    page = _wait_for(c, entry_path, "Arrived by itself.")
    assert "Arrived by itself." in page
    # Every destination was this computer (the fake server listens on 127.0.0.1).
    assert all(e["local"] for e in read_log(log))
