"""Reading the connection link a person pastes: every bad shape gets the exact message."""

from __future__ import annotations

import pytest

from attunement.sharing import texts
from attunement.sharing.client import BadLink, ConnectionLink, clean_text, parse_link

CODE = "AbC_123-xyz0"


@pytest.mark.parametrize(("text", "base"), [
    (f"https://circle.example/connect/{CODE}", "https://circle.example"),
    (f"  https://circle.example/connect/{CODE}/  \n", "https://circle.example"),
    (f"https://circle.example:8443/circle/connect/{CODE}", "https://circle.example:8443/circle"),
    (f"HTTPS://circle.example/connect/{CODE}", "https://circle.example"),
    (f"http://127.0.0.1:8800/connect/{CODE}", "http://127.0.0.1:8800"),
    (f"http://localhost:8800/connect/{CODE}", "http://localhost:8800"),
    (f"http://[::1]:8800/connect/{CODE}", "http://[::1]:8800"),
    (f"https://circle.example/connect/{CODE}?utm=x#frag", "https://circle.example"),
])
def test_good_links(text: str, base: str) -> None:
    assert parse_link(text) == ConnectionLink(base=base, code=CODE)


@pytest.mark.parametrize("text", [
    "circle.example/connect/" + CODE,
    "ftp://circle.example/connect/" + CODE,
    "javascript:alert(1)//connect/" + CODE,
    "https:///connect/" + CODE,
    "https://circle.example/" + CODE,
    "https://circle.example/connect/",
    "https://circle.example/connect/short",
    "https://circle.example/connect/" + CODE + "/more",
    "https://circle.example/connect/has space" + CODE,
    "https://user:pw@circle.example/connect/" + CODE,
    "https://circle.example:99999/connect/" + CODE,
    "https://circle.example/connect/" + "a" * 201,
    "https://circle.example/" + "x" * 2000 + "/connect/" + CODE,
])
def test_malformed_links_are_refused(text: str) -> None:
    with pytest.raises(BadLink) as exc:
        parse_link(text)
    assert exc.value.message == texts.LINK_MALFORMED


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_an_empty_link_asks_for_one(text: str) -> None:
    with pytest.raises(BadLink) as exc:
        parse_link(text)
    assert exc.value.message == texts.LINK_EMPTY


@pytest.mark.parametrize("host", ["circle.example", "192.168.1.10", "10.0.0.2"])
def test_plain_http_is_only_for_this_computer(host: str) -> None:
    with pytest.raises(BadLink) as exc:
        parse_link(f"http://{host}/connect/{CODE}")
    assert exc.value.message == texts.LINK_INSECURE


def test_server_text_is_cleaned_and_bounded() -> None:
    assert clean_text("Evil\u202egnp.exe\x00 circle") == "Evilgnp.exe circle"
    assert clean_text("x" * 400) == "x" * 299 + "…"
    assert clean_text(None) == ""
