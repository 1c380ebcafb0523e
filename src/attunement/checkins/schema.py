"""The check-in instrument format: dataclasses and the validator that builds them.

An instrument is a YAML or JSON mapping (documented in ``docs/instruments.md``).
:func:`parse_instrument` turns that mapping into an :class:`Instrument` or raises
:class:`InstrumentError` listing every problem found, each with where it was found,
so a clinician fixing a licensed scale's file sees all mistakes at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from attunement.io.records import Problem

ItemType = Literal["scale", "yesno", "choice", "text"]
Timing = Literal["post", "pre"]
Answer = int | float | bool | str
ITEM_TYPES = ("scale", "yesno", "choice", "text")
RUPTURE_ROLES = ("tension", "intensity", "resolved")
MAX_ITEMS = 200  # the longest real questionnaires are well under this
_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_TOP_KEYS = {"id", "version", "title", "description", "licence", "timing", "items",
             "subscales", "scoring", "reliability", "rupture", "schema"}
_ITEM_KEYS = {"id", "text", "type", "anchors", "min", "max", "step", "reverse",
              "required", "show_if"}


class InstrumentError(ValueError):
    """An instrument file that cannot be used; ``problems`` says every reason."""

    def __init__(self, problems: list[Problem], source: str = "") -> None:
        self.problems = problems
        self.source = source
        lines = [str(p) for p in problems]
        head = source + ": " if source else ""
        super().__init__(head + "; ".join(lines))


@dataclass(frozen=True)
class Item:
    """One question of an instrument."""

    id: str
    text: str
    type: ItemType
    min: float | None = None
    max: float | None = None
    step: float | None = None
    anchors: dict[Any, str] = field(default_factory=dict)
    reverse: bool = False
    required: bool = True
    show_if: tuple[str, Answer] | None = None


@dataclass(frozen=True)
class Subscale:
    """A named group of scale items scored together."""

    id: str
    title: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class TotalRule:
    """How the total is computed: sum or mean of some scale items."""

    method: Literal["sum", "mean"]
    items: tuple[str, ...]
    rescale: tuple[float, float] | None = None
    max_missing: int = 0


@dataclass(frozen=True)
class Reliability:
    """Internal consistency and spread, for the reliable-change cutoff."""

    alpha: float | None = None
    sd: float | None = None
    assumed: bool = False
    note: str = ""


@dataclass(frozen=True)
class RuptureItems:
    """Which items answer the three rupture questions (ids, or None)."""

    tension: str | None = None
    intensity: str | None = None
    resolved: str | None = None


@dataclass(frozen=True)
class Instrument:
    """A validated check-in instrument."""

    id: str
    version: int
    title: str
    items: tuple[Item, ...]
    description: str = ""
    licence: str = ""
    timing: Timing = "post"
    subscales: tuple[Subscale, ...] = ()
    total: TotalRule = TotalRule("mean", ())
    alliance: str = "total"
    reliability: Reliability = Reliability()
    rupture: RuptureItems = RuptureItems()
    source: str = ""

    def item(self, item_id: str) -> Item:
        """The item with this id (KeyError if there is none)."""
        for it in self.items:
            if it.id == item_id:
                return it
        raise KeyError(item_id)

    def score_range(self, target: str = "total") -> tuple[float, float]:
        """The lowest and highest possible score of the total or of a subscale."""
        if target == "total":
            if self.total.rescale:
                return self.total.rescale
            ids, method = self.total.items, self.total.method
        else:
            ids = next(s.items for s in self.subscales if s.id == target)
            method = self.total.method
        lows = [float(self.item(i).min or 0) for i in ids]
        highs = [float(self.item(i).max or 0) for i in ids]
        if method == "sum":
            return sum(lows), sum(highs)
        return sum(lows) / len(lows), sum(highs) / len(highs)


class _Checker:
    """Collects problems while reading one mapping."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, where: str, message: str) -> None:
        self.problems.append(Problem(where, message))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _str(data: dict[str, Any], key: str, ck: _Checker, where: str, need: bool) -> str:
    value = data.get(key, "")
    if value is None or value == "":
        if need:
            ck.add(where, "'" + key + "' is required")
        return ""
    if not isinstance(value, str):
        ck.add(where, "'" + key + "' must be text")
        return ""
    return value.strip()


def _unknown(data: dict[str, Any], allowed: set[str], ck: _Checker, where: str) -> None:
    for key in sorted(set(data) - allowed, key=str):
        ck.add(where, "unknown field '" + str(key) + "'")


def _anchors(raw: Any, lo: float | None, hi: float | None, ck: _Checker, where: str
             ) -> dict[Any, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        ck.add(where + ".anchors", "must be a mapping of value: label")
        return {}
    if lo is not None:
        # JSON keys are always strings; a scale's anchors are numbers.
        raw = {_numeric_key(k): v for k, v in raw.items()}
    for value, label in raw.items():
        if isinstance(label, bool):
            ck.add(where + ".anchors", "label for " + repr(value)
                   + " must be text (put quotes around words like yes and no)")
        elif not isinstance(label, str) or not label.strip():
            ck.add(where + ".anchors", "label for " + repr(value) + " must be text")
        if lo is not None and hi is not None:
            if not _is_number(value):
                ck.add(where + ".anchors", repr(value) + " is not a number")
            elif not lo <= value <= hi:
                ck.add(where + ".anchors", f"{value!r} is outside {lo:g}..{hi:g}")
    return {k: str(v) for k, v in raw.items()}


def _numeric_key(key: Any) -> Any:
    if isinstance(key, str):
        try:
            number = float(key)
        except ValueError:
            return key
        return int(number) if number.is_integer() else number
    return key


def _scale_bounds(raw: dict[str, Any], ck: _Checker, where: str
                  ) -> tuple[float | None, float | None, float | None]:
    lo: Any = raw.get("min")
    hi: Any = raw.get("max")
    step: Any = raw.get("step")
    if not _is_number(lo) or not _is_number(hi):
        ck.add(where, "a scale needs numbers 'min' and 'max'")
        return None, None, None
    if lo >= hi:
        ck.add(where, "'min' must be less than 'max'")
        return None, None, None
    if step is not None and (not _is_number(step) or step <= 0):
        ck.add(where, "'step' must be a positive number")
        step = None
    return lo, hi, step


def _condition(raw: Any, earlier: dict[str, Item], ck: _Checker, where: str
               ) -> tuple[str, Answer] | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or len(raw) != 1:
        ck.add(where + ".show_if", "must be one 'item: value' pair")
        return None
    (ref, value), = raw.items()
    if ref not in earlier:
        ck.add(where + ".show_if", "refers to '" + str(ref) + "', which is not an earlier item")
        return None
    if not _answer_fits(earlier[ref], value):
        ck.add(where + ".show_if", repr(value) + " is not a possible answer to '" + ref + "'")
    return ref, value


def _answer_fits(item: Item, value: Any) -> bool:
    """Whether a value is a possible answer to an item (used for show_if)."""
    if item.type == "yesno":
        return isinstance(value, bool)
    if item.type == "choice":
        return value in item.anchors
    if item.type == "scale":
        return _is_number(value) and item.min is not None and item.min <= value <= (
            item.max or 0)
    return isinstance(value, str)


def _item(raw: Any, n: int, earlier: dict[str, Item], ck: _Checker) -> Item | None:
    where = "items[" + str(n) + "]"
    if not isinstance(raw, dict):
        ck.add(where, "must be a mapping")
        return None
    _unknown(raw, _ITEM_KEYS, ck, where)
    item_id = _str(raw, "id", ck, where, True)
    if item_id:
        where = where + " (" + item_id + ")"
        if item_id in earlier:
            ck.add(where, "item id '" + item_id + "' is used twice")
    text = _str(raw, "text", ck, where, True)
    kind = raw.get("type", "scale")
    if kind not in ITEM_TYPES:
        ck.add(where, "type must be one of " + ", ".join(ITEM_TYPES))
        return None
    lo = hi = step = None
    if kind == "scale":
        lo, hi, step = _scale_bounds(raw, ck, where)
    anchors = _anchors(raw.get("anchors"), lo, hi, ck, where)
    if kind == "choice" and not anchors:
        ck.add(where, "a choice item needs its options in 'anchors'")
    reverse = raw.get("reverse", False)
    if reverse and kind != "scale":
        ck.add(where, "only a scale item can be reverse-scored")
    for flag in ("reverse", "required"):
        if not isinstance(raw.get(flag, True), bool):
            ck.add(where, "'" + flag + "' must be true or false")
    show_if = _condition(raw.get("show_if"), earlier, ck, where)
    return Item(item_id, text, kind, lo, hi, step, anchors, bool(reverse),
                bool(raw.get("required", True)), show_if)


def _subscales(raw: Any, items: dict[str, Item], ck: _Checker) -> tuple[Subscale, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        ck.add("subscales", "must be a list")
        return ()
    out: list[Subscale] = []
    for n, sub in enumerate(raw):
        where = "subscales[" + str(n) + "]"
        if not isinstance(sub, dict):
            ck.add(where, "must be a mapping")
            continue
        _unknown(sub, {"id", "title", "items"}, ck, where)
        sub_id = _str(sub, "id", ck, where, True)
        if sub_id == "total" or any(s.id == sub_id for s in out):
            ck.add(where, "subscale id '" + sub_id + "' is used twice or is 'total'")
        ids = _scale_item_list(sub.get("items"), items, ck, where + ".items")
        out.append(Subscale(sub_id, _str(sub, "title", ck, where, False) or sub_id, ids))
    return tuple(out)


def _scale_item_list(raw: Any, items: dict[str, Item], ck: _Checker, where: str
                     ) -> tuple[str, ...]:
    if not isinstance(raw, list) or not raw:
        ck.add(where, "must be a non-empty list of item ids")
        return ()
    for ref in raw:
        if ref not in items:
            ck.add(where, "no item called '" + str(ref) + "'")
        elif items[ref].type != "scale":
            ck.add(where, "'" + str(ref) + "' is not a scale item")
    return tuple(str(r) for r in raw)


def _total(raw: Any, items: dict[str, Item], rupture: RuptureItems, ck: _Checker
           ) -> TotalRule:
    raw = raw if isinstance(raw, dict) else {}
    _unknown(raw, {"method", "items", "rescale", "max_missing"}, ck, "scoring.total")
    method = raw.get("method", "mean")
    if method not in ("sum", "mean"):
        ck.add("scoring.total.method", "must be 'sum' or 'mean'")
        method = "mean"
    if "items" in raw:
        ids = _scale_item_list(raw["items"], items, ck, "scoring.total.items")
    else:
        # By default the total is every scale item except the rupture questions.
        skip = {rupture.intensity, rupture.resolved}
        ids = tuple(i for i, it in items.items() if it.type == "scale" and i not in skip)
    rescale = raw.get("rescale")
    span: tuple[float, float] | None = None
    if rescale is not None:
        if (not isinstance(rescale, dict) or not _is_number(rescale.get("min"))
                or not _is_number(rescale.get("max")) or rescale["min"] >= rescale["max"]):
            ck.add("scoring.total.rescale", "must be {min: number, max: number} with min < max")
        else:
            span = (float(rescale["min"]), float(rescale["max"]))
    max_missing = raw.get("max_missing", 0)
    if not isinstance(max_missing, int) or isinstance(max_missing, bool) or max_missing < 0:
        ck.add("scoring.total.max_missing", "must be a whole number, 0 or more")
        max_missing = 0
    return TotalRule(method, ids, span, max_missing)


def _reliability(raw: Any, ck: _Checker) -> Reliability:
    if raw is None:
        return Reliability()
    if not isinstance(raw, dict):
        ck.add("reliability", "must be a mapping")
        return Reliability()
    _unknown(raw, {"alpha", "sd", "assumed", "note"}, ck, "reliability")
    alpha, sd = raw.get("alpha"), raw.get("sd")
    if alpha is not None and (not _is_number(alpha) or not 0 < alpha < 1):
        ck.add("reliability.alpha", "must be a number between 0 and 1")
        alpha = None
    if sd is not None and (not _is_number(sd) or sd <= 0):
        ck.add("reliability.sd", "must be a positive number")
        sd = None
    return Reliability(alpha, sd, bool(raw.get("assumed", False)), str(raw.get("note", "")))


def _rupture(raw: Any, items: dict[str, Item], ck: _Checker) -> RuptureItems:
    if raw is None:
        return RuptureItems()
    if not isinstance(raw, dict):
        ck.add("rupture", "must be a mapping of role: item id")
        return RuptureItems()
    _unknown(raw, set(RUPTURE_ROLES), ck, "rupture")
    want = {"tension": "yesno", "intensity": "scale", "resolved": "scale"}
    for role, ref in raw.items():
        if role not in want:
            continue
        if ref not in items:
            ck.add("rupture." + role, "no item called '" + str(ref) + "'")
        elif items[ref].type != want[role]:
            ck.add("rupture." + role, "'" + ref + "' must be a " + want[role] + " item")
    return RuptureItems(raw.get("tension"), raw.get("intensity"), raw.get("resolved"))


def _head(data: dict[str, Any], ck: _Checker) -> tuple[str, int, Timing]:
    inst_id = _str(data, "id", ck, "", True)
    if inst_id and not _ID.match(inst_id):
        ck.add("id", "use lower-case letters, digits, '.', '-' or '_' (up to 64)")
    version = data.get("version", 1)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        ck.add("version", "must be a whole number, 1 or more")
        version = 1
    timing = data.get("timing", "post")
    if timing == "pre":
        return inst_id, version, "pre"
    if timing != "post":
        ck.add("timing", "must be 'post' or 'pre'")
    return inst_id, version, "post"


def parse_instrument(data: Any, source: str = "") -> Instrument:
    """Validate a loaded mapping and build the instrument, or raise InstrumentError."""
    ck = _Checker()
    if not isinstance(data, dict):
        raise InstrumentError([Problem("", "the file must hold one mapping")], source)
    _unknown(data, _TOP_KEYS, ck, "")
    inst_id, version, timing = _head(data, ck)
    title = _str(data, "title", ck, "", True)
    raw_items = data.get("items")
    items: dict[str, Item] = {}
    if not isinstance(raw_items, list) or not raw_items:
        ck.add("items", "must be a non-empty list")
        raw_items = []
    elif len(raw_items) > MAX_ITEMS:
        ck.add("items", "more than " + str(MAX_ITEMS) + " items; is this the right file?")
        raw_items = []
    for n, raw in enumerate(raw_items):
        item = _item(raw, n, items, ck)
        if item is not None and item.id and item.id not in items:
            items[item.id] = item
    subscales = _subscales(data.get("subscales"), items, ck)
    scoring = data.get("scoring") or {}
    if not isinstance(scoring, dict):
        ck.add("scoring", "must be a mapping")
        scoring = {}
    _unknown(scoring, {"total", "alliance"}, ck, "scoring")
    rupture = _rupture(data.get("rupture"), items, ck)
    total = _total(scoring.get("total"), items, rupture, ck)
    alliance = scoring.get("alliance", "total")
    if alliance != "total" and all(s.id != alliance for s in subscales):
        ck.add("scoring.alliance", f"must be 'total' or a subscale id, not '{alliance}'")
    if not total.items and items and not ck.problems:
        ck.add("scoring.total", "there are no scale items to total")
    reliability = _reliability(data.get("reliability"), ck)
    description = _str(data, "description", ck, "", False)
    licence = _str(data, "licence", ck, "", False)
    if ck.problems:
        raise InstrumentError(ck.problems, source)
    return Instrument(
        id=inst_id, version=version, title=title, items=tuple(items.values()),
        description=description, licence=licence, timing=timing,
        subscales=subscales, total=total, alliance=str(alliance),
        reliability=reliability, rupture=rupture,
        source=source)
