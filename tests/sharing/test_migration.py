"""Shares from before each circle had its own post become one post per circle.

A journal that shared an entry with several circles published ONE post, whose comments
every circle read. Migration 0002 keeps a single-circle post as it is, replaces a
several-circle post by one post per circle (and queues the removal of the old one), and
records what was sent so its comments (and their removals) still arrive.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from attunement.record.models import Entry
from attunement.sharing import services
from attunement.sharing.models import CircleComment, OutboxItem, SentPost, Share
from tests.sharing.fake_server import CIRCLES, TOKEN, FakeCircle

pytestmark = pytest.mark.django_db(transaction=True)
BEFORE = ("sharing", "0001_initial")
AFTER = ("sharing", "0002_one_post_per_circle")


def migrate(target: tuple[str, str]) -> Any:
    """Migrate the sharing app to ``target``; returns the models as they were there."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])
    executor.loader.build_graph()
    return executor.loader.project_state(target).apps


@pytest.fixture
def before() -> Iterator[Any]:
    """The sharing tables as version 0001 made them; the latest again afterwards."""
    try:
        yield migrate(BEFORE)
    finally:
        migrate(AFTER)


def _old_journal(apps: Any, url: str) -> dict[str, Entry]:
    """A journal of the old form: shares naming their circles, one post per entry."""
    share, item, comment = (apps.get_model("sharing", n)
                            for n in ("Share", "OutboxItem", "CircleComment"))
    apps.get_model("sharing", "Connection").objects.create(
        server_url=url, server_name="Test circle", token=TOKEN, account_id=7,
        account_name="Lantern", circles=[dict(c) for c in CIRCLES])
    entries = {name: Entry.objects.create(title=name, body=f"The words of {name}.")
               for name in ("single", "several", "unsent", "gone")}
    one, two, new = entries["single"], entries["several"], entries["unsent"]
    share.objects.create(kind="entry", object_id=one.pk, local_id=f"entry-{one.pk}",
                         circles=[11], digest="d1", ever_sent=True, shared_at=timezone.now())
    share.objects.create(kind="entry", object_id=two.pk, local_id=f"entry-{two.pk}",
                         circles=[11, 12], digest="d2", ever_sent=True, is_excerpt=True,
                         excerpt="Only this.", shared_at=timezone.now())
    item.objects.create(op="put", endpoint="posts", local_id=f"entry-{two.pk}",
                        payload={"an": "edit waiting"})
    share.objects.create(kind="entry", object_id=new.pk, local_id=f"entry-{new.pk}",
                         circles=[11, 12], digest="d3")
    item.objects.create(op="put", endpoint="posts", local_id=f"entry-{new.pk}",
                        payload={"never": "sent"})
    share.objects.create(kind="checkin", object_id=5, local_id="checkin-5", circles=[12],
                         digest="d4", ever_sent=True)
    gone = entries["gone"]
    item.objects.create(op="delete", endpoint="posts", local_id=f"entry-{gone.pk}")
    for remote_id, entry in ((1, one), (2, two)):
        comment.objects.create(entry_id=entry.pk, remote_id=remote_id, author="Harbour",
                               body_html="<p>hi</p>", created=timezone.now())
    return entries


def test_old_shares_become_one_post_per_circle(before: Any, fake: FakeCircle) -> None:
    entries = _old_journal(before, fake.url)
    one, two, new, gone = (entries[n].pk for n in ("single", "several", "unsent", "gone"))
    migrate(AFTER)

    shares = {s.local_id: s for s in Share.objects.all()}
    assert set(shares) == {f"entry-{one}", f"entry-{two}.c11", f"entry-{two}.c12",
                           f"entry-{new}.c11", f"entry-{new}.c12", "checkin-5"}
    assert (shares[f"entry-{one}"].circle_id, shares[f"entry-{one}"].digest) == (11, "d1")
    split = shares[f"entry-{two}.c12"]
    assert (split.circle_id, split.is_excerpt, split.excerpt, split.digest) == (
        12, True, "Only this.", "")
    assert shares["checkin-5"].circle_id == 12
    # The mixed post's edit is dropped and its removal queued; the unsent one had nothing.
    assert {(i.op, i.local_id) for i in OutboxItem.objects.all()} == {
        ("delete", f"entry-{gone}"), ("delete", f"entry-{two}")}
    sent = {s.local_id: (s.entry_id, s.circle_id) for s in SentPost.objects.all()}
    assert sent == {f"entry-{one}": (one, 11), f"entry-{two}": (two, None),
                    f"entry-{gone}": (gone, None)}
    kept = {c.remote_id: (c.circle_id, c.circle_name) for c in CircleComment.objects.all()}
    assert kept == {1: (11, "Evening circle"), 2: (None, "")}

    fake.tokens.add(TOKEN)
    fake.items[("posts", f"entry-{two}")] = {"old": "mixed"}
    report = services.sync()
    assert (report.sent, report.failed) == (6, 0)
    assert sorted(p for p in fake.paths() if not p.startswith("GET")) == sorted(
        [f"DELETE /api/v1/posts/entry-{gone}", f"DELETE /api/v1/posts/entry-{two}"]
        + [f"PUT /api/v1/posts/entry-{pk}.c{c}" for pk in (two, new) for c in (11, 12)])
    assert fake.items[("posts", f"entry-{two}.c12")] == {
        "title": "several", "body": "Only this.", "is_excerpt": True, "circles": [12],
        "written_at": fake.items[("posts", f"entry-{two}.c12")]["written_at"]}
    assert ("posts", f"entry-{two}") not in fake.items


def test_going_back_gives_one_row_per_item(fake: FakeCircle, entry: Entry) -> None:
    Share.objects.create(kind="entry", object_id=entry.pk, circle_id=11,
                         local_id=f"entry-{entry.pk}.c11", digest="a")
    Share.objects.create(kind="entry", object_id=entry.pk, circle_id=12,
                         local_id=f"entry-{entry.pk}.c12", digest="b")
    try:
        apps = migrate(BEFORE)
        rows = list(apps.get_model("sharing", "Share").objects.values_list(
            "object_id", "circles"))
        assert rows == [(entry.pk, [11, 12])]
        migrate(AFTER)  # and forward again: one post per circle, as before the undo
        assert sorted(Share.objects.values_list("local_id", "circle_id", "digest")) == [
            (f"entry-{entry.pk}.c11", 11, ""), (f"entry-{entry.pk}.c12", 12, "")]
    finally:
        migrate(AFTER)
