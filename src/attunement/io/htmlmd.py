"""HTML to Markdown for imported posts and comments.

Uses markdownify on a BeautifulSoup tree that has first been cleaned: scripts,
styles and other active or invisible content are removed with their text, and links
or images whose address is not http(s), mailto or relative are dropped, so nothing
executable survives into the journal even before the renderer sanitises it.

WordPress's classic editor stores paragraphs as blank lines and line breaks as plain
newlines (it adds ``<p>`` and ``<br>`` only when showing a post); ``autop=True``
does the same before converting so those breaks are kept.
"""

from __future__ import annotations

import html
import re

from bs4 import BeautifulSoup, Comment
from markdownify import MarkdownConverter

_REMOVE_WITH_CONTENT = (
    "script", "style", "noscript", "template", "iframe", "object", "embed",
    "form", "input", "button", "select", "textarea", "head", "title", "meta", "link",
)
_SAFE_SCHEMES = ("http:", "https:", "mailto:")
# The block-level tags around which WordPress's wpautop() never adds <p> or <br>.
_BLOCKS = (
    r"(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre"
    r"|form|blockquote|address|math|style|p|h[1-6]|hr|fieldset|legend|section|article"
    r"|aside|hgroup|header|footer|nav|figure|figcaption|details|menu|summary)"
)
_BLOCK_OPEN = re.compile(r"(<" + _BLOCKS + r"[\s/>])", re.IGNORECASE)
_BLOCK_CLOSE = re.compile(r"(</" + _BLOCKS + r">)", re.IGNORECASE)
_BLOCK_START = re.compile(r"^</?" + _BLOCKS + r"[\s/>]", re.IGNORECASE)
_PRE = re.compile(r"(<pre\b.*?</pre>)", re.IGNORECASE | re.DOTALL)
_BLANK_LINES = re.compile(r"\n\s*\n")
_EXTRA_NEWLINES = re.compile(r"\n{3,}")
# C0/C1 controls and the bidirectional overrides and isolates that can make a name or
# title display as something other than what it says ("Trojan Source" tricks).
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _safe_url(url: str) -> bool:
    # Control characters and spaces inside a scheme are how "java\tscript:" tricks work.
    compact = re.sub(r"[\x00-\x20]", "", url).lower()
    if ":" not in compact.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]:
        return True  # relative address
    return compact.startswith(_SAFE_SCHEMES)


def _autop(html: str) -> str:
    """Add the <p> and <br> WordPress would add when displaying classic content."""
    parts = _PRE.split(html.replace("\r\n", "\n"))
    out: list[str] = []
    for i, part in enumerate(parts):
        if i % 2 == 1:  # a <pre> block: keep its newlines as they are
            out.append(part)
            continue
        part = _BLOCK_CLOSE.sub(r"\1\n\n", _BLOCK_OPEN.sub(r"\n\n\1", part))
        for chunk in _BLANK_LINES.split(part):
            chunk = chunk.strip()
            if not chunk:
                continue
            if _BLOCK_START.match(chunk):
                out.append(chunk)
            else:
                out.append("<p>" + chunk.replace("\n", "<br>\n") + "</p>")
    return "\n".join(out)


def _clean(soup: BeautifulSoup) -> None:
    for node in soup.find_all(string=lambda s: isinstance(s, Comment)):
        node.extract()
    for tag in soup.find_all(_REMOVE_WITH_CONTENT):
        tag.decompose()
    for tag in soup.find_all("a"):
        if not _safe_url(str(tag.get("href", ""))):
            tag.unwrap()
    for tag in soup.find_all("img"):
        if not _safe_url(str(tag.get("src", ""))):
            tag.decompose()


def plain_line(text: str) -> str:
    """A one-line plain-text field (title, name, tag): entities decoded, controls removed."""
    return " ".join(_CONTROLS.sub("", html.unescape(text)).split())


def html_to_markdown(html: str, *, autop: bool = False) -> str:
    """Convert an HTML fragment to clean Markdown (scripts and unsafe links removed)."""
    if not html.strip():
        return ""
    if autop and not re.search(r"<p[\s>]", html, re.IGNORECASE):
        html = _autop(html)
    soup = BeautifulSoup(html, "html.parser")
    _clean(soup)
    converter = MarkdownConverter(heading_style="ATX", bullets="-", newline_style="BACKSLASH")
    text = converter.convert_soup(soup)
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return _EXTRA_NEWLINES.sub("\n\n", "\n".join(lines))
