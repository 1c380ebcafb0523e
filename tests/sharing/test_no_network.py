"""Not connected, the journal still makes no outbound connection: through the Sharing page,
the panels, "Send now" and refused links, in a real ``attune run`` process (which starts
the background sync thread) with the audit hook of tests/web/test_offline.py."""

from __future__ import annotations

import re
import urllib.error
from pathlib import Path

import pytest

from tests.browser.server import Server
from tests.web.test_offline import (  # noqa: F401 - watched_server is a fixture
    PASSPHRASE,
    Client,
    assert_stayed_local,
    watched_server,
)

pytestmark = pytest.mark.local_only


def _post(client: Client, path: str, fields: dict[str, str], form_page: str) -> str:
    try:
        return client.post(path, fields, form_page=form_page)[1]
    except urllib.error.HTTPError as exc:  # a refused form answers 400
        return exc.read().decode("utf-8", "replace")


def test_sharing_makes_no_connection_until_connected(
    watched_server: tuple[Server, Path],  # noqa: F811 - the imported fixture
) -> None:
    server, log = watched_server
    c = Client(server.url)
    c.post("/welcome", {"passphrase": PASSPHRASE, "passphrase2": PASSPHRASE})
    c.post("/entries/new", {"title": "Mine alone", "written_at": "2026-03-02T19:30",
                            "body": "Nobody else reads this."})
    c.post("/checkins/new", {"bond_grasped": "4", "bond_on_my_side": "5", "task_fit": "3",
                             "goal_direction": "4", "tension": "no"})
    c.post("/unsaid/", {"unsaid-text": "Something for Monday."})
    pages = "".join(c.get(p)[1] for p in ("/sharing/", "/settings/", "/unsaid/", "/entries/",
                                          "/checkins/"))
    for link in sorted(set(re.findall(r'href="(/(?:entries|checkins)/\d+/)"', pages))):
        page = c.get(link)[1]
        assert 'id="share-state"' in page and "connect a circle server" in page, link
    said = _post(c, "/sharing/send", {}, "/sharing/")
    assert "This journal is not connected to a circle server." in said
    said = _post(c, "/sharing/connect", {"link": "http://192.0.2.1/connect/abcdefgh1234"},
                 "/sharing/")
    assert "Plain http:// is only accepted for a server on this computer" in said
    said = _post(c, "/sharing/connect", {"link": "not a link at all"}, "/sharing/")
    assert "That does not look like a connection link." in said
    assert_stayed_local(log)
