"""Hostile comments render inert and bounded: each payload has its exact outcome.

Payloads go through the real comment form (as a member would send them); the stored
HTML is compared with the exact sanitised result, and the page that shows it is
checked for anything the Content-Security-Policy would have to block.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client

from attunement.circle.forms import too_long_message
from attunement.circle.models import Comment, Post, User
from attunement.circle.rendering import CHAR_CAP, MAX_LEVELS, NODE_CAP
from tests.circle.conftest import csp_problems

REL = 'rel="nofollow noopener noreferrer"'
LINK_WITHOUT_TARGET = f"<a {REL}>"

# payload -> the exact HTML stored and shown
PAYLOADS = [
    ("<script>alert(1)</script>hi", "<p>hi</p>"),
    ("[click](javascript:alert(1))", f"<p>{LINK_WITHOUT_TARGET}click</a></p>"),
    ("[x](JaVaScRiPt:alert(document.cookie))", f"<p>{LINK_WITHOUT_TARGET}x</a></p>"),
    ('<a href="&#106;avascript:alert(1)">e</a>', f"<p>{LINK_WITHOUT_TARGET}e</a></p>"),
    ('<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>',
     f"<p>{LINK_WITHOUT_TARGET}data</a></p>"),
    ("![img](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)", "<p></p>"),
    ('<svg onload="alert(1)"><circle r="10"/></svg>after', "<p>after</p>"),
    ("<svg><script>alert(1)</script></svg>x", "<p>x</p>"),
    ("<img src=x onerror=alert(1)>", "<p></p>"),
    ('<iframe src="https://evil.example"></iframe>frame', "<p>frame</p>"),
    ("<object data=x></object>o", "<p>o</p>"),
    ("<math><mtext><script>1</script></mtext></math>m", "<p>m</p>"),
    ("<details open ontoggle=alert(1)>d</details>", "d"),
    ('<p style="position:fixed">styled</p>', "<p>styled</p>"),
    ("<form action=/logout><button>x</button></form>f", "x\n<p>f</p>"),
    ('<a href="https://example.org" onclick="steal()">ok</a>',
     f'<p><a href="https://example.org" {REL}>ok</a></p>'),
    ("[rel](/logout)", f"<p>{LINK_WITHOUT_TARGET}rel</a></p>"),
    ("[proto](//evil.example/x)", f"<p>{LINK_WITHOUT_TARGET}proto</a></p>"),
    ("<mailto:care@example.org>",
     f'<p><a href="mailto:care@example.org" {REL}>care@example.org</a></p>'),
    # bidi overrides and isolates are removed: the text reads as it is stored
    ("a\u202egnp.exe\u202c b", "<p>agnp.exe b</p>"),
    ("\u2066isolate\u2069 text \u202bembedded\u202c", "<p>isolate text embedded</p>"),
    ("# Loud heading\n\n**kept** _kept_ `code`",
     "<h3>Loud heading</h3>\n<p><strong>kept</strong> <em>kept</em> <code>code</code></p>"),
]


@pytest.mark.parametrize(("payload", "expected"), PAYLOADS, ids=[p[0][:30] for p in PAYLOADS])
def test_a_hostile_comment_is_stored_and_shown_inert(
        payload: str, expected: str, member_client: Client, writer_client: Client,
        post: Post) -> None:
    response = member_client.post(f"/posts/{post.pk}/comment", {"body": payload})
    assert response.status_code == 302
    stored = Comment.objects.get(post=post)
    assert stored.body_html == expected
    page = writer_client.get(f"/posts/{post.pk}/").content.decode()
    assert expected in page
    assert csp_problems(page) == []
    for bad in ("<script>alert", "javascript:", "onerror", "onload", "ontoggle", "data:text",
                "\u202e", "\u2066"):
        assert bad.lower() not in page.lower()


def test_a_hostile_post_body_renders_inert(writer_client: Client, make_post, writer: User,
                                           circle) -> None:
    hostile = make_post(writer, [circle], title="<script>alert('t')</script>",
                        body="<svg onload=alert(1)>x</svg>[a](javascript:1)\u202eevil")
    page = writer_client.get(f"/posts/{hostile.pk}/").content.decode()
    assert "&lt;script&gt;alert(&#x27;t&#x27;)&lt;/script&gt;" in page  # the title, escaped
    assert f"<p>{LINK_WITHOUT_TARGET}a</a>evil</p>" in page
    assert csp_problems(page) == []


def test_a_one_megabyte_comment_is_refused_with_the_exact_message(
        member_client: Client, post: Post) -> None:
    body = "x" * (1024 * 1024)
    response = member_client.post(f"/posts/{post.pk}/comment", {"body": body})
    assert response.status_code == 400
    message = too_long_message(20_000, 1_048_576)
    assert message == "A comment can be at most 20,000 characters; this one has 1,048,576."
    assert message in response.content.decode()
    assert not Comment.objects.exists()


def test_the_length_limit_is_exact(member_client: Client, post: Post) -> None:
    assert member_client.post(f"/posts/{post.pk}/comment",
                              {"body": "y" * 20_000}).status_code == 302
    over = member_client.post(f"/posts/{post.pk}/comment", {"body": "y" * 20_001})
    assert over.status_code == 400
    assert "this one has 20,001." in over.content.decode()
    assert Comment.objects.count() == 1


def test_bidi_characters_do_not_count_and_an_empty_comment_is_refused(
        member_client: Client, post: Post) -> None:
    response = member_client.post(f"/posts/{post.pk}/comment", {"body": "\u202e\u2066  "})
    assert response.status_code == 400
    assert "Write something before sending." in response.content.decode()


def test_hostile_display_names_are_escaped_and_straightened(
        client: Client, invitation, post: Post, member_client: Client) -> None:
    client.post(f"/invite/{invitation.secret}", {
        "username": "hostile", "display_name": "<img src=x onerror=alert(1)>\u202eevil",
        "password": "a calm and long passphrase", "password2": "a calm and long passphrase",
    })
    user = User.objects.get(username="hostile")
    assert user.display_name == "<img src=x onerror=alert(1)>evil"
    client.post(f"/posts/{post.pk}/comment", {"body": "hello"})
    page = member_client.get(f"/posts/{post.pk}/").content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt;evil" in page
    assert csp_problems(page) == []


# --- 10,000 replies --------------------------------------------------------------


def _ids(n: int) -> list[int]:
    """Reserve ``n`` comment ids up front, so a chain can be bulk-inserted in one go."""
    with connection.cursor() as cur:
        cur.execute("SELECT nextval(pg_get_serial_sequence('circle_comment', 'id')) "
                    "FROM generate_series(1, %s)", [n])
        return [row[0] for row in cur.fetchall()]


def _bulk(post: Post, author: User, parents: list[int | None], ids: list[int]) -> None:
    depth: dict[int, int] = {}
    rows = []
    for cid, parent in zip(ids, parents, strict=True):
        depth[cid] = 0 if parent is None else depth[parent] + 1
        rows.append(Comment(id=cid, post=post, author=author, parent_id=parent,
                            body=f"reply {cid}", body_html=f"<p>reply {cid}</p>",
                            depth=depth[cid]))
    Comment.objects.bulk_create(rows, batch_size=2000)


def _nodes(html: str) -> int:
    return len(re.findall(r'<li class="node"', html))


@pytest.fixture
def chain(post: Post, member: User) -> list[int]:
    """10,000 replies, each answering the one before."""
    ids = _ids(10_000)
    _bulk(post, member, [None, *ids[:-1]], ids)
    return ids


def test_ten_thousand_nested_replies_render_bounded_on_the_post_page(
        chain: list[int], member_client: Client, post: Post) -> None:
    response = member_client.get(f"/posts/{post.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert _nodes(html) == MAX_LEVELS  # six levels, then a link
    deepest_shown = chain[MAX_LEVELS - 1]
    more = 10_000 - MAX_LEVELS
    assert f'<a href="/comments/{deepest_shown}/thread">Continued: {more} more replies</a>' in html
    assert html.count('<ol class="thread">') == MAX_LEVELS
    assert len(response.content) < 60_000
    assert csp_problems(html) == []


def test_the_continued_thread_is_flat_and_paged(chain: list[int], member_client: Client) -> None:
    anchor = chain[MAX_LEVELS - 1]
    first = member_client.get(f"/comments/{anchor}/thread")
    html = first.content.decode()
    assert first.status_code == 200
    assert _nodes(html) == NODE_CAP  # the anchor and 199 replies
    assert html.count('<ol class="thread">') == 2  # flat: the anchor's list and one below
    assert f"/comments/{anchor}/thread?from={NODE_CAP - 1}" in html
    assert len(first.content) < 700_000
    last = member_client.get(f"/comments/{anchor}/thread?from=9990").content.decode()
    assert _nodes(last) == 1 + (10_000 - MAX_LEVELS - 9990)
    assert f"reply {chain[-1]}" in last
    assert "Next replies" not in last


def test_a_link_to_the_ten_thousandth_reply_finds_it(chain: list[int],
                                                      member_client: Client) -> None:
    response = member_client.get(f"/comments/{chain[-1]}/")
    assert response.status_code == 302
    assert response["Location"] == f"/comments/{chain[0]}/thread?from=9998#c{chain[-1]}"
    page = member_client.get(response["Location"]).content.decode()
    assert f'id="c{chain[-1]}"' in page


def test_ten_thousand_replies_to_one_comment_fill_one_bounded_page(
        post: Post, member: User, member_client: Client) -> None:
    ids = _ids(10_001)
    _bulk(post, member, [None] + [ids[0]] * 10_000, ids)
    response = member_client.get(f"/posts/{post.pk}/")
    html = response.content.decode()
    assert _nodes(html) == NODE_CAP
    assert f'<a href="/comments/{ids[0]}/thread">This conversation continues' in html
    assert len(response.content) < 700_000


def test_ten_thousand_top_level_comments_are_paged(post: Post, member: User,
                                                   member_client: Client) -> None:
    ids = _ids(10_000)
    _bulk(post, member, [None] * 10_000, ids)
    html = member_client.get(f"/posts/{post.pk}/").content.decode()
    assert _nodes(html) == 20
    assert f"/posts/{post.pk}/?from=20#comments" in html
    later = member_client.get(f"/posts/{post.pk}/?from=9990").content.decode()
    assert _nodes(later) == 10
    assert "More comments" not in later


def test_huge_comments_are_capped_by_characters(post: Post, member: User,
                                                member_client: Client) -> None:
    """Forty 20,000-character comments of '<' (escaped fourfold) stay under the page cap."""
    big = "<p>" + "&lt;" * 20_000 + "</p>"
    Comment.objects.bulk_create([
        Comment(post=post, author=member, body="<" * 20_000, body_html=big) for _ in range(40)
    ])
    response = member_client.get(f"/posts/{post.pk}/")
    shown = _nodes(response.content.decode())
    assert shown == CHAR_CAP // len(big)
    assert len(response.content) < CHAR_CAP + 100_000
