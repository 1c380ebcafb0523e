"""Every page renders, forms save, and the lock behaves (Django test client)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from attunement.record.models import Absence, Contact, Entry, FrameItem, Session, Unsaid
from attunement.store import keyring

pytestmark = pytest.mark.django_db(transaction=False)


PAGES = [
    "/",
    "/entries/",
    "/entries/new",
    "/sessions/",
    "/contacts/",
    "/frame/",
    "/unsaid/",
    "/therapists/",
    "/checkins/",
    "/checkins/new",
    "/settings/",
    "/import/",
    "/export/",
    "/settings/passphrase",
]


@pytest.mark.parametrize("url", PAGES)
def test_page_renders(client: Client, url: str) -> None:
    r = client.get(url)
    assert r.status_code == 200, r.content[:500]
    assert b'<main id="main"' in r.content


def test_unknown_kind_is_404(client: Client) -> None:
    assert client.get("/nothing-here/").status_code == 404


def test_write_an_entry_and_find_it(client: Client) -> None:
    r = client.post(
        "/entries/new",
        {
            "title": "After Monday",
            "written_at": "2026-03-02T19:00",
            "body": "I felt a *wall* between us.",
            "tags_text": "session, wall",
        },
    )
    assert r.status_code == 302
    entry = Entry.objects.get()
    assert sorted(entry.tags.values_list("name", flat=True)) == ["session", "wall"]
    page = client.get(f"/entries/{entry.pk}/")
    assert b"<em>wall</em>" in page.content
    found = client.get("/entries/", {"q": "wal"})
    assert b"After Monday" in found.content and b"1 result" in found.content
    assert b"After Monday" not in client.get("/entries/", {"q": "holiday"}).content


def test_log_a_session_and_repeat_it(client: Client) -> None:
    r = client.post(
        "/sessions/",
        {
            "sessions-starts_at": "2026-03-02T08:00",
            "sessions-status": "held",
            "sessions-modality": "in_person",
            "sessions-duration_minutes": "50",
        },
    )
    assert r.status_code == 302
    client.post("/sessions/repeat", {"days": "2"})
    times = [timezone.localtime(s.starts_at) for s in Session.objects.order_by("starts_at")]
    assert [t.strftime("%a %H:%M") for t in times] == ["Mon 08:00", "Wed 08:00"]


def test_weekly_pattern_adds_three_a_week_without_duplicates(client: Client) -> None:
    data = {
        "pattern-first_day": "2026-03-02",
        "pattern-weeks": "2",
        "pattern-weekdays": ["0", "2", "4"],
        "pattern-at": "08:00",
        "pattern-modality": "in_person",
    }
    client.post("/sessions/pattern", data)
    client.post("/sessions/pattern", data)
    assert Session.objects.count() == 6


def test_add_contact_frame_absence_unsaid(client: Client) -> None:
    client.post(
        "/contacts/",
        {
            "contacts-at": "2026-03-03T21:00",
            "contacts-kind": "voicemail",
            "contacts-initiated_by": "me",
            "contacts-answered": "true",
            "contacts-feeling_word": "relieved",
            "contacts-feeling_rating": "4",
        },
    )
    client.post(
        "/frame/",
        {
            "frame-kind": "rule",
            "frame-owner": "mine",
            "frame-text": "No calls after sessions",
            "frame-start": "2026-01-05",
        },
    )
    client.post("/absences/", {"absences-start": "2026-08-01", "absences-end": "2026-08-21"})
    client.post("/unsaid/", {"unsaid-text": "That I was hurt when she looked at the clock."})
    assert Contact.objects.get().feeling_rating == 4
    assert FrameItem.objects.get().text == "No calls after sessions"
    assert Absence.objects.get().end == dt.date(2026, 8, 21)
    note = Unsaid.objects.get()
    assert b"looked at the clock" in client.get("/").content
    client.post(f"/unsaid/{note.pk}/toggle")
    note.refresh_from_db()
    assert note.brought_up_at is not None
    assert b"looked at the clock" not in client.get("/").content


def test_contact_rating_out_of_range_is_refused(client: Client) -> None:
    r = client.post(
        "/contacts/",
        {
            "contacts-at": "2026-03-03T21:00",
            "contacts-kind": "call",
            "contacts-initiated_by": "me",
            "contacts-feeling_rating": "9",
        },
    )
    assert r.status_code == 200
    assert b"Please choose a number from 1 to 5." in r.content
    assert Contact.objects.count() == 0


def test_frame_end_before_start_is_refused(client: Client) -> None:
    r = client.post(
        "/frame/",
        {
            "frame-kind": "rule",
            "frame-owner": "mine",
            "frame-text": "x",
            "frame-start": "2026-05-01",
            "frame-end": "2026-04-01",
        },
    )
    assert b"The end is before the start." in r.content


@pytest.mark.django_db(transaction=True)
@pytest.mark.local_only
def test_lock_then_pages_redirect_to_unlock(client: Client) -> None:
    client.post("/lock")
    assert not keyring.is_unlocked()
    r = client.get("/entries/")
    assert r.status_code == 302 and r["Location"] == "/unlock?next=%2Fentries%2F"


@pytest.mark.django_db(transaction=True)
@pytest.mark.local_only
def test_unlock_with_wrong_then_right_passphrase(client: Client) -> None:
    from tests.conftest import TEST_PASSPHRASE

    client.post("/lock")
    r = client.post("/unlock", {"passphrase": "wrong one!", "next": "/entries/"})
    assert r.status_code == 403
    assert b"That passphrase does not open this journal" in r.content
    assert not keyring.is_unlocked()
    r = client.post("/unlock", {"passphrase": TEST_PASSPHRASE, "next": "/entries/"})
    assert r.status_code == 302 and r["Location"] == "/entries/"
    assert keyring.is_unlocked()


@pytest.mark.django_db(transaction=True)
@pytest.mark.local_only
def test_unlock_ignores_offsite_next(client: Client) -> None:
    from tests.conftest import TEST_PASSPHRASE

    client.post("/lock")
    r = client.post("/unlock", {"passphrase": TEST_PASSPHRASE, "next": "https://evil.example/"})
    assert r["Location"] == "/"


@pytest.mark.django_db(transaction=True)
@pytest.mark.local_only
def test_idle_timeout_locks(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.IDLE_LOCK_MINUTES = 0
    r = client.get("/entries/")
    assert r.status_code == 302 and r["Location"].startswith("/unlock")
    assert not keyring.is_unlocked()


@pytest.mark.local_only
def test_no_journal_goes_to_welcome(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.ATTUNE_HOME = tmp_path / "empty"
    r = Client().get("/")
    assert r.status_code == 302 and r["Location"] == "/welcome"


def test_security_headers(client: Client) -> None:
    r = client.get("/")
    assert r["X-Frame-Options"] == "DENY"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Referrer-Policy"] == "same-origin"
    assert r["Cache-Control"] == "no-store"


def test_markdown_is_sanitised(client: Client) -> None:
    e = Entry.objects.create(
        title="t", body="<script>alert(1)</script>[x](javascript:alert(1)) \u202eevil"
    )
    page = client.get(f"/entries/{e.pk}/").content
    assert b"<script>alert" not in page
    assert b'href="javascript' not in page
    assert "\u202e".encode() not in page


@pytest.mark.local_only
def test_another_local_program_cannot_read_an_unlocked_journal(client: Client) -> None:
    assert client.get("/entries/").status_code == 200
    stranger = Client()  # same machine, no token from the unlock page
    r = stranger.get("/entries/")
    assert r.status_code == 302 and r["Location"].startswith("/unlock")
    assert keyring.is_unlocked()  # the person's own browser stays unlocked


def test_an_oversize_upload_is_refused_before_it_is_read(client: Client) -> None:
    from attunement.web.views import MAX_UPLOAD_BYTES

    r = client.post("/import/", {"format": "jrnl"}, CONTENT_LENGTH=str(MAX_UPLOAD_BYTES + 1))
    assert r.status_code == 413
    assert (
        "The file is larger than 100 MB; nothing was imported. Use `attune import` on the "
        "command line for very large files."
    ) in r.content.decode()
    assert Entry.objects.count() == 0


def test_import_page_lists_every_problem_and_imports_nothing(client: Client) -> None:
    from pathlib import Path

    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = Path(__file__).parent.parent / "data" / "io" / "wordpress" / "billion-laughs.wxr"
    upload = SimpleUploadedFile("bomb.wxr", bad.read_bytes())
    r = client.post("/import/", {"format": "wordpress", "file": upload})
    page = r.content.decode()
    assert r.status_code == 200
    assert "Nothing was imported." in page and "Your journal is exactly as it was." in page
    assert Entry.objects.count() == 0


def test_a_good_wxr_upload_imports_with_a_summary(client: Client) -> None:
    from pathlib import Path

    from django.core.files.uploadedfile import SimpleUploadedFile

    wxr = Path(__file__).parent.parent / "data" / "io" / "wordpress" / "therapy-blog.wxr"
    upload = SimpleUploadedFile("blog.wxr", wxr.read_bytes())
    r = client.post("/import/", {"format": "wordpress", "file": upload}, follow=True)
    page = r.content.decode()
    assert "Imported " in page and "comments" in page and "Left out on purpose:" in page
    assert Entry.objects.count() >= 3
