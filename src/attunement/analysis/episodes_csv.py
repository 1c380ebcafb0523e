"""Read a check-in series from CSV for `attune episodes --from-csv FILE`.

Columns: ``date,score`` required; ``tension,intensity,resolved,pre_score,session_id`` optional,
in any order. A blank score is a session with no rating (it still counts as a session). Every
bad row is reported with its line number; nothing is returned if any row is bad.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import os
from pathlib import Path

from attunement.analysis.episodes_model import Rating
from attunement.io.records import Problem

REQUIRED = ("date", "score")
OPTIONAL = ("tension", "intensity", "resolved", "pre_score", "session_id")
_YES = {"1", "yes", "y", "true", "t"}
_NO = {"0", "no", "n", "false", "f"}
_BLANK = {"", "na", "n/a", "nan", "-"}
MAX_BYTES = 20_000_000  # far beyond any real series; stops a wrong file being slurped


class EpisodeCsvError(ValueError):
    """A check-in CSV that could not be read; ``problems`` says where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(str(p) for p in problems[:20])
        more = len(problems) - 20
        suffix = f"\n(and {more} more)" if more > 0 else ""
        super().__init__(lines + suffix)


def read_text(path_or_text: str | os.PathLike[str]) -> str:
    """The CSV text: read from a path, or taken as is when it already is CSV text."""
    one_line = not isinstance(path_or_text, os.PathLike) and "\n" not in path_or_text
    if isinstance(path_or_text, os.PathLike) or (
        one_line and ("," not in path_or_text or Path(path_or_text).exists())
    ):
        path = Path(path_or_text)
        if path.stat().st_size > MAX_BYTES:
            msg = f"{path}: file is larger than {MAX_BYTES // 1_000_000} MB"
            raise EpisodeCsvError([Problem("", msg)])
        return path.read_text(encoding="utf-8-sig")
    return path_or_text.lstrip("\ufeff")


def parse_ratings_csv(text: str) -> tuple[list[Rating], list[Problem]]:
    """Ratings from CSV text, and the problems found (line numbers count the header as 1)."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        return [], [Problem("line 1", "the file is empty; expected a header 'date,score'")]
    cols = [h.strip().lower() for h in header]
    missing = [c for c in REQUIRED if c not in cols]
    if missing:
        found = ", ".join(cols)
        msg = "the header needs the columns " + ", ".join(missing) + " (found: " + found + ")"
        return [], [Problem("line 1", msg)]
    ratings, problems = [], []
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(cols):
            msg = f"expected {len(cols)} fields, found {len(row)}"
            problems.append(Problem(f"line {line}", msg))
            continue
        rating, errs = _row(dict(zip(cols, (c.strip() for c in row), strict=True)))
        problems += [Problem(f"line {line}", e) for e in errs]
        if rating is not None and not errs:
            ratings.append(rating)
    if not ratings and not problems:
        problems.append(Problem("", "no rows after the header"))
    return ratings, problems


def _row(cells: dict[str, str]) -> tuple[Rating | None, list[str]]:
    """One row as a Rating, or the reasons it isn't one."""
    errs: list[str] = []
    day = _date(cells["date"], errs)
    score = _number(cells["score"], "score", errs)
    pre = _number(cells.get("pre_score", ""), "pre_score", errs)
    tension = _flag(cells.get("tension", ""), errs)
    intensity = _one_to_five(cells.get("intensity", ""), "intensity", errs)
    resolved = _one_to_five(cells.get("resolved", ""), "resolved", errs)
    if day is None or errs:
        return None, errs
    return Rating(
        date=day, score=math.nan if score is None else score, pre_score=pre, tension=tension,
        intensity=intensity, resolved=resolved, session_id=cells.get("session_id") or None,
        missing=score is None,
    ), errs


def _date(raw: str, errs: list[str]) -> dt.date | dt.datetime | None:
    try:
        if "T" in raw or " " in raw:
            return dt.datetime.fromisoformat(raw)
        return dt.date.fromisoformat(raw)
    except ValueError:
        errs.append(f"date {raw!r} is not a date like 2024-03-01")
        return None


def _number(raw: str, name: str, errs: list[str]) -> float | None:
    if raw.lower() in _BLANK:
        return None
    try:
        # A lone decimal comma ("4,5", quoted in the CSV) is read as a decimal point.
        decimal_comma = raw.count(",") == 1 and "." not in raw
        value = float(raw.replace(",", ".") if decimal_comma else raw)
    except ValueError:
        errs.append(f"{name} {raw!r} is not a number")
        return None
    if not math.isfinite(value):
        errs.append(f"{name} {raw!r} is not a finite number")
        return None
    return value


def _flag(raw: str, errs: list[str]) -> bool | None:
    low = raw.lower()
    if low in _BLANK:
        return None
    if low in _YES:
        return True
    if low in _NO:
        return False
    errs.append(f"tension {raw!r} should be yes or no")
    return None


def _one_to_five(raw: str, name: str, errs: list[str]) -> int | None:
    if raw.lower() in _BLANK:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= 5:
        errs.append(f"{name} {raw!r} should be a whole number from 1 to 5")
        return None
    return int(raw)
