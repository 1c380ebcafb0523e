"""Read a WordPress export (WXR 1.0-1.2) into journal entries with threaded comments.

WXR is RSS 2.0 with the ``wp:``, ``content:``, ``excerpt:``, ``dc:`` and ``wfw:``
namespaces, written by ``wp-admin/includes/export.php``; there is no formal spec.
Only items whose ``wp:post_type`` is ``post`` become entries; pages, attachments,
menu items and the like are counted in ``ParseResult.skipped``. The XML is parsed
with defusedxml and any ``<!DOCTYPE>`` is refused, which stops entity-expansion
bombs and external entities before they are read. See docs/formats.md.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from typing import BinaryIO
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from attunement.io import wpcomments
from attunement.io.htmlmd import html_to_markdown, plain_line
from attunement.io.limits import MAX_WXR_BYTES, InputError, Source, line_of, read_limited
from attunement.io.records import EntryRec, JournalData, ParseResult, Problem
from attunement.io.wpcomments import Reported

WP_NAMESPACES = (
    "http://wordpress.org/export/1.2/",
    "http://wordpress.org/export/1.1/",
    "http://wordpress.org/export/1.0/",
)
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
ZERO_DATE = "0000-00-00 00:00:00"
SKIPPED_STATUSES = {"trash": "trashed post", "auto-draft": "auto-draft"}

MSG_DOCTYPE = (
    "This file contains a document type declaration (<!DOCTYPE …>). WordPress exports "
    "never do, and such declarations can make a computer hang or read its files, so "
    "the file was not read."
)
MSG_NOT_UTF8 = (
    "This file is not valid UTF-8 text, which WordPress exports always are. It may have "
    "been re-saved in another text encoding; exporting it again from WordPress should help."
)
MSG_TRUNCATED = (
    "The file ends before the export does: it looks cut off. Exporting it again from "
    "WordPress (Tools → Export) should help."
)
MSG_NOT_WXR = (
    "This is an XML file but not a WordPress export: it has no WXR version. "
    "In WordPress, Tools → Export makes the right kind of file."
)
MSG_NO_DATE = "This post has no date that can be read."


def _text(parent: Element, tag: str) -> str:
    node = parent.find(tag)
    return (node.text or "").strip() if node is not None and node.text else ""


def _declared_utf8(raw: bytes) -> bool:
    match = re.match(rb"\s*<\?xml[^>]*encoding=[\"']([A-Za-z0-9._-]+)", raw[:200])
    return match is None or match.group(1).lower() in (b"utf-8", b"utf8")


def _parse_xml(raw: bytes) -> Element:
    if _declared_utf8(raw):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(Problem(f"line {line_of(raw, exc.start)}", MSG_NOT_UTF8)) from exc
    try:
        return fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise InputError(Problem("", MSG_DOCTYPE)) from exc
    except ParseError as exc:
        line, column = exc.position
        where = f"line {line}, column {column + 1}"  # expat counts columns from 0
        if "no element found" in str(exc) or "unclosed token" in str(exc):
            raise InputError(Problem(where, MSG_TRUNCATED)) from exc
        # expat says e.g. "not well-formed (invalid token): line 1, column 8".
        reason = str(exc).split(":", 1)[0].removeprefix("not well-formed ").strip("()")
        raise InputError(Problem(where, f"This file is not well-formed XML ({reason}).")) from exc


def _find_channel(root: Element) -> tuple[Element, str]:
    """The RSS channel and the WXR namespace it uses, or InputError."""
    channel = root.find("channel") if root.tag == "rss" else None
    if channel is not None:
        for ns in WP_NAMESPACES:
            if channel.find(f"{{{ns}}}wxr_version") is not None:
                return channel, "{" + ns + "}"
    raise InputError(Problem("", MSG_NOT_WXR))


def parse_wp_datetime(value: str, tz: dt.tzinfo | None) -> dt.datetime | None:
    """Parse WordPress's ``YYYY-MM-DD HH:MM:SS``; None when empty or all zeros."""
    if not value or value == ZERO_DATE:
        return None
    return dt.datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=tz)


class SiteClock:
    """Turns the blog's local times into aware datetimes.

    WXR gives drafts only a local date. With no time zone given, the offset is taken
    from the post or comment closest in time that carries both a local and a GMT date,
    which follows the blog's summer and winter time; with none at all it is UTC.
    """

    def __init__(self, channel: Element, wp: str, site_tz: dt.tzinfo | None) -> None:
        self.site_tz = site_tz
        self.samples: list[tuple[dt.datetime, dt.timedelta]] = []
        if site_tz is None:
            self._collect(channel, wp)

    def _collect(self, channel: Element, wp: str) -> None:
        pairs = [(item, "post_date") for item in channel.iter("item")]
        pairs += [(c, "comment_date") for c in channel.iter(wp + "comment")]
        for node, tag in pairs:
            try:
                local = parse_wp_datetime(_text(node, wp + tag), dt.UTC)
                gmt = parse_wp_datetime(_text(node, wp + tag + "_gmt"), dt.UTC)
            except ValueError:
                continue
            if local and gmt and abs(local - gmt) < dt.timedelta(hours=24):
                self.samples.append((local, local - gmt))

    def localize(self, local: dt.datetime) -> dt.datetime:
        """Attach the site's zone (or the nearest known offset) to a naive local time."""
        if self.site_tz is not None:
            return local.replace(tzinfo=self.site_tz)
        naive_utc = local.replace(tzinfo=dt.UTC)
        if not self.samples:
            return naive_utc
        _, offset = min(self.samples, key=lambda s: abs(s[0] - naive_utc))
        return local.replace(tzinfo=dt.timezone(offset))


class _Reader:
    """Turns the items of one channel into entries, collecting problems on the way."""

    def __init__(self, wp: str, clock: SiteClock) -> None:
        self.wp = wp
        self.clock = clock
        self.result = ParseResult(JournalData())
        self.post_ids: set[int] = set()
        self.comment_ids: set[int] = set()

    def skip(self, kind: str) -> None:
        self.result.skipped[kind] = self.result.skipped.get(kind, 0) + 1

    def warn(self, where: str, message: str) -> None:
        self.result.warnings.append(Problem(where, message))

    def problem(self, where: str, message: str) -> None:
        self.result.problems.append(Problem(where, message))

    def read(self, items: list[Element]) -> ParseResult:
        for index, item in enumerate(items, 1):
            title = plain_line(_text(item, "title"))
            where = f"item {index} ({title[:60]})" if title else f"item {index}"
            try:
                entry = self.read_item(item, where, title)
            except Reported:
                entry = None
            if entry is not None:
                self.result.data.entries.append(entry)
        if not self.result.data.entries and not self.result.problems:
            self.warn("", "This export contains no posts, so there is nothing to import.")
        return self.result

    def read_item(self, item: Element, where: str, title: str) -> EntryRec | None:
        wp = self.wp
        post_type = _text(item, wp + "post_type") or "post"
        status = _text(item, wp + "status")
        if post_type != "post":
            self.skip(post_type)
            return None
        if status in SKIPPED_STATUSES:
            self.skip(SKIPPED_STATUSES[status])
            return None
        post_id = _text(item, wp + "post_id")
        if not post_id.isdigit() or int(post_id) in self.post_ids:
            reason = "is missing" if not post_id.isdigit() else "appears twice"
            self.problem(where, f"The post id (wp:post_id) {reason}.")
            return None
        self.post_ids.add(int(post_id))
        written_at = self.post_date(item, where)
        if written_at is None:
            return None
        return EntryRec(
            key=f"wp-post-{post_id}",
            title=title,
            body=html_to_markdown(_text(item, f"{{{CONTENT_NS}}}encoded"), autop=True),
            written_at=written_at,
            tags=self.tags(item),
            source="wordpress",
            source_status=status,
            comments=wpcomments.read_comments(self, item, where),
        )

    def post_date(self, item: Element, where: str) -> dt.datetime | None:
        """The post's date: GMT first, then local time, then the RSS pubDate."""
        return self.date(
            item, where, gmt_tag="post_date_gmt", local_tag="post_date", what="post"
        ) or self.pub_date(item, where)

    def date(
        self, node: Element, where: str, *, gmt_tag: str, local_tag: str, what: str
    ) -> dt.datetime | None:
        """A WordPress date pair, preferring GMT; problems for malformed values."""
        gmt_raw = _text(node, self.wp + gmt_tag)
        local_raw = _text(node, self.wp + local_tag)
        try:
            gmt = parse_wp_datetime(gmt_raw, dt.UTC)
            if gmt is not None:
                return gmt
            naive = parse_wp_datetime(local_raw, None)
        except ValueError:
            self.problem(where, f"The {what} date is not a valid date: {gmt_raw or local_raw!r}.")
            raise Reported() from None
        if naive is None:
            return None
        local = self.clock.localize(naive)
        self.warn(
            where,
            f"This {what} has no UTC date (WordPress leaves it empty for drafts); its "
            f"local time was read as {local.isoformat(' ', 'minutes')}.",
        )
        return local

    def pub_date(self, item: Element, where: str) -> dt.datetime | None:
        raw = _text(item, "pubDate")
        parsed = None
        # WordPress writes "30 Nov -0001" for undated drafts, which the email parser
        # would read as 1999, so only a four-digit year is accepted.
        if re.search(r"\b\d{1,2} [A-Za-z]{3} \d{4} ", raw):
            try:
                parsed = email.utils.parsedate_to_datetime(raw)
            except (TypeError, ValueError, IndexError):
                parsed = None
        if parsed is None or parsed.tzinfo is None or parsed.year < 1900:
            self.problem(where, MSG_NO_DATE)
            return None
        return parsed

    def tags(self, item: Element) -> list[str]:
        """Categories and tags as one list, without WordPress's default category."""
        tags: list[str] = []
        seen: set[str] = set()
        for node in item.findall("category"):
            domain = node.get("domain", "")
            name = plain_line(node.text or "")
            if domain not in ("category", "post_tag") or not name:
                continue
            if domain == "category" and node.get("nicename") == "uncategorized":
                continue
            if name.casefold() not in seen:
                seen.add(name.casefold())
                tags.append(name)
        return tags


def parse_wordpress(
    data: Source | BinaryIO, *, filename: str = "", site_tz: dt.tzinfo | None = None
) -> ParseResult:
    """Parse a WXR file; never raises on bad input (problems are in the result).

    ``site_tz`` is the blog's time zone, used only for dates WordPress gives in local
    time (drafts); by default it is inferred from the posts that have both dates.
    """
    try:
        raw = read_limited(data, limit=MAX_WXR_BYTES, label="WordPress export")
        channel, wp = _find_channel(_parse_xml(raw))
    except InputError as exc:
        return ParseResult(JournalData(), problems=[exc.problem])
    version = _text(channel, wp + "wxr_version")
    if not version.startswith("1."):
        message = f"This WordPress export uses format version {version!r}; Attunement reads 1.x."
        return ParseResult(JournalData(), problems=[Problem("", message)])
    items = channel.findall("item")
    return _Reader(wp, SiteClock(channel, wp, site_tz)).read(items)
