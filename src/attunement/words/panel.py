"""What the entry page shows beside the writer's words: markers and other readings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from attunement.record.models import Entry, Setting, Therapist
from attunement.web.rendering import BIDI_CONTROLS as _BIDI
from attunement.words import services
from attunement.words.models import Correction, SentenceReading

LABEL_NAMES = {
    "withdrawal": "moving away",
    "confrontation": "moving against",
    "client_repair": "my repair",
    "therapist_repair": "her repair",
    "none": "no marker",
}


def subtype_name(subtype: str) -> str:
    """'shutting_down_distance' -> 'shutting down / distance'."""
    return subtype.replace("_distance", " / distance").replace("_", " ")


@dataclass
class MarkedSentence:
    reading: SentenceReading
    html: SafeString
    state: str  # "", "confirmed", "rejected", "relabelled"
    label_name: str
    subtype_name: str
    evidence_text: list[str] = field(default_factory=list)


def _clean(text: str) -> str:
    """Escape for HTML and drop bidirectional overrides (they can disguise text)."""
    return escape(text.translate(_BIDI))


def _mark(body: str, r: SentenceReading) -> SafeString:
    """The sentence with its evidence spans wrapped in <mark>, everything escaped."""
    out, pos = [], r.start
    for start, end in sorted((s, e) for s, e in r.evidence if r.start <= s < e <= r.end):
        if start < pos:
            continue
        out.append(_clean(body[pos:start]))
        out.append(f'<mark class="ev {r.label}">{_clean(body[start:end])}</mark>')
        pos = end
    out.append(_clean(body[pos : r.end]))
    return mark_safe("".join(out))  # noqa: S308 - every piece escaped above


def marked_text(entry: Entry, readings: list[SentenceReading]) -> list[dict[str, Any]]:
    """The body as segments: plain text, and sentences that carry a marker."""
    body = entry.body
    segments: list[dict[str, Any]] = []
    pos = 0
    for r in readings:
        if r.label == "none" or r.start < pos or r.end > len(body):
            continue
        if r.start > pos:
            segments.append({"text": body[pos : r.start].translate(_BIDI)})
        segments.append({"reading": r, "html": _mark(body, r)})
        pos = r.end
    if pos < len(body):
        segments.append({"text": body[pos:].translate(_BIDI)})
    return segments


_TITLES = {"dr", "dr.", "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "mx", "mx.", "prof", "prof."}


def therapist_names() -> list[str]:
    """Every way the writer may name a therapist: full name, first name, surname."""
    names: list[str] = []
    for t in Therapist.objects.all():
        words = [w for w in t.name.split() if w.lower() not in _TITLES]
        names += [t.name, *words, " ".join(words)]
    return sorted({n for n in names if n})


def context(entry: Entry) -> dict[str, Any]:
    """Markers, corrections and readings for an entry page."""
    from attunement.analysis.readings import read_entry

    services.ensure_fresh(entry)
    readings = list(SentenceReading.objects.filter(entry=entry).order_by("index"))
    decided = {c.sentence: c for c in Correction.objects.filter(entry=entry)}
    marked = []
    for r in readings:
        c = decided.get(r.text)
        if r.label == "none" and c is None:
            continue
        marked.append(
            MarkedSentence(
                reading=r,
                html=_mark(entry.body, r),
                state={"confirm": "confirmed", "reject": "rejected", "relabel": "relabelled"}.get(
                    c.action, ""
                )
                if c
                else "",
                label_name=LABEL_NAMES.get(r.label, r.label),
                subtype_name=subtype_name(r.subtype),
                evidence_text=[entry.body[s:e] for s, e in r.evidence],
            )
        )
    extra = read_entry(
        entry.body, therapist_names=therapist_names(), entry_date=entry.written_at.date()
    )
    supports = Setting.objects.filter(name="supports").first()
    return {
        "marked": marked,
        "segments": marked_text(entry, readings),
        "extra": extra,
        "supports": (supports.value.get("text", "") if supports else ""),
        "analysis_error": getattr(getattr(entry, "analysis", None), "error", ""),
        "label_names": LABEL_NAMES,
        "label_options": label_options(),
    }


def label_options() -> list[tuple[str, list[tuple[str, str]]]]:
    """Every label and subtype for the relabel menu."""
    from attunement.analysis.markers import SUBTYPES

    return [
        (
            f"{LABEL_NAMES[label]} ({label.replace('_', ' ')})",
            [(f"{label}:{s}", subtype_name(s)) for s in subs],
        )
        for label, subs in SUBTYPES.items()
        if label != "none"
    ]
