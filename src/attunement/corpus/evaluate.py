"""Compare the markers with human labels: the agreement figures a paper reports.

Gold file, JSON lines: ``{"id": ..., "sentence_index": 0, "label": "withdrawal",
"subtype": "minimal_response"}`` or ``{"id": ..., "text": "...", "label": ...}``.

- With a run folder (``run_dir``), each gold row is matched to the run's sentence by
  ``(id, sentence_index)`` or by ``(id, text)`` (whitespace-normalised).
- Without one, each gold row's ``text`` is read by the model as it stands. When the text
  splits into several sentences, the prediction is its most confident marker, or ``none``
  if no sentence has one.

Reported: per-label precision, recall, F1 and support; macro-F1 (over labels present in
the gold or the predictions); the confusion matrix; Cohen's kappa; subtype agreement
where both agree on the label; 95 % percentile bootstrap intervals that resample whole
documents (sentences of one document are not independent). Bad or unmatched gold rows are
listed with their line numbers and left out.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from attunement.corpus.readers import RowError, check_id

LABELS = ("withdrawal", "confrontation", "client_repair", "therapist_repair", "none")
INDEX = {lab: k for k, lab in enumerate(LABELS)}


@dataclass(frozen=True)
class GoldRow:
    """One human label."""

    line: int
    id: str
    label: str
    sentence_index: int | None = None
    text: str | None = None
    subtype: str | None = None


@dataclass
class Evaluation:
    """Matched labels and the rows that could not be used."""

    gold: list[GoldRow] = field(default_factory=list)
    predicted: list[tuple[str, str | None]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def read_gold(path: Path) -> tuple[list[GoldRow], list[dict[str, Any]]]:
    """Gold rows and the errors of the lines that could not be read."""
    rows, errors = [], []
    with path.open(encoding="utf-8-sig", errors="replace") as f:
        for lineno, raw in enumerate(f, 1):
            if not raw.strip():
                continue
            try:
                rows.append(_gold_row(raw, lineno))
            except RowError as exc:
                errors.append({"line": lineno, "error": str(exc)})
    return rows, errors


def _gold_row(raw: str, lineno: int) -> GoldRow:
    """One gold line; RowError says what is wrong."""
    from attunement.analysis.markers import SUBTYPES

    try:
        obj = json.loads(raw)
    except ValueError as exc:
        raise RowError("not valid JSON") from exc
    if not isinstance(obj, dict):
        raise RowError("expected a JSON object")
    label, subtype = obj.get("label"), obj.get("subtype") or None
    if label not in INDEX:
        raise RowError(f"unknown label {label!r}; use one of {', '.join(LABELS)}")
    if subtype is not None and subtype not in SUBTYPES.get(label, ()):
        raise RowError(f"subtype {subtype!r} does not belong to {label}")
    idx, text = obj.get("sentence_index"), obj.get("text")
    if isinstance(idx, bool) or not (idx is None or (isinstance(idx, int) and idx >= 0)):
        raise RowError("'sentence_index' must be a whole number from 0")
    if idx is None and not isinstance(text, str):
        raise RowError("give 'sentence_index' or 'text'")
    return GoldRow(lineno, check_id(obj.get("id")), label, idx,
                   text if isinstance(text, str) else None, subtype)


def match_run(rows: list[GoldRow], run_dir: Path) -> Evaluation:
    """Pair gold rows with the sentences of a corpus run (streamed, not loaded whole)."""
    from attunement.corpus.outputs import iter_table

    by_index = {(r.id, r.sentence_index) for r in rows if r.sentence_index is not None}
    by_text = {(r.id, _norm(r.text)) for r in rows if r.sentence_index is None and r.text}
    found: dict[tuple[str, Any], tuple[str, str | None]] = {}
    cols = ["doc_id", "sentence_index", "text", "label", "subtype"]
    for batch in iter_table(run_dir / "sentences.parquet", cols):
        for doc, idx, text, label, sub in zip(*(c.to_pylist() for c in batch.columns),
                                              strict=True):
            if (doc, idx) in by_index:
                found[(doc, idx)] = (label, sub)
            by_words = (doc, _norm(text))
            if by_words in by_text:
                found.setdefault(by_words, (label, sub))
    ev = Evaluation()
    for r in rows:
        key: tuple[str, Any] = (r.id, r.sentence_index)
        if r.sentence_index is None:
            key = (r.id, _norm(r.text or ""))
        if key in found:
            ev.gold.append(r)
            ev.predicted.append(found[key])
        else:
            ev.errors.append({"line": r.line, "error": "no sentence of the run matches this row"})
    return ev


def predict_texts(rows: list[GoldRow]) -> Evaluation:
    """Read each gold text with the model (most confident marker when it splits)."""
    from attunement.analysis.markers import analyze_many

    ev = Evaluation()
    usable = [r for r in rows if r.text]
    ev.errors = [{"line": r.line, "error": "no 'text' to read (give --run for sentence_index)"}
                 for r in rows if not r.text]
    for lo in range(0, len(usable), 256):
        chunk = usable[lo : lo + 256]
        for r, markers in zip(chunk, analyze_many([r.text or "" for r in chunk]), strict=True):
            hits = [m for m in markers if m.label != "none"]
            best = max(hits, key=lambda m: m.confidence) if hits else None
            ev.gold.append(r)
            ev.predicted.append((best.label, best.subtype) if best else ("none", None))
    return ev


# --- metrics ------------------------------------------------------------------------------


def confusion(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Counts, rows = human label, columns = model label."""
    k = len(LABELS)
    return np.bincount(y_true * k + y_pred, minlength=k * k).reshape(k, k)


def scores(cm: np.ndarray, present: np.ndarray) -> dict[str, Any]:
    """Per-label P/R/F1, macro-F1 over ``present`` labels and Cohen's kappa from a matrix."""
    tp = np.diag(cm).astype(float)
    pred, true = cm.sum(axis=0).astype(float), cm.sum(axis=1).astype(float)
    p = np.divide(tp, pred, out=np.zeros_like(tp), where=pred > 0)
    r = np.divide(tp, true, out=np.zeros_like(tp), where=true > 0)
    f = np.divide(2 * p * r, p + r, out=np.zeros_like(tp), where=(p + r) > 0)
    n = cm.sum()
    po = tp.sum() / n if n else 0.0
    pe = float((pred * true).sum()) / n**2 if n else 0.0
    kappa = (po - pe) / (1 - pe) if pe < 1 else 1.0
    return {"precision": p, "recall": r, "f1": f, "support": true.astype(int),
            "macro_f1": float(f[present].mean()) if present.any() else 0.0,
            "kappa": float(kappa), "accuracy": float(po)}


def metrics(gold: Sequence[str], pred: Sequence[str], groups: Sequence[str],
            n_boot: int = 1000, seed: int = 0) -> dict[str, Any]:
    """Point estimates and document-level bootstrap 95 % intervals."""
    y_true = np.array([INDEX[g] for g in gold], dtype=np.int64)
    y_pred = np.array([INDEX[p] for p in pred], dtype=np.int64)
    cm = confusion(y_true, y_pred)
    present = (cm.sum(axis=0) + cm.sum(axis=1)) > 0
    point = scores(cm, present)
    cis = bootstrap(y_true, y_pred, groups, present, n_boot, seed) if len(y_true) else {}
    return {"n": len(y_true), "confusion": cm.tolist(), "point": point, "ci": cis,
            "n_boot": n_boot, "seed": seed}


def bootstrap(y_true: np.ndarray, y_pred: np.ndarray, groups: Sequence[str],
              present: np.ndarray, n_boot: int, seed: int) -> dict[str, Any]:
    """Percentile 95 % intervals from resampling documents with replacement."""
    ids, inverse = np.unique(np.asarray(groups, dtype=object).astype(str), return_inverse=True)
    members = [np.flatnonzero(inverse == g) for g in range(len(ids))]
    rng = np.random.default_rng(seed)
    samples: dict[str, list[Any]] = {"macro_f1": [], "kappa": [], "f1": []}
    for _ in range(n_boot):
        pick = np.concatenate([members[g] for g in rng.integers(0, len(ids), len(ids))])
        s = scores(confusion(y_true[pick], y_pred[pick]), present)
        samples["macro_f1"].append(s["macro_f1"])
        samples["kappa"].append(s["kappa"])
        samples["f1"].append(s["f1"])
    f1 = np.percentile(np.array(samples["f1"]), [2.5, 97.5], axis=0)
    return {
        "macro_f1": np.percentile(samples["macro_f1"], [2.5, 97.5]).tolist(),
        "kappa": np.percentile(samples["kappa"], [2.5, 97.5]).tolist(),
        "f1": {lab: f1[:, k].tolist() for k, lab in enumerate(LABELS)},
    }


def subtype_agreement(ev: Evaluation) -> tuple[float | None, int]:
    """Share of subtype matches where both give the same label and the gold has a subtype."""
    pairs = [(g.subtype, p[1]) for g, p in zip(ev.gold, ev.predicted, strict=True)
             if g.subtype and g.label == p[0]]
    if not pairs:
        return None, 0
    return sum(a == b for a, b in pairs) / len(pairs), len(pairs)


def evaluate(gold_path: Path, run_dir: Path | None = None, n_boot: int = 1000,
             seed: int = 0) -> dict[str, Any]:
    """The whole evaluation as a JSON-ready dict."""
    rows, errors = read_gold(gold_path)
    ev = match_run(rows, run_dir) if run_dir else predict_texts(rows)
    result = metrics([g.label for g in ev.gold], [p[0] for p in ev.predicted],
                     [g.id for g in ev.gold], n_boot, seed)
    sub, n_sub = subtype_agreement(ev)
    result.update(subtype_agreement=sub, subtype_n=n_sub,
                  errors=sorted(errors + ev.errors, key=lambda e: e["line"]))
    point = result["point"]
    for key in ("precision", "recall", "f1", "support"):
        point[key] = dict(zip(LABELS, point[key].tolist(), strict=True))
    return result


def markdown(result: dict[str, Any]) -> str:
    """The evaluation as Markdown tables, ready for a paper's appendix."""
    p, ci = result["point"], result["ci"]

    def interval(values: list[float] | None) -> str:
        return f"[{values[0]:.3f}, {values[1]:.3f}]" if values else "n/a"

    lines = [f"Sentences compared: {result['n']}; rows left out: {len(result['errors'])}.", "",
             "| label | precision | recall | F1 | F1 95% CI | support |",
             "|---|---|---|---|---|---|"]
    for lab in LABELS:
        lines.append(f"| {lab} | {p['precision'][lab]:.3f} | {p['recall'][lab]:.3f} | "
                     f"{p['f1'][lab]:.3f} | {interval(ci.get('f1', {}).get(lab))} | "
                     f"{p['support'][lab]} |")
    lines += ["", f"macro-F1 {p['macro_f1']:.3f} {interval(ci.get('macro_f1'))}; "
              f"Cohen's kappa {p['kappa']:.3f} {interval(ci.get('kappa'))}; "
              f"accuracy {p['accuracy']:.3f}.",
              f"Intervals: 95 % percentile bootstrap over documents, {result['n_boot']} "
              f"resamples, seed {result['seed']}."]
    if result["subtype_agreement"] is not None:
        lines.append(f"Subtype agreement where the labels agree: "
                     f"{result['subtype_agreement']:.3f} (n = {result['subtype_n']}).")
    lines += ["", "| human \\ model | " + " | ".join(LABELS) + " |",
              "|---" * (len(LABELS) + 1) + "|"]
    for lab, row in zip(LABELS, result["confusion"], strict=True):
        lines.append(f"| {lab} | " + " | ".join(str(v) for v in row) + " |")
    for err in result["errors"][:20]:
        lines.append(f"- line {err['line']}: {err['error']}")
    if len(result["errors"]) > 20:
        lines.append(f"- … and {len(result['errors']) - 20} more")
    return "\n".join(lines)
