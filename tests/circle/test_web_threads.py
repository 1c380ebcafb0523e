"""Thread layout: nesting that always closes, placeholders only where replies hang."""

from __future__ import annotations

import random
import re
from html.parser import HTMLParser

from django.test import Client

from attunement.circle.models import Comment, Post, User
from attunement.circle.rendering import (
    MAX_LEVELS,
    Row,
    build_forest,
    layout_flat,
    layout_page,
)


def _forest(parents: dict[int, int | None], shown: set[int]):  # type: ignore[no-untyped-def]
    rows: list[Row] = [(i, p, 10) for i, p in parents.items()]
    return build_forest(rows, shown.__contains__)


def test_unreadable_comments_stay_only_above_readable_replies() -> None:
    # 1 ─ 2 ─ 3        (2 unreadable, 3 readable: 2 stays as a placeholder)
    # 4 ─ 5            (both unreadable: both go)
    forest = _forest({1: None, 2: 1, 3: 2, 4: None, 5: 4}, {1, 3})
    assert set(forest.parent) == {1, 2, 3}
    assert forest.readable == {1, 3}
    assert forest.children == {None: [1], 1: [2], 2: [3]}


def test_a_cycle_in_the_data_cannot_hang_the_page() -> None:
    forest = _forest({1: None, 2: 3, 3: 2}, {1, 2, 3})
    assert set(forest.parent) == {1}


def test_levels_nest_and_close() -> None:
    # 1 ─ 2 ─ 3 ; 1 ─ 4 ; 5
    forest = _forest({1: None, 2: 1, 3: 2, 4: 1, 5: None}, {1, 2, 3, 4, 5})
    layout = layout_page(forest, 0, 20)
    assert [(s.id, s.level, s.opens, s.closes) for s in layout.slots] == [
        (1, 0, True, 0), (2, 1, True, 0), (3, 2, False, 1), (4, 1, False, 1), (5, 0, False, 0),
    ]


def test_flat_pages_name_what_each_reply_answers() -> None:
    forest = _forest({1: None, 2: 1, 3: 2, 4: 1}, {1, 2, 3, 4})
    layout = layout_flat(forest, 1, 1)
    assert [(s.id, s.reply_to) for s in layout.slots] == [(1, None), (3, 2), (4, 1)]


class _Nesting(HTMLParser):
    """Checks <ol>/<li> balance and records each comment's enclosing comment."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.parent_of: dict[int, int | None] = {}
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("ol", "li"):
            ident = dict(attrs).get("id") or ""
            if tag == "li" and ident.startswith("c"):
                enclosing = [s for s in self.stack if s.startswith("c")]
                self.parent_of[int(ident[1:])] = int(enclosing[-1][1:]) if enclosing else None
            self.stack.append(ident if tag == "li" else "ol")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("ol", "li"):
            if not self.stack or (self.stack[-1] == "ol") != (tag == "ol"):
                self.errors.append(f"unbalanced </{tag}>")
                return
            self.stack.pop()


def test_a_random_thread_renders_well_nested(member_client: Client, post: Post,
                                             member: User, writer: User) -> None:
    """300 comments with random parents and statuses, from a fixed seed."""
    rng = random.Random(20240611)
    made: list[Comment] = []
    for i in range(300):
        parent = rng.choice(made) if made and rng.random() < 0.8 else None
        status = rng.choice(["visible"] * 6 + ["held", "hidden", "removed"])
        made.append(Comment.objects.create(
            post=post, parent=parent, author=rng.choice([member, writer]),
            body=f"c{i}", body_html=f"<p>c{i}</p>", status=status,
            depth=(parent.depth + 1) if parent else 0))
    by_id = {c.pk: c for c in made}
    more = re.compile(rf'href="/posts/{post.pk}/\?from=(\d+)#comments">More comments')
    pages, start = 0, 0
    seen: set[int] = set()
    while True:
        html = member_client.get(f"/posts/{post.pk}/?from={start}").content.decode()
        pages += 1
        nesting = _Nesting()
        nesting.feed(html)
        assert nesting.errors == [] and nesting.stack == []
        for cid, enclosing in nesting.parent_of.items():
            assert by_id[cid].parent_id == enclosing  # right under what it answers
            assert by_id[cid].depth < MAX_LEVELS
        seen |= set(nesting.parent_of)
        found = more.search(html)
        if found is None:
            break
        start = int(found.group(1))
    readable_tops = {c.pk for c in made if c.parent_id is None and (
        c.status == "visible" or (c.status in ("held", "hidden") and c.author_id == member.pk))}
    assert readable_tops <= seen
    assert pages >= 2
