"""Analyse entries for markers, store the readings, and apply the writer's corrections.

The classifier lives in :mod:`attunement.analysis.markers` (no Django); this module
feeds it the journal's corrections and keeps its results with the model version,
the body's hash and the corrections' hash, so an upgrade or a new correction
re-runs exactly the entries it affects.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from django.db import transaction
from django.utils import timezone

from attunement.record.models import Entry
from attunement.words.models import Correction, EntryAnalysis, SentenceReading

if TYPE_CHECKING:
    from attunement.analysis.markers import SentenceMarker

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]
BATCH = 32  # entries per embedding batch: big enough to fill the CPU, small enough for memory


def model_version() -> str:
    """The marker model's version string."""
    from attunement.analysis.markers import MODEL_VERSION

    return MODEL_VERSION


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _corrections() -> tuple[list[Any], str]:
    """The journal's corrections for the classifier, and a hash that changes with them."""
    from attunement.analysis.markers import Correction as MarkerCorrection

    rows = list(Correction.objects.order_by("pk"))
    out = []
    for c in rows:
        emb = tuple(np.frombuffer(bytes(c.embedding), dtype=np.float32)) if c.embedding else None
        label = "none" if c.action == Correction.Action.REJECT else c.label
        out.append(MarkerCorrection(c.sentence, label, c.subtype or None, emb))
    digest = _hash("|".join(f"{c.pk}:{c.action}:{c.label}:{c.subtype}" for c in rows))
    return out, digest


def analyze_entries(entries: Sequence[Entry], progress: Progress | None = None) -> int:
    """Analyse entries in batches and store their readings; returns how many."""
    from attunement.analysis.markers import analyze_many

    corrections, digest = _corrections()
    version = model_version()
    done = 0
    for i in range(0, len(entries), BATCH):
        chunk = entries[i : i + BATCH]
        results = analyze_many([e.body for e in chunk], corrections or None)
        with transaction.atomic():
            for entry, markers in zip(chunk, results, strict=True):
                _store(entry, markers, version, digest)
        done += len(chunk)
        if progress:
            progress(done, len(entries))
    return done


def _store(entry: Entry, markers: Iterable[SentenceMarker], version: str, digest: str) -> None:
    SentenceReading.objects.filter(entry=entry).delete()
    SentenceReading.objects.bulk_create(
        SentenceReading(
            entry=entry,
            index=m.index,
            start=m.start,
            end=m.end,
            text=m.text,
            label=m.label,
            subtype=m.subtype or "",
            confidence=m.confidence,
            evidence=[list(span) for span in m.evidence],
            probs=m.probs,
            flags=list(m.flags),
            model_version=version,
        )
        for m in markers
    )
    EntryAnalysis.objects.update_or_create(
        entry=entry,
        defaults={
            "model_version": version,
            "body_hash": _hash(entry.body),
            "corrections_hash": digest,
            "analysed_at": timezone.now(),
            "error": "",
        },
    )


def analyze_entry_safely(entry: Entry) -> None:
    """Analyse a just-saved entry; a failure never loses the entry, it is noted and retried."""
    if getattr(entry, "_skip_analysis", False):
        return
    try:
        with transaction.atomic():
            analyze_entries([entry])
    except Exception as exc:  # the writing matters more than its analysis
        log.exception("marker analysis failed for entry %s", entry.pk)
        EntryAnalysis.objects.update_or_create(
            entry=entry,
            defaults={"model_version": "", "body_hash": "", "error": str(exc)[:500]},
        )


def stale_entries() -> list[Entry]:
    """Entries never analysed, or analysed by another model, body or set of corrections."""
    _, digest = _corrections()
    version = model_version()
    current = {a.entry_id: a for a in EntryAnalysis.objects.all()}
    stale = []
    for entry in Entry.objects.order_by("written_at"):
        a = current.get(entry.pk)
        if (
            a is None
            or a.model_version != version
            or a.body_hash != _hash(entry.body)
            or a.corrections_hash != digest
        ):
            stale.append(entry)
    return stale


def ensure_fresh(entry: Entry) -> None:
    """Re-analyse one entry if anything it depends on changed since."""
    a = EntryAnalysis.objects.filter(entry=entry).first()
    _, digest = _corrections()
    if (
        a is None
        or a.model_version != model_version()
        or a.body_hash != _hash(entry.body)
        or a.corrections_hash != digest
    ):
        analyze_entry_safely(entry)


@transaction.atomic
def correct(entry: Entry, index: int, action: str, label: str = "", subtype: str = "") -> None:
    """Store the writer's word on sentence ``index`` of an entry, then re-analyse it."""
    from attunement.analysis.embed import embed
    from attunement.analysis.markers import SUBTYPES

    reading = SentenceReading.objects.get(entry=entry, index=index)
    if action == Correction.Action.CONFIRM:
        label, subtype = reading.label, reading.subtype
    elif action == Correction.Action.REJECT:
        label, subtype = "none", ""
    elif action == Correction.Action.RELABEL:
        if label not in SUBTYPES or (subtype and subtype not in SUBTYPES[label]):
            raise ValueError("unknown label")
    else:
        raise ValueError("unknown action")
    Correction.objects.filter(entry=entry, sentence=reading.text).delete()
    vector = embed([reading.text])[0].astype(np.float32).tobytes()
    Correction.objects.create(
        entry=entry,
        sentence=reading.text,
        action=action,
        label=label,
        subtype=subtype,
        embedding=vector,
    )
    analyze_entries([entry])


@transaction.atomic
def undo_correction(entry: Entry, index: int) -> None:
    """Forget the writer's word on a sentence and re-analyse."""
    reading = SentenceReading.objects.get(entry=entry, index=index)
    Correction.objects.filter(entry=entry, sentence=reading.text).delete()
    analyze_entries([entry])
