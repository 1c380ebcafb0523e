"""The app makes no outbound network connection while a person works through every page.

The server runs as a real process with an audit hook (PEP 578) that writes down every
socket connect, sendto, bind and name lookup it makes. A person's session is driven
through every page (with Chromium when it is installed, and always over plain HTTP);
then the record must hold no destination other than this computer. Every page must
also load its assets from its own origin only.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import subprocess
import sys
import urllib.parse
import urllib.request
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from tests.browser.server import Server, running_server

pytestmark = pytest.mark.local_only
CHROMIUM = Path("/usr/bin/chromium")
WXR = Path(__file__).resolve().parents[1] / "data" / "io" / "wordpress" / "therapy-blog.wxr"
PASSPHRASE = "quiet river lantern"

# Runs in the server process before the app is imported: every socket event is logged.
HOOK = r"""
import ipaddress, json, os, sys
_log = open(os.environ["ATTUNE_NET_LOG"], "a", buffering=1)
def _is_local(host):
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if host in (None, "", "localhost"):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0].strip("[]")).is_loopback
    except ValueError:
        return False
def _hook(event, args):
    if event in ("socket.connect", "socket.sendto", "socket.bind"):
        addr = args[-1]
        if not isinstance(addr, tuple):
            return  # a Unix socket path never leaves the machine
        host = addr[0]
    elif event == "socket.getaddrinfo":
        host = args[0]
    else:
        return
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    _log.write(json.dumps({"event": event, "host": host, "local": _is_local(host)}) + "\n")
sys.addaudithook(_hook)
"""
RUN_APP = "from attunement.cli import main\nsys.exit(main(sys.argv[1:]))\n"

PAGES = [
    "/", "/entries/", "/entries/new", "/entries/?q=tally", "/sessions/", "/checkins/",
    "/checkins/new", "/contacts/", "/frame/", "/unsaid/", "/therapists/", "/settings/",
    "/settings/passphrase", "/import/", "/export/", "/export/?format=json",
    "/export/?format=markdown",
]


def read_log(path: Path) -> list[dict[str, Any]]:
    """The socket events the server process made."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def assert_stayed_local(log: Path) -> None:
    """The hook worked (it saw the server listen) and nothing went elsewhere."""
    events = read_log(log)
    assert any(e["event"] == "socket.bind" and e["local"] for e in events), events[:20]
    outside = [e for e in events if not e["local"]]
    assert not outside, outside


@pytest.fixture
def watched_server(tmp_path: Path) -> Iterator[tuple[Server, Path]]:
    """A server whose every socket event is written to a log file."""
    log = tmp_path / "net.jsonl"
    with running_server(tmp_path / "journal", python_code=HOOK + RUN_APP,
                        extra_env={"ATTUNE_NET_LOG": str(log)}) as srv:
        yield srv, log


def test_the_hook_records_a_destination_elsewhere(tmp_path: Path) -> None:
    """The check can fail: lookups and connects to a non-loopback address are logged.

    A numeric lookup and a UDP connect send no packet, so this touches no network.
    """
    log = tmp_path / "net.jsonl"
    probe = HOOK + (
        "import socket\n"
        "socket.getaddrinfo('192.0.2.1', 80, type=socket.SOCK_STREAM)\n"
        "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
        "try:\n    s.connect(('192.0.2.1', 9))\nexcept OSError:\n    pass\n"
        "socket.getaddrinfo('127.0.0.1', 80, type=socket.SOCK_STREAM)\n"
    )
    subprocess.run([sys.executable, "-c", probe], env={**os.environ, "ATTUNE_NET_LOG": str(log)},
                   check=True, timeout=120)
    events = read_log(log)
    assert {"event": "socket.getaddrinfo", "host": "192.0.2.1", "local": False} in events
    assert {"event": "socket.connect", "host": "192.0.2.1", "local": False} in events
    assert {"event": "socket.getaddrinfo", "host": "127.0.0.1", "local": True} in events


# --- plain HTTP, no browser needed -------------------------------------------------

class Client:
    """A tiny cookie-keeping HTTP client that fills Django's CSRF token into forms."""

    def __init__(self, base: str) -> None:
        self.base = base
        # No proxy: a proxy from the environment would be a connection elsewhere.
        self.opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}),
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
        )

    def get(self, path: str) -> tuple[str, str]:
        """GET a page; return (final URL, body text)."""
        with self.opener.open(self.base + path, timeout=120) as resp:
            return resp.geturl(), resp.read().decode("utf-8", "replace")

    def post(self, path: str, fields: dict[str, str], files: dict[str, Path] | None = None,
             form_page: str | None = None) -> tuple[str, str]:
        """POST a form the way a browser would, with the token from its page."""
        _, page = self.get(form_page or path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, f"no CSRF token on {form_page or path}"
        data = {"csrfmiddlewaretoken": token.group(1), **fields}
        body, ctype = _encode(data, files or {})
        req = urllib.request.Request(self.base + path, data=body, method="POST",
                                     headers={"Content-Type": ctype, "Origin": self.base})
        with self.opener.open(req, timeout=120) as resp:
            return resp.geturl(), resp.read().decode("utf-8", "replace")


def _encode(fields: dict[str, str], files: dict[str, Path]) -> tuple[bytes, str]:
    if not files:
        return urllib.parse.urlencode(fields).encode(), "application/x-www-form-urlencoded"
    boundary = "attunement-test-boundary"
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                     f"{value}\r\n".encode())
    for name, path in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                     f'filename="{path.name}"\r\nContent-Type: application/xml\r\n\r\n'.encode()
                     + path.read_bytes() + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def work_through_every_page(client: Client) -> list[tuple[str, str]]:
    """Create a journal, add one of everything, visit every page; return (path, HTML)."""
    url, page = client.post("/welcome", {"passphrase": PASSPHRASE, "passphrase2": PASSPHRASE})
    assert 'id="recovery-key"' in page, page[:2000]
    client.post("/entries/new", {"title": "After Monday", "written_at": "2024-03-04T19:30",
                                 "body": "She was *late*.", "tags_text": "lateness"})
    client.post("/sessions/", {"sessions-starts_at": "2024-03-05T08:00",
                               "sessions-status": "held", "sessions-modality": "in_person"})
    client.post("/contacts/", {"contacts-at": "2024-03-06T21:15", "contacts-kind": "text",
                               "contacts-initiated_by": "me", "contacts-answered": "unknown"})
    client.post("/frame/", {"frame-kind": "rule", "frame-owner": "mine",
                            "frame-text": "No calls after sessions.", "frame-start": "2024-01-08"})
    client.post("/absences/", {"absences-start": "2024-08-01", "absences-end": "2024-08-28"},
                form_page="/frame/")
    client.post("/unsaid/", {"unsaid-text": "The new time does not suit me."})
    client.post("/checkins/new", {"bond_grasped": "4", "bond_on_my_side": "5", "task_fit": "3",
                                  "goal_direction": "4", "tension": "yes",
                                  "tension_strength": "4", "tension_resolved": "3"})
    url, page = client.post("/import/", {"format": "wordpress"}, files={"file": WXR})
    assert url.endswith("/entries/"), page[:2000]
    seen = [(path, client.get(path)[1]) for path in PAGES]
    for link in sorted(set(re.findall(r'href="(/(?:entries|checkins)/\d+/)"',
                                      "".join(html for _, html in seen)))):
        seen.append((link, client.get(link)[1]))
    client.post("/lock", {}, form_page="/")
    for path in ("/locked", "/unlock", "/recover"):
        seen.append((path, client.get(path)[1]))
    url, _ = client.post("/unlock", {"passphrase": PASSPHRASE})
    assert not url.endswith("/unlock"), url
    return seen


def test_no_outbound_connection_over_http(watched_server: tuple[Server, Path]) -> None:
    server, log = watched_server
    pages = work_through_every_page(Client(server.url))
    assert any("The week she was away" in html for _, html in pages)  # the import worked
    assert any('id="comments-h"' in html for _, html in pages)  # and its comments show
    assert_stayed_local(log)


class _Refs(HTMLParser):
    """Every URL a page would load by itself (not links a person may follow)."""

    LOADING = {"src", "srcset", "data", "poster", "action", "formaction", "background"}

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if not value:
                continue
            if name in self.LOADING or (name == "href" and tag in ("link", "base")):
                self.urls.extend(u.strip().split(" ")[0] for u in value.split(","))
            if name == "style":
                self.urls.extend(re.findall(r"url\(\s*['\"]?([^'\")]+)", value))


def foreign_refs(html: str, origin: str) -> list[str]:
    """Loaded URLs on the page that are not on the page's own origin."""
    parser = _Refs()
    parser.feed(html)
    here = urllib.parse.urlsplit(origin)
    bad = []
    for url in parser.urls:
        parts = urllib.parse.urlsplit(urllib.parse.urljoin(origin + "/", url))
        if parts.scheme in ("data", "blob") or url.startswith("#"):
            continue
        if (parts.scheme, parts.netloc) != (here.scheme, here.netloc):
            bad.append(url)
    return bad


def test_foreign_refs_sees_other_hosts() -> None:
    page = ('<img src="https://assets.example/x.png"><script src="/static/a.js"></script>'
            '<link rel="stylesheet" href="//fonts.example/f.css"><a href="https://ok.example">'
            '<iframe src="http://127.0.0.1:9/x"></iframe>')
    assert foreign_refs(page, "http://127.0.0.1:8765") == [
        "https://assets.example/x.png", "//fonts.example/f.css", "http://127.0.0.1:9/x",
    ]


def test_every_page_loads_only_its_own_assets(watched_server: tuple[Server, Path]) -> None:
    server, _ = watched_server
    client = Client(server.url)
    pages = work_through_every_page(client)
    problems = {path: foreign_refs(html, server.url) for path, html in pages
                if not path.startswith("/export/?")}
    assert not any(problems.values()), problems
    css = set(re.findall(r'href="(/static/[^"]+\.css)"', "".join(h for _, h in pages)))
    assert css
    for path in css:
        sheet = client.get(path)[1]
        assert not re.search(r"(url\(|@import)\s*['\"]?(https?:)?//", sheet), path


# --- a real browser ----------------------------------------------------------------

@pytest.mark.browser
def test_no_outbound_connection_from_server_or_chromium(
    watched_server: tuple[Server, Path],
) -> None:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed")
    pytest.importorskip("playwright.sync_api")
    from tests.browser.chromium import chromium
    from tests.browser.conftest import NAVIGATION_TIMEOUT_MS, create_journal

    server, log = watched_server
    elsewhere: list[str] = []
    with chromium() as browser:
        context = browser.new_context(base_url=server.url)
        try:
            context.set_default_timeout(NAVIGATION_TIMEOUT_MS)
            page = context.new_page()
            page.on("request", lambda r: None if _same_origin(r.url, server.url)
                    else elsewhere.append(r.url))
            create_journal(page, PASSPHRASE)
            _seed_with_browser(page)
            # The two downloads are left out: a browser saves them rather than showing them.
            visited = [*PAGES[:-2], "/entries/", "/checkins/"]
            for path in visited:
                page.goto(path)
            for href in page.eval_on_selector_all(
                "a[href^='/checkins/'], a[href^='/entries/']", "els => els.map(e => e.href)"
            ):
                if re.search(r"/\d+/$", href):
                    page.goto(href)
            page.goto("/entries/")
            page.get_by_role("link", name="The week she was away").click()
            page.locator("section.comments").wait_for()
            page.locator("#lock-button").click()
            page.wait_for_url(re.compile(r"/locked$"))
        finally:
            context.close()
    assert not elsewhere, elsewhere
    assert_stayed_local(log)


def _same_origin(url: str, origin: str) -> bool:
    return url.startswith(origin + "/") or url.startswith(("data:", "blob:", "about:"))


def _seed_with_browser(page: Any) -> None:
    page.goto("/entries/new")
    page.get_by_label("Title").fill("After Monday")
    page.get_by_label(re.compile(r"^Entry \(Markdown\)")).fill("She was *late*.")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    page.goto("/import/")
    page.get_by_label("Format").select_option("wordpress")
    page.get_by_label("File").set_input_files(str(WXR))
    with page.expect_navigation():
        page.locator("main form").get_by_role("button", name="Import").click()
    page.goto("/checkins/new")
    for item, label in {"bond_grasped": "Largely", "bond_on_my_side": "Fully",
                        "task_fit": "Partly", "goal_direction": "Largely",
                        "tension": "Yes", "tension_strength": "A lot",
                        "tension_resolved": "Mostly"}.items():
        page.locator(f"#q-{item}").get_by_text(label, exact=True).click()
    with page.expect_navigation():
        page.get_by_role("button", name="Save check-in").click()
