"""Load check-in instruments from their data files and score answers with one engine.

Instruments live in YAML or JSON files (format: ``docs/instruments.md``, validator:
:mod:`attunement.checkins.schema`). The ones we ship sit next to this module in
``instruments/``; a clinician who holds a licence for a scale adds its file to an
``instruments`` folder in the journal's folder or to ``$ATTUNE_INSTRUMENTS_DIR``.
Pure Python: no Django, usable by a researcher on a folder of answers.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from attunement.checkins.schema import (
    Answer,
    Instrument,
    InstrumentError,
    Item,
    parse_instrument,
)
from attunement.io.records import Problem

SHIPPED_DIR = Path(__file__).parent / "instruments"
ENV_DIR = "ATTUNE_INSTRUMENTS_DIR"
SUFFIXES = (".yaml", ".yml", ".json")
# An instrument is a page of text; anything bigger is a mistake or hostile.
MAX_FILE_BYTES = 256 * 1024
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0"}


@dataclass(frozen=True)
class RuptureAnswers:
    """The answers to the rupture questions, when the instrument has them."""

    tension: bool | None = None
    intensity: float | None = None
    resolved: float | None = None


@dataclass
class Score:
    """A scored check-in: item values, subscales, total, alliance, rupture, problems."""

    instrument: str
    version: int
    values: dict[str, Answer] = field(default_factory=dict)  # after reverse-scoring
    subscales: dict[str, float | None] = field(default_factory=dict)
    total: float | None = None
    alliance: float | None = None
    rupture: RuptureAnswers = RuptureAnswers()
    missing: list[str] = field(default_factory=list)  # shown but not answered
    ignored: list[str] = field(default_factory=list)  # answered but hidden by show_if
    errors: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every answer was valid and every required question answered."""
        return not self.errors


def _read_mapping(path: Path) -> Any:
    """Read a YAML or JSON file, turning every failure into an InstrumentError."""
    name = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InstrumentError([Problem("", "the file is too big for an instrument")], name)
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InstrumentError([Problem("", "cannot read the file (" + str(exc) + ")")],
                              name) from exc
    try:
        if path.suffix == ".json":
            return json.loads(text)
        return yaml.load(text, Loader=yaml.CSafeLoader)
    except json.JSONDecodeError as exc:
        where = "line " + str(exc.lineno)
        raise InstrumentError([Problem(where, "not valid JSON: " + exc.msg)], name) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = "line " + str(mark.line + 1) if mark is not None else ""
        what = getattr(exc, "problem", None) or "not valid YAML"
        raise InstrumentError([Problem(where, "not valid YAML: " + str(what))], name) from exc


def load_file(path: str | Path) -> Instrument:
    """Load and validate one instrument file (raises InstrumentError)."""
    path = Path(path)
    return parse_instrument(_read_mapping(path), str(path))


def instrument_dirs(journal_dir: str | Path | None = None) -> list[Path]:
    """Folders searched for clinicians' own instrument files, besides the shipped ones."""
    dirs: list[Path] = []
    if journal_dir is not None:
        dirs.append(Path(journal_dir) / "instruments")
    env = os.environ.get(ENV_DIR)
    if env:
        dirs.append(Path(env))
    return dirs


def scan_instruments(extra_dirs: Iterable[str | Path] = ()
                     ) -> tuple[list[Instrument], list[Problem]]:
    """Every usable instrument (shipped first) and the problems of the unusable files."""
    found: dict[str, Instrument] = {}
    problems: list[Problem] = []
    for folder in [SHIPPED_DIR, *map(Path, extra_dirs)]:
        if not folder.is_dir():
            continue
        for path in sorted(p for p in folder.iterdir() if p.suffix in SUFFIXES):
            try:
                inst = load_file(path)
            except InstrumentError as exc:
                problems.extend(Problem(_join(str(path), p.where), p.message)
                                for p in exc.problems)
                continue
            if inst.id in found:
                problems.append(Problem(str(path), "the id '" + inst.id + "' is already used by "
                                        + found[inst.id].source))
                continue
            found[inst.id] = inst
    return list(found.values()), problems


def _join(path: str, where: str) -> str:
    return path + ": " + where if where else path


def list_instruments(extra_dir: str | Path | None = None, *,
                     journal_dir: str | Path | None = None) -> list[Instrument]:
    """The shipped instruments plus valid ones from the clinician's folders."""
    dirs = instrument_dirs(journal_dir)
    if extra_dir is not None:
        dirs.insert(0, Path(extra_dir))
    return scan_instruments(dirs)[0]


def load_instrument(ref: str | Path, *, extra_dirs: Iterable[str | Path] = ()) -> Instrument:
    """Load an instrument by file path or by id (shipped or in ``extra_dirs``)."""
    path = Path(ref)
    if isinstance(ref, Path) or path.suffix in SUFFIXES or os.sep in str(ref):
        return load_file(path)
    instruments, problems = scan_instruments(extra_dirs)
    for inst in instruments:
        if inst.id == ref:
            return inst
    raise InstrumentError([Problem("", "no instrument with the id '" + str(ref) + "'"),
                           *problems])


def render_text(text: str, therapist: str | None = None) -> str:
    """An item's text with ``{therapist}`` replaced by a name or 'my therapist'."""
    name = therapist or "my therapist"
    if text.startswith("{therapist}"):
        # "My therapist and I ..." at the start of a sentence, a name stays as written.
        return name[:1].upper() + name[1:] + text[len("{therapist}"):].replace("{therapist}", name)
    return text.replace("{therapist}", name)


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
        if not math.isfinite(number):
            return None
        return int(number) if number.is_integer() else number
    return None


def _check_scale(item: Item, value: Any) -> tuple[Answer | None, str]:
    number = _as_number(value)
    lo, hi = item.min or 0, item.max or 0
    if number is None:
        return None, f"expected a number from {lo:g} to {hi:g}, got {value!r}"
    if not lo <= number <= hi:
        return None, f"{number:g} is outside {lo:g}..{hi:g}"
    step = item.step or 1
    steps = (number - lo) / step
    if abs(steps - round(steps)) > 1e-9:
        return None, f"{number:g} is not a step of {step:g} from {lo:g}"
    return (lo + hi - number if item.reverse else number), ""


def _check_answer(item: Item, value: Any) -> tuple[Answer | None, str]:
    """The validated (and reverse-scored) value, or None and what is wrong."""
    if item.type == "scale":
        return _check_scale(item, value)
    if item.type == "yesno":
        if isinstance(value, bool):
            return value, ""
        word = str(value).strip().lower()
        if word in _YES or word in _NO:
            return word in _YES, ""
        return None, f"expected yes or no, got {value!r}"
    if item.type == "choice":
        for option in item.anchors:
            if value == option or str(value) == str(option):
                return option, ""
        return None, f"{value!r} is not one of the options"
    if not isinstance(value, str):
        return None, "expected text"
    return value, ""


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _shown(item: Item, values: Mapping[str, Any], shown: set[str]) -> bool:
    if item.show_if is None:
        return True
    ref, want = item.show_if
    return ref in shown and values.get(ref) == want


def _aggregate(ids: Iterable[str], values: Mapping[str, Any], method: str,
               max_missing: int) -> float | None:
    """Sum or mean of items; a sum with allowed gaps is prorated to the full count."""
    ids = list(ids)
    got = [float(values[i]) for i in ids if i in values]
    if not got or len(ids) - len(got) > max_missing:
        return None
    if method == "mean":
        return sum(got) / len(got)
    return sum(got) * len(ids) / len(got)


def score(instrument: Instrument, answers: Mapping[str, Any]) -> Score:
    """Score one set of answers: validate, reverse-score, total, subscales, rupture."""
    result = Score(instrument.id, instrument.version)
    known = {it.id for it in instrument.items}
    for key in answers:
        if key not in known:
            result.errors.append(Problem(str(key), "there is no such question"))
    raw_values: dict[str, Any] = {}
    shown: set[str] = set()
    for item in instrument.items:
        value = answers.get(item.id)
        if not _shown(item, raw_values, shown):
            if not _blank(value):
                result.ignored.append(item.id)
            continue
        shown.add(item.id)
        if _blank(value):
            result.missing.append(item.id)
            if item.required:
                result.errors.append(Problem(item.id, "this question needs an answer"))
            continue
        checked, message = _check_answer(item, value)
        if message:
            result.errors.append(Problem(item.id, message))
            continue
        assert checked is not None
        result.values[item.id] = checked
        # show_if compares against the answer as given, before reverse-scoring.
        raw_values[item.id] = checked if item.type != "scale" else _as_number(value)
    _fill_scores(instrument, result)
    return result


def _fill_scores(instrument: Instrument, result: Score) -> None:
    rule, values = instrument.total, result.values
    for sub in instrument.subscales:
        result.subscales[sub.id] = _aggregate(sub.items, values, rule.method, rule.max_missing)
    total = _aggregate(rule.items, values, rule.method, rule.max_missing)
    if total is not None and rule.rescale is not None:
        lo, hi = _raw_range(instrument)
        new_lo, new_hi = rule.rescale
        total = new_lo + (total - lo) * (new_hi - new_lo) / (hi - lo)
    result.total = total
    if instrument.alliance == "total":
        result.alliance = total
    else:
        result.alliance = result.subscales.get(instrument.alliance)
    roles = instrument.rupture

    def get(item_id: str | None) -> Any:
        return values.get(item_id) if item_id else None

    tension = get(roles.tension)
    result.rupture = RuptureAnswers(
        tension if isinstance(tension, bool) else None,
        _maybe_float(get(roles.intensity)), _maybe_float(get(roles.resolved)))


def _maybe_float(value: Any) -> float | None:
    return float(value) if _as_number(value) is not None else None


def _raw_range(instrument: Instrument) -> tuple[float, float]:
    rule = instrument.total
    plain = Instrument(instrument.id, instrument.version, instrument.title, instrument.items,
                       total=type(rule)(rule.method, rule.items))
    return plain.score_range("total")


def rci(instrument: Instrument, sd: float | None = None, alpha: float | None = None) -> float:
    """Reliable-change cutoff (Jacobson-Truax): 1.96 * SD * sqrt(2) * sqrt(1 - alpha)."""
    sd = sd if sd is not None else instrument.reliability.sd
    alpha = alpha if alpha is not None else instrument.reliability.alpha
    if sd is None or sd <= 0:
        message = "a reliable-change cutoff needs a positive SD; pass the person's own"
        raise ValueError(message)
    if alpha is None or not 0 < alpha < 1:
        message = "a reliable-change cutoff needs the scale's alpha, between 0 and 1"
        raise ValueError(message)
    return 1.96 * sd * math.sqrt(2) * math.sqrt(1 - alpha)
