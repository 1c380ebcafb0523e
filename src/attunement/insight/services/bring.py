"""Bring it to the session: what the writer picks, as a page to print or a PDF.

Nothing is chosen by default: the options are listed, and only what the writer ticks goes
into the page or the PDF. The PDF is drawn offline by WeasyPrint from the same HTML; its URL
fetcher refuses every request, so a stray link in an entry can never reach the network.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from attunement.checkins.models import Checkin
from attunement.insight.services import episodes as eps
from attunement.record.models import Contact, Entry, Unsaid

DEFAULT_WEEKS = 4
MAX_WEEKS = 52
FIELDS = ("unsaid", "episode", "entry", "checkin", "contact")


@dataclass
class Item:
    """One line the writer may bring: what it is, when, and its words."""

    kind: str
    key: str
    date: dt.date | None
    title: str
    text: str


def _local(value: dt.datetime) -> dt.date:
    return timezone.localtime(value).date()


def _short(text: str, limit: int = 600) -> str:
    text = re.sub(r"\s+", " ", text or "").strip()
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"


def _unsaid(qs: Any) -> list[Item]:
    return [Item("unsaid", str(u.pk), _local(u.created_at), "Something I couldn't say", u.text)
            for u in qs]


def _episodes(ids: Sequence[str] | None = None) -> list[Item]:
    out = []
    for ep in eps.open_episodes():
        if ids is None or ep.id in ids:
            kind = eps.KIND_NAMES.get(ep.kind, ep.kind)
            out.append(Item("episode", ep.id, ep.start, "Something between us since "
                            + ep.start.strftime("%-d %B"), f"Still open; {kind}."))
    return out


def _entries(qs: Any) -> list[Item]:
    return [Item("entry", str(e.pk), _local(e.written_at), str(e), _short(e.body)) for e in qs]


def _checkins(qs: Any) -> list[Item]:
    out = []
    for c in qs:
        bits = [f"alliance {c.alliance:.1f}" if c.alliance is not None else ""]
        if c.tension:
            bits.append(f"tension {c.tension_intensity or '?'}/5, resolved "
                        f"{c.tension_resolved or '?'}/5")
        text = "; ".join(b for b in bits if b) + (f". {c.note}" if c.note else "")
        out.append(Item("checkin", str(c.pk), _local(c.completed_at), "Check-in", text))
    return out


def _contacts(qs: Any) -> list[Item]:
    return [Item("contact", str(c.pk), _local(c.at),
                 f"{c.get_kind_display()} — {c.get_initiated_by_display().lower()}",
                 " ".join(x for x in (c.feeling_word, c.note) if x)) for c in qs]


def options(weeks: int = DEFAULT_WEEKS) -> dict[str, list[Item]]:
    """What can be picked: open notes, open episodes, and the last weeks' records."""
    since = timezone.now() - dt.timedelta(weeks=weeks)
    return {
        "unsaid": _unsaid(Unsaid.objects.filter(brought_up_at__isnull=True)),
        "episode": _episodes(),
        "entry": _entries(Entry.objects.filter(written_at__gte=since)),
        "checkin": _checkins(Checkin.objects.filter(completed_at__gte=since, timing="post")),
        "contact": _contacts(Contact.objects.filter(at__gte=since)),
    }


def _ints(values: Sequence[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit()][:500]


def chosen(picks: Mapping[str, Sequence[str]]) -> list[Item]:
    """Exactly the items the writer ticked, in the order of the page."""
    out = _unsaid(Unsaid.objects.filter(pk__in=_ints(picks.get("unsaid", []))))
    if picks.get("episode"):
        out += _episodes(list(picks["episode"]))
    out += _entries(Entry.objects.filter(pk__in=_ints(picks.get("entry", []))))
    out += _checkins(Checkin.objects.filter(pk__in=_ints(picks.get("checkin", []))))
    out += _contacts(Contact.objects.filter(pk__in=_ints(picks.get("contact", []))))
    return out


def parse_weeks(value: str | None) -> int:
    """Weeks to look back, from a GET parameter."""
    try:
        return max(1, min(MAX_WEEKS, int(value or DEFAULT_WEEKS)))
    except ValueError:
        return DEFAULT_WEEKS


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError("No resources are fetched while making the PDF.")


def pdf(items: list[Item], note: str = "") -> bytes:
    """The chosen items as a PDF (WeasyPrint, offline)."""
    from weasyprint import HTML

    html = render_to_string("insight/bring_pdf.html", {
        "items": items, "note": note, "made": timezone.localdate()})
    return bytes(HTML(string=html, url_fetcher=_no_fetch).write_pdf())
