"""The outbox: coalescing, order per item, backoff, and what each failure leaves behind."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from attunement.sharing import outbox
from attunement.sharing.client import CircleClient
from attunement.sharing.models import Connection, OutboxItem, SentPost, Share
from attunement.sharing.outbox import backoff_seconds, queue_delete, queue_put
from attunement.sharing.state import describe
from tests.sharing.fake_server import TOKEN, FakeCircle, error

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 2, 14, 0, tzinfo=dt.UTC)  # 14:00 in London (GMT in March)


def ops(local_id: str = "entry-1") -> list[tuple[str, dict]]:
    return [(i.op, i.payload) for i in OutboxItem.objects.filter(local_id=local_id)]


@pytest.mark.parametrize(("attempts", "seconds"), [
    (1, 30), (2, 60), (3, 120), (4, 240), (5, 480), (6, 960), (7, 1920), (8, 3600), (30, 3600),
])
def test_backoff_doubles_from_30_seconds_up_to_an_hour(attempts: int, seconds: int) -> None:
    assert backoff_seconds(attempts) == seconds


def test_backoff_honours_a_longer_retry_after_but_never_beyond_an_hour() -> None:
    assert backoff_seconds(1, retry_after=300) == 300
    assert backoff_seconds(3, retry_after=10) == 120
    assert backoff_seconds(1, retry_after=86_400) == 3600


def test_a_newer_version_replaces_one_not_yet_sent() -> None:
    first = queue_put("posts", "entry-1", {"v": 1})
    second = queue_put("posts", "entry-1", {"v": 2})
    assert first.pk == second.pk and second.revision == 2
    assert ops() == [("put", {"v": 2})]


def test_publish_then_unshare_never_sent_leaves_nothing() -> None:
    queue_put("posts", "entry-1", {"v": 1})
    assert queue_delete("posts", "entry-1", ever_sent=False) is None
    assert ops() == []


def test_publish_then_unshare_of_something_sent_before_leaves_only_the_delete() -> None:
    queue_put("posts", "entry-1", {"v": 2})
    queue_delete("posts", "entry-1", ever_sent=True)
    assert ops() == [("delete", {})]


def test_unshare_then_share_again_keeps_the_order() -> None:
    queue_delete("posts", "entry-1", ever_sent=True)
    queue_put("posts", "entry-1", {"v": 3})
    assert ops() == [("delete", {}), ("put", {"v": 3})]
    queue_delete("posts", "entry-1", ever_sent=False)  # changed their mind again
    assert ops() == [("delete", {})]


def test_two_unshares_make_one_delete() -> None:
    queue_delete("posts", "entry-1", ever_sent=True)
    queue_delete("posts", "entry-1", ever_sent=True)
    assert ops() == [("delete", {})]


@pytest.fixture
def client(fake: FakeCircle) -> CircleClient:
    fake.tokens.add(TOKEN)
    return CircleClient(fake.url, TOKEN)


def test_items_of_one_entry_go_in_order_and_others_are_not_held_up(
    fake: FakeCircle, client: CircleClient
) -> None:
    queue_delete("posts", "entry-1", ever_sent=True)
    queue_put("posts", "entry-1", {"title": "again"})
    queue_put("notes", "unsaid-4", {"text": "x"})
    fake.then(503, raw=b"", path="posts/entry-1$")  # the delete fails, once
    report = outbox.send_due(client, NOW)
    assert (report.sent, report.failed) == (1, 1)
    assert fake.paths() == ["DELETE /api/v1/posts/entry-1", "PUT /api/v1/notes/unsaid-4"]
    head = OutboxItem.objects.filter(local_id="entry-1").first()
    assert head is not None and head.op == "delete" and head.attempts == 1
    assert head.next_attempt_at == NOW + dt.timedelta(seconds=30)
    assert describe(None, [head]).text == (
        "removing: waiting to send — failed: the server had a problem (HTTP 503), "
        "will retry at 14:01")  # 14:00:30, rounded up
    # Not due yet: nothing is sent. Due: the delete, then the put, in that order.
    assert outbox.send_due(client, NOW + dt.timedelta(seconds=10)).sent == 0
    assert outbox.send_due(client, NOW + dt.timedelta(seconds=31)).sent == 1
    assert outbox.send_due(client, NOW + dt.timedelta(seconds=31)).sent == 1
    assert fake.paths()[2:] == ["DELETE /api/v1/posts/entry-1", "PUT /api/v1/posts/entry-1"]
    assert not OutboxItem.objects.exists()


def test_unreachable_stops_the_pass_and_marks_every_due_item(closed_url: str) -> None:
    queue_put("posts", "entry-1", {"v": 1})
    queue_put("notes", "unsaid-2", {"v": 1})
    report = outbox.send_due(CircleClient(closed_url, TOKEN), NOW)
    assert report.failed == 2
    for item in OutboxItem.objects.all():
        assert (item.attempts, item.state, item.last_error) == (1, "pending", "server unreachable")
        assert item.next_attempt_at == NOW + dt.timedelta(seconds=30)
        assert describe(None, [item]).text == (
            "waiting to send — failed: server unreachable, will retry at 14:01")


def test_a_4xx_refusal_is_permanent_and_says_the_servers_words(
    fake: FakeCircle, client: CircleClient
) -> None:
    fake.then(400, error("invalid", "A field is wrong.", fields={"circles": "not yours"}))
    queue_put("posts", "entry-1", {"v": 1})
    outbox.send_due(client, NOW)
    item = OutboxItem.objects.get()
    assert (item.state, item.next_attempt_at) == ("failed", None)
    state = describe(None, [item])
    assert state.text == "failed: server refused: A field is wrong. (circles: not yours)"
    assert state.retry_id == item.pk
    # It stays put until the person acts: later passes do not send it.
    assert outbox.send_due(client, NOW + dt.timedelta(hours=2)).sent == 0
    outbox.retry_now(item)
    assert outbox.send_due(client, NOW + dt.timedelta(hours=2)).sent == 1


def test_429_waits_as_long_as_the_server_asks(fake: FakeCircle, client: CircleClient) -> None:
    fake.then(429, error("rate_limited", "Slow down."), headers={"Retry-After": "600"})
    queue_put("posts", "entry-1", {"v": 1})
    outbox.send_due(client, NOW)
    item = OutboxItem.objects.get()
    assert item.next_attempt_at == NOW + dt.timedelta(seconds=600)
    assert describe(None, [item]).text == (
        "waiting to send — failed: the server asked to slow down, will retry at 14:10")


def test_backoff_grows_with_each_failure_and_is_capped(closed_url: str) -> None:
    queue_put("posts", "entry-1", {"v": 1})
    c = CircleClient(closed_url, TOKEN)
    when = NOW
    waits = []
    for _ in range(9):
        outbox.send_due(c, when)
        item = OutboxItem.objects.get()
        assert item.next_attempt_at is not None
        waits.append(int((item.next_attempt_at - when).total_seconds()))
        when = item.next_attempt_at
    assert waits == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_a_401_stops_everything_and_is_reported(fake: FakeCircle) -> None:
    queue_put("posts", "entry-1", {"v": 1})
    queue_put("posts", "entry-2", {"v": 1})
    report = outbox.send_due(CircleClient(fake.url, "revoked"), NOW)
    assert report.token_refused == "This journal's token was revoked."
    assert fake.paths() == ["PUT /api/v1/posts/entry-1"]
    first, second = OutboxItem.objects.order_by("id")
    assert first.state == "failed" and second.last_error == ""


def test_a_newer_version_queued_while_sending_is_not_lost(
    fake: FakeCircle, client: CircleClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue_put("posts", "entry-1", {"v": 1})
    real_put = client.put

    def put_and_edit_meanwhile(endpoint: str, local_id: str, payload: dict) -> dict:
        answer = real_put(endpoint, local_id, payload)
        queue_put("posts", "entry-1", {"v": 2})  # the person saved an edit just then
        return answer

    monkeypatch.setattr(client, "put", put_and_edit_meanwhile)
    outbox.send_due(client, NOW)
    assert ops() == [("put", {"v": 2})]


def test_success_marks_the_share_with_the_servers_address(
    fake: FakeCircle, client: CircleClient, connected: Connection
) -> None:
    from attunement.sharing.payloads import digest

    payload = {"title": "t", "body": "b", "written_at": NOW.isoformat(), "is_excerpt": False,
               "circles": [11]}
    Share.objects.create(kind="entry", object_id=1, local_id="entry-1.c11", circle_id=11,
                         digest=digest(payload))
    queue_put("posts", "entry-1.c11", payload)
    outbox.send_due(client, NOW)
    share = Share.objects.get()
    assert share.shared_at == NOW and share.ever_sent is True
    assert share.remote_url == "/posts/1/"
    assert describe(share, []).text == "shared"
    sent = SentPost.objects.get()  # where this post's comments belong, kept after unsharing
    assert (sent.local_id, sent.entry_id, sent.circle_id) == ("entry-1.c11", 1, 11)


def test_a_share_not_built_yet_is_waiting_not_shared() -> None:
    share = Share.objects.create(kind="entry", object_id=1, local_id="entry-1.c11",
                                 circle_id=11, digest="")
    assert describe(share, []).text == "waiting to send"


def test_removals_are_sent_whatever_their_backoff_said(
    fake: FakeCircle, client: CircleClient
) -> None:
    fake.items[("posts", "entry-1.c11")] = {"v": 1}
    fake.items[("posts", "entry-2.c11")] = {"v": 1}
    queue_put("posts", "entry-3.c11", {"v": 1})  # a publish: not a removal, stays
    queue_delete("posts", "entry-1.c11", ever_sent=True)
    queue_delete("posts", "entry-2.c11", ever_sent=True)
    later = NOW + dt.timedelta(hours=1)
    OutboxItem.objects.filter(op="delete").update(state="failed", next_attempt_at=later)
    report = outbox.send_removals(client, NOW)
    assert (report.sent, report.failed) == (2, 0)
    assert fake.paths() == ["DELETE /api/v1/posts/entry-1.c11",
                            "DELETE /api/v1/posts/entry-2.c11"]
    assert list(OutboxItem.objects.values_list("local_id", flat=True)) == ["entry-3.c11"]


def test_the_pass_stops_when_the_journal_locks(
    fake: FakeCircle, client: CircleClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from attunement.store import keyring

    queue_put("posts", "entry-1", {"v": 1})
    queue_put("posts", "entry-2", {"v": 1})
    real_put = client.put

    def put_then_lock(endpoint: str, local_id: str, payload: dict) -> dict:
        answer = real_put(endpoint, local_id, payload)
        monkeypatch.setattr(keyring, "is_unlocked", lambda: False)
        return answer

    monkeypatch.setattr(client, "put", put_then_lock)
    report = outbox.send_due(client, timezone.now())
    assert report.stopped_locked and report.sent == 1
    assert list(OutboxItem.objects.values_list("local_id", flat=True)) == ["entry-2"]
