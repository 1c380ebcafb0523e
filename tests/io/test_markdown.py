"""Tests for the Markdown export: names, front matter that parses back, comment threads."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from attunement.io.markdown import export_markdown, slugify
from attunement.io.records import CommentRec, EntryRec, JournalData, SessionRec
from attunement.io.wordpress import parse_wordpress
from tests.io.strategies import aware

DATA = Path(__file__).parent.parent / "data" / "io" / "wordpress"
UTC = dt.UTC


def split(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    head, _, body = text[4:].partition("\n---\n")
    return yaml.safe_load(head), body


def test_one_file_per_entry_with_front_matter(tmp_path):
    blog = parse_wordpress(DATA / "therapy-blog.wxr").data
    paths = export_markdown(blog, tmp_path)
    assert [p.name for p in paths] == [
        "2023-08-14-the-week-she-was-away.md",
        "2023-09-07-saying-the-angry-thing-out-loud.md",
        "2023-10-03-things-i-couldn-t-say-on-tuesday.md",
        "2023-12-20-the-last-session-before-christmas.md",
    ]
    meta, body = split(paths[0])
    assert meta == {
        "title": "The week she was away",
        "date": dt.datetime(2023, 8, 14, 20, 41, 9, tzinfo=UTC),
        "tags": ["breaks", "Ruptures & repairs", "the frame"],
        "starred": False,
        "source": "wordpress",
    }
    assert body.lstrip().startswith("She told me about the August break")


def test_comments_are_nested_quotes_in_reply_order(tmp_path):
    blog = parse_wordpress(DATA / "therapy-blog.wxr").data
    _, body = split(export_markdown(blog, tmp_path)[1])
    comments = body[body.index("## Comments"):]
    assert comments == (
        "## Comments\n\n"
        "> **Tove** — 2023-09-08 05:20 UTC (not approved)\n>\n"
        "> This gave me courage for tomorrow. Mine changed the fee without asking and I have "
        "been polite about it for a month.\n>\n"
        "> > **quietwren** — 2023-09-08 20:02 UTC\n> >\n> > I hope it goes the way mine did.\n"
        "\n"
        "> **Marram** — 2023-09-09 09:11 UTC\n>\n"
        "> Replying to a comment that seems to have gone: the door is always where it happens.\n"
    )


def test_session_link_and_star(tmp_path):
    start = dt.datetime(2024, 3, 14, 9, 0, tzinfo=UTC)
    data = JournalData(
        sessions=[SessionRec("s1", start)],
        entries=[EntryRec("e1", "After", "x", start, session_key="s1", starred=True)],
    )
    meta, _ = split(export_markdown(data, tmp_path)[0])
    assert meta["session"] == start
    assert meta["starred"] is True


def test_same_titles_and_awkward_titles_get_unique_safe_names(tmp_path):
    when = dt.datetime(2024, 1, 1, tzinfo=UTC)
    titles = ["Same", "same", "SAME", "../../etc/passwd", "", "CON", "日記 — 一月", "a" * 300]
    data = JournalData(entries=[EntryRec(f"e{i}", t, "", when) for i, t in enumerate(titles)])
    names = [p.name for p in export_markdown(data, tmp_path)]
    assert names == [
        "2024-01-01-same.md", "2024-01-01-same-2.md", "2024-01-01-same-3.md",
        "2024-01-01-etc-passwd.md", "2024-01-01-entry.md", "2024-01-01-con.md",
        "2024-01-01-日記-一月.md", f"2024-01-01-{'a' * 60}.md",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names)


def test_comment_loops_do_not_hang(tmp_path):
    when = dt.datetime(2024, 1, 1, tzinfo=UTC)
    loop = [CommentRec("a", "A", when, "one", parent_key="b"),
            CommentRec("b", "B", when, "two", parent_key="a")]
    data = JournalData(entries=[EntryRec("e", "Loop", "", when, comments=loop)])
    text = export_markdown(data, tmp_path)[0].read_text()
    assert "## Comments" not in text  # neither is reachable from the top; nothing is invented


yaml_hostile = st.text(max_size=40)


@settings(max_examples=100, deadline=None)
@given(title=yaml_hostile, tags=st.lists(yaml_hostile, max_size=4), when=aware,
       starred=st.booleans())
def test_front_matter_parses_back(tmp_path_factory, title, tags, when, starred):
    out = tmp_path_factory.mktemp("md")
    entry = EntryRec("e", title, "---\nnot front matter\n---", when, tags, starred=starred,
                     source="jrnl")
    meta, body = split(export_markdown(JournalData(entries=[entry]), out)[0])
    assert meta["title"] == title
    assert meta["tags"] == tags
    # Subtraction, not ==: Python never calls two aware times in different zones equal
    # when one falls in a repeated hour (PEP 495), though they are the same instant.
    assert meta["date"] - when == dt.timedelta(0)
    assert meta["starred"] is starred
    assert meta["source"] == "jrnl"
    assert body == "\n---\nnot front matter\n---\n"


def test_slugify():
    assert slugify("Saying the angry thing: OUT LOUD!") == "saying-the-angry-thing-out-loud"
    assert slugify("   ") == "entry"


def test_unicode_line_breaks_in_a_title_survive_front_matter(tmp_path):
    # Found by hypothesis: PyYAML wrote U+0085 raw and read it back as a space.
    title = "a\x85b\u2028c\u2029d é"
    entry = EntryRec("e", title, "body", dt.datetime(2026, 1, 1, tzinfo=dt.UTC), ["t\x85"])
    meta, _ = split(export_markdown(JournalData(entries=[entry]), tmp_path)[0])
    assert meta["title"] == title and meta["tags"] == ["t\x85"]


def test_a_time_in_a_repeated_hour_keeps_its_instant(tmp_path):
    # Found by hypothesis: 02:00 on 24 Sep 1995 in Asia/Ust-Nera happened twice.
    from zoneinfo import ZoneInfo

    when = dt.datetime(1995, 9, 24, 2, 0, tzinfo=ZoneInfo("Asia/Ust-Nera"))
    entry = EntryRec("e", "t", "b", when)
    meta, _ = split(export_markdown(JournalData(entries=[entry]), tmp_path)[0])
    assert meta["date"] - when == dt.timedelta(0)
