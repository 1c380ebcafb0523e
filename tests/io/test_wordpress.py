"""Tests for the WordPress (WXR) importer, on a hand-written export and hostile files."""

from __future__ import annotations

import datetime as dt
import io
import time
from pathlib import Path

import pytest

from attunement.io import limits
from attunement.io.records import Problem
from attunement.io.wordpress import MSG_DOCTYPE, parse_wordpress

DATA = Path(__file__).parent.parent / "data" / "io" / "wordpress"
UTC = dt.UTC


def parse(name: str):
    return parse_wordpress(DATA / name, filename=name)


@pytest.fixture(scope="module")
def blog():
    result = parse("therapy-blog.wxr")
    assert result.ok, result.problems
    return result


def test_posts_become_entries_in_file_order(blog):
    titles = [e.title for e in blog.data.entries]
    assert titles == [
        "The week she was away",
        "Saying the angry thing out loud",
        "Things I couldn’t say on Tuesday",
        "The last session before Christmas",
    ]
    assert [e.key for e in blog.data.entries] == [
        "wp-post-12", "wp-post-15", "wp-post-21", "wp-post-23",
    ]
    assert {e.source for e in blog.data.entries} == {"wordpress"}


def test_statuses_kept(blog):
    assert [e.source_status for e in blog.data.entries] == [
        "publish", "publish", "draft", "private",
    ]


def test_pages_attachments_spam_trash_pingbacks_are_counted(blog):
    assert blog.skipped == {
        "page": 1, "attachment": 1, "spam comment": 1, "trashed comment": 1, "pingback": 1,
    }


def test_dates_come_from_gmt(blog):
    first, second, _, last = blog.data.entries
    assert first.written_at == dt.datetime(2023, 8, 14, 20, 41, 9, tzinfo=UTC)
    assert second.written_at == dt.datetime(2023, 9, 7, 21, 5, 47, tzinfo=UTC)
    assert last.written_at == dt.datetime(2023, 12, 20, 22, 30, tzinfo=UTC)


def test_draft_without_gmt_date_uses_nearest_known_offset(blog):
    draft = blog.data.entries[2]
    # 22:10 local; the closest dated comment (September) was at UTC+1.
    assert draft.written_at == dt.datetime(2023, 10, 3, 21, 10, tzinfo=UTC)
    assert Problem(
        "item 4 (Things I couldn’t say on Tuesday)",
        "This post has no UTC date (WordPress leaves it empty for drafts); its local "
        "time was read as 2023-10-03 22:10+01:00.",
    ) in blog.warnings


def test_explicit_site_timezone_wins():
    result = parse_wordpress(DATA / "therapy-blog.wxr", site_tz=dt.timezone(dt.timedelta(hours=-5)))
    assert result.data.entries[2].written_at == dt.datetime(2023, 10, 4, 3, 10, tzinfo=UTC)


def test_categories_and_tags_merge_without_uncategorized(blog):
    assert [e.tags for e in blog.data.entries] == [
        ["breaks", "Ruptures & repairs", "the frame"],
        ["anger", "Ruptures & repairs", "Sessions", "the frame"],
        [],
        ["breaks", "Sessions"],
    ]


def test_classic_editor_body_keeps_paragraphs_and_lists(blog):
    body = blog.data.entries[0].body
    assert body.startswith("She told me about the August break in May")
    assert "playing truant.\\\nBy Wednesday" in body  # a single newline is a line break
    assert "which is *the frame*" in body
    assert "What I want to remember:\n\n- the anger came before the sadness, not after\n" in body
    assert "> It is allowed to miss someone who is paid to see you." in body


def test_block_editor_body_drops_comments_and_embeds(blog):
    body = blog.data.entries[1].body
    assert "wp:paragraph" not in body
    assert "### What she did" in body
    assert "youtube" not in body
    assert body.endswith("Nothing fell apart. I keep writing that sentence.")


def test_images_and_headings(blog):
    body = blog.data.entries[3].body
    assert body.startswith("## Before\n\nI had planned to say thank you and I did not.")
    assert "![The armchair by the window](https://betweensessions.example/" in body


def test_comment_thread_three_deep(blog):
    comments = blog.data.entries[0].comments
    assert [(c.key, c.parent_key, c.author) for c in comments] == [
        ("wp-comment-7", None, "Juniper"),
        ("wp-comment-8", "wp-comment-7", "quietwren"),
        ("wp-comment-9", "wp-comment-8", "Juniper"),
    ]
    first = comments[0]
    assert first.posted_at == dt.datetime(2023, 8, 15, 7, 2, 11, tzinfo=UTC)
    assert first.author_url == "https://juniper.example.net"
    assert first.body == (
        "The counting of days. Yes. Mine goes away every Easter and I **still** "
        "keep a tally on the fridge."
    )
    assert comments[2].body.endswith("keeping her with me.\n\nI am still thinking about that.")


def test_pending_comment_kept_unapproved_and_orphan_moved_to_top(blog):
    comments = blog.data.entries[1].comments
    assert [(c.key, c.parent_key, c.approved) for c in comments] == [
        ("wp-comment-14", None, False),
        ("wp-comment-15", "wp-comment-14", True),
        ("wp-comment-16", None, True),
    ]
    assert Problem(
        "item 3 (Saying the angry thing out loud), wp-comment-16",
        "This reply answers a comment that is not in the file; it is kept at the top level.",
    ) in blog.warnings
    assert len(blog.warnings) == 2


def test_hostile_content_is_defused():
    result = parse("hostile-content.wxr")
    assert result.ok
    entry = result.data.entries[0]
    assert entry.body == (
        "Before after.\n\nharmless looking link and another and "
        "[a real one](https://example.org/reading).\n\n![broken](x)"
    )
    first = entry.comments[0]
    assert first.author == "lefttxet"  # the right-to-left override is removed
    assert first.author_url == ""
    assert first.body == "First in a loop"


def test_reply_loops_are_broken():
    result = parse("hostile-content.wxr")
    comments = result.data.entries[0].comments
    assert [(c.key, c.parent_key) for c in comments] == [
        ("wp-comment-101", None), ("wp-comment-102", "wp-comment-101"), ("wp-comment-103", None),
    ]
    assert [w.message for w in result.warnings] == [
        "This reply is part of a loop of replies; it is kept at the top level.",
    ] * 2


def test_bad_dates_and_duplicate_ids_are_problems_with_where():
    result = parse("bad-dates.wxr")
    assert not result.ok
    assert result.problems == [
        Problem("item 2 (February the thirtieth)",
                "The post date is not a valid date: '2023-02-30 10:00:00'."),
        Problem("item 3 (Never dated)", "This post has no date that can be read."),
        Problem("item 4 (A good post)", "The post id (wp:post_id) appears twice."),
    ]


@pytest.mark.parametrize("name", ["billion-laughs.wxr", "xxe.wxr"])
def test_doctype_bombs_and_external_entities_are_refused(name):
    start = time.process_time()
    result = parse(name)
    assert result.problems == [Problem("", MSG_DOCTYPE)]
    assert result.data.entries == []
    assert "root:" not in str(result)
    # Refused at the DOCTYPE, before any expansion: far below a second of CPU.
    assert time.process_time() - start < 5


def test_truncated_file():
    result = parse("truncated.wxr")
    assert result.problems == [Problem(
        "line 151, column 1",
        "The file ends before the export does: it looks cut off. Exporting it again from "
        "WordPress (Tools → Export) should help.",
    )]


def test_mismatched_tag_reports_line():
    raw = (DATA / "therapy-blog.wxr").read_bytes().replace(b"</wp:post_name>", b"</wp:post_nam>", 1)
    result = parse_wordpress(raw)
    assert result.problems == [Problem(
        "line 94, column 36", "This file is not well-formed XML (mismatched tag).",
    )]


def test_wrong_encoding():
    result = parse("wrong-encoding.wxr")
    assert result.problems == [Problem(
        "line 15",
        "This file is not valid UTF-8 text, which WordPress exports always are. It may have "
        "been re-saved in another text encoding; exporting it again from WordPress should help.",
    )]


def test_plain_rss_is_not_wxr():
    result = parse("plain-rss.xml")
    assert result.problems == [Problem(
        "",
        "This is an XML file but not a WordPress export: it has no WXR version. "
        "In WordPress, Tools → Export makes the right kind of file.",
    )]


def test_not_xml_at_all():
    result = parse_wordpress(b"%PDF-1.7 this is not XML")
    assert result.problems == [Problem(
        "line 1, column 9", "This file is not well-formed XML (invalid token).",
    )]


TOO_LARGE = Problem(
    "",
    "This WordPress export is larger than 100 MB, the most Attunement reads from this "
    "kind of file. Nothing was imported.",
)


def test_200_mb_file_fails_fast_without_reading(tmp_path, monkeypatch):
    huge = tmp_path / "huge.wxr"
    with huge.open("wb") as fh:  # sparse: takes no disk space
        fh.truncate(200 * limits.MB)
    reads: list[int] = []
    real_read = limits._read_stream

    def spy(source, limit, label):
        reads.append(1)
        return real_read(source, limit, label)

    monkeypatch.setattr(limits, "_read_stream", spy)
    assert parse_wordpress(huge).problems == [TOO_LARGE]
    with huge.open("rb") as fh:
        assert parse_wordpress(fh).problems == [TOO_LARGE]
        assert fh.tell() == 0  # the size came from seeking, nothing was read
    assert reads == [1]  # the path check refused before opening the stream


class Endless(io.RawIOBase):
    """A non-seekable stream of XML-ish bytes that never ends, counting what is read."""

    def __init__(self) -> None:
        self.served = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        buffer[:] = b" " * len(buffer)
        self.served += len(buffer)
        return len(buffer)


def test_unseekable_stream_stops_just_past_the_limit():
    stream = Endless()
    assert parse_wordpress(io.BufferedReader(stream)).problems == [TOO_LARGE]
    assert stream.served <= limits.MAX_WXR_BYTES + limits.CHUNK


def test_bytes_over_limit(monkeypatch):
    monkeypatch.setattr("attunement.io.wordpress.MAX_WXR_BYTES", 10)
    result = parse_wordpress(b"<rss>" + b" " * 10)
    assert result.problems == [Problem(
        "",
        "This WordPress export is larger than 0 MB, the most Attunement reads from this "
        "kind of file. Nothing was imported.",
    )]
