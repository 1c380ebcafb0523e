"""Exactly what leaves the machine for each kind of item, and nothing else.

One function per kind builds the request body (CIRCLE_API.md). The preview page shows
these same dictionaries, and the outbox sends them as they were when queued: what the
person confirmed is what is sent. Markers, readings, tags, the session link, private
notes and comments of an entry are never read here.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from attunement.checkins.models import Checkin
from attunement.record.models import Entry, Unsaid
from attunement.sharing import texts

MAX_BODY_BYTES = 256 * 1024
# Room left under the server's 256 KiB limit for the title, date and JSON quoting.
MAX_TEXT_BYTES = MAX_BODY_BYTES - 8 * 1024


class PayloadError(ValueError):
    """A share that cannot be sent as chosen; the message says what to do."""


_LOCAL_ID = re.compile(r"(entry|checkin|unsaid)-(\d{1,18})(?:\.c(\d{1,18}))?")


def local_id(kind: str, pk: int, circle_id: int | None = None) -> str:
    """The id the server keys an item by: "entry-5.c11" (entry 5's post in circle 11),
    "checkin-3", "unsaid-7". An entry has one post per circle, so each circle keeps its
    own conversation; a check-in or a note goes to the one therapy circle."""
    if kind == "entry" and circle_id is not None:
        return f"{kind}-{pk}.c{circle_id}"
    return f"{kind}-{pk}"


def parse_local_id(value: str) -> tuple[str, int, int | None] | None:
    """(kind, item id, circle id or None) of a local id this journal made, else None.

    "entry-5" without a circle is a post from before each circle had its own post.
    """
    match = _LOCAL_ID.fullmatch(value)
    if match is None or (match.group(3) is not None and match.group(1) != "entry"):
        return None
    circle = match.group(3)
    return match.group(1), int(match.group(2)), int(circle) if circle is not None else None


def iso(moment: Any) -> str | None:
    """ISO 8601 with the local offset, as the API wants times."""
    return None if moment is None else timezone.localtime(moment).isoformat()


def digest(payload: dict[str, Any]) -> str:
    """A fingerprint of a payload: a preview and its confirmation must match."""
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()


def _check_size(text: str) -> None:
    size = len(text.encode("utf-8"))
    if size > MAX_TEXT_BYTES:
        raise PayloadError(
            texts.TOO_LONG.format(size=-(-size // 1024), limit=MAX_TEXT_BYTES // 1024)
        )


def entry_payload(
    entry: Entry, circles: Sequence[int], *, excerpt: str | None = None
) -> dict[str, Any]:
    """The post for an entry: its title, its date, and its body or the chosen excerpt.

    With several circles this is what the preview shows (and its digest what the person
    confirms); each circle is then sent its own copy, :func:`for_circle`.
    """
    if not circles:
        raise PayloadError(texts.NO_CIRCLE_CHOSEN)
    if excerpt is not None:
        body = excerpt.replace("\r\n", "\n").strip("\n")
        if not body.strip():
            raise PayloadError(texts.EXCERPT_EMPTY)
    else:
        body = entry.body
        if not body.strip():
            raise PayloadError(texts.NOTHING_TO_SHARE)
    _check_size(body)
    return {
        "title": entry.title[:300],
        "body": body,
        "written_at": iso(entry.written_at),
        "is_excerpt": excerpt is not None,
        "circles": sorted({int(c) for c in circles}),
    }


def for_circle(payload: dict[str, Any], circle_id: int) -> dict[str, Any]:
    """The post one circle receives: the same words, that circle alone."""
    return {**payload, "circles": [int(circle_id)]}


def checkin_payload(checkin: Checkin, circle: int) -> dict[str, Any]:
    """The check-in for the therapist: answers, scores, the rupture answers and its note."""
    return {
        "circle": int(circle),
        "instrument": checkin.instrument,
        "instrument_version": checkin.instrument_version,
        "timing": checkin.timing,
        "session_at": iso(checkin.session.starts_at) if checkin.session else None,
        "completed_at": iso(checkin.completed_at),
        "answers": dict(checkin.answers),
        "alliance": checkin.alliance,
        "tension": checkin.tension,
        "tension_intensity": checkin.tension_intensity,
        "tension_resolved": checkin.tension_resolved,
        "note": checkin.note,
    }


def note_payload(note: Unsaid, circle: int) -> dict[str, Any]:
    """A note for the next session: its words and when it was written."""
    _check_size(note.text)
    return {"circle": int(circle), "text": note.text, "written_at": iso(note.created_at)}
