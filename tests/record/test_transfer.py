"""Import and export through the journal: round trips, all-or-nothing, real files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from attunement.demo.generator import build_demo_journal
from attunement.errors import ImportFailed
from attunement.io.jsonexport import export_json, parse_json
from attunement.record import importing, search, transfer
from attunement.record.models import Comment, Entry, Session

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent.parent / "data" / "io"
_FIXED = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _wipe() -> None:
    from django.apps import apps

    for model in apps.get_app_config("record").get_models():
        model._default_manager.all().delete()
    for model in apps.get_app_config("checkins").get_models():
        model._default_manager.all().delete()
    search.rebuild()


def test_demo_journal_round_trips_through_json() -> None:
    transfer.import_data(build_demo_journal(seed=7))
    first = export_json(transfer.export_data(), exported_at=_FIXED)
    _wipe()
    parsed = parse_json(first)
    assert parsed.ok, parsed.problems[:3]
    transfer.import_data(parsed.data)
    second = export_json(transfer.export_data(), exported_at=_FIXED)
    assert second == first
    assert Entry.objects.count() == 100


def test_crash_mid_import_leaves_the_journal_as_it_was(monkeypatch: pytest.MonkeyPatch) -> None:
    Session.objects.create(starts_at="2026-01-05T08:00:00Z", note="already here")
    data = build_demo_journal(seed=7)
    calls = {"n": 0}
    real = transfer._entry

    def flaky(e, sessions):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 50:
            raise RuntimeError("power cut")
        return real(e, sessions)

    monkeypatch.setattr(transfer, "_entry", flaky)
    with pytest.raises(RuntimeError):
        transfer.import_data(data)
    assert Session.objects.count() == 1 and Entry.objects.count() == 0
    assert search.search("session") == []


def test_wordpress_import_keeps_comment_threads() -> None:
    wxr = DATA / "wordpress" / "therapy-blog.wxr"
    counts = importing.import_bytes("wordpress", wxr.read_bytes(), filename=wxr.name)
    assert counts["entries"] >= 3 and counts["comments"] >= 3
    replies = Comment.objects.filter(parent__isnull=False)
    assert replies.exists()
    for reply in replies:
        assert reply.entry_id == reply.parent.entry_id  # a reply stays under its own post
    statuses = set(Entry.objects.values_list("source_status", flat=True))
    assert {"publish", "draft", "private"} <= statuses


@pytest.mark.parametrize(
    ("fmt", "name"),
    [
        ("wordpress", "wordpress/billion-laughs.wxr"),
        ("wordpress", "wordpress/truncated.wxr"),
        ("daylio", "daylio/daylio_bad.csv"),
        ("dayone", "dayone/bomb.zip"),
    ],
)
def test_a_bad_file_imports_nothing(fmt: str, name: str) -> None:
    path = DATA / name
    if not path.exists():
        pytest.skip(f"{name} not present")
    with pytest.raises(ImportFailed) as info:
        importing.import_bytes(fmt, path.read_bytes(), filename=path.name)
    assert info.value.message.startswith("Nothing was imported: the ")
    assert Entry.objects.count() == 0 and Comment.objects.count() == 0


def test_import_summary_wording() -> None:
    assert importing.summary({"entries": 2, "comments": 0, "sessions": 1}) == (
        "Imported 2 entries, 1 sessions."
    )

