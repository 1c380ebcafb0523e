"""The JSON API's request bodies, declared once: the server validates with these and
:mod:`attunement.circle.openapi` turns the same declarations into JSON Schema.

Keeping one declaration means the published schema and the server cannot disagree about
what is accepted (the schemathesis test fuzzes exactly that). Validation collects every
problem, so a client gets all of them in one 400 answer (``{"fields": {name: message}}``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

# PostgreSQL text cannot hold NUL, and a journal entry never needs one.
NO_NUL = "^[^\\u0000]*$"
LOCAL_ID = re.compile(r"(?!\.{1,2}\Z)[A-Za-z0-9._:-]{1,100}")  # used with fullmatch
LOCAL_ID_PATTERN = "^(?!\\.{1,2}$)[A-Za-z0-9._:-]{1,100}$"
# Questionnaire ids as the journal's instrument files define them; never a file name
# (the server looks instruments up by id, and an id must not read as a path).
INSTRUMENT = re.compile(r"(?!.*\.(?:yaml|yml|json)\Z)[a-z0-9][a-z0-9._-]{0,99}")
INSTRUMENT_PATTERN = "^(?!.*\\.(yaml|yml|json)$)[a-z0-9][a-z0-9._-]{0,99}$"
# A comments cursor: microseconds since 1970, a dash, a comment id (used with fullmatch).
CURSOR = re.compile(r"([0-9]{1,18})-([0-9]{1,19})")
CURSOR_PATTERN = "^([0-9]{1,18}-[0-9]{1,19})?$"
MAX_ID = 2**63 - 1  # ids are 64-bit; a larger number can only be a guess
MAX_ANSWERS = 50
MAX_ANSWER_KEY = 100
MAX_ANSWER_TEXT = 4000
# A post lives in ONE circle, so each circle keeps its own conversation: comments,
# commenters' names and reactions are never seen from another circle. The document's
# maxItems comes from here too.
MAX_LIST = 1
ONE_CIRCLE = ("A post lives in one circle, so each circle keeps its own conversation: "
              "share it with each circle separately.")
STAYS_IN_ITS_CIRCLE = ("A post stays in the circle it was shared with, so that circle's "
                       "conversation stays there: to share it with another circle, send it "
                       "there under its own local_id (and DELETE this one if it should go).")
LIMIT_NUMBER = 1_000_000.0  # an alliance score is a small number on any real scale
# Years a stored moment may fall in (UTC): anything else is a typo, and the extremes
# break date arithmetic when shown in a local time zone.
FIRST_YEAR, LAST_YEAR = 1000, 9998
BODY_CHARS = 256 * 1024

KINDS = ("text", "bool", "datetime", "int", "number", "id", "id_list", "answers", "choice")


@dataclass(frozen=True)
class Field:
    """One member of a request body: its type, bounds and the default when it is left out."""

    name: str
    kind: str  # one of KINDS
    description: str
    required: bool = True
    nullable: bool = False
    min_length: int = 0
    max_length: int = 0  # text only; 0 means no field of that kind
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    default: Any = None
    # text only: the shape as a JSON Schema pattern, and the same rule for Python
    # (used with fullmatch: Python's "$" also matches before a final newline).
    pattern: str = NO_NUL
    regex: re.Pattern[str] | None = None
    shape: str = ""  # what the regex asks for, in words


class Invalid(Exception):
    """The body broke the declaration; ``fields`` maps each field name to what is wrong."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields


def bad_text(value: str) -> str | None:
    """Why a string cannot be stored (NUL, or a lone surrogate from a ``\\ud800`` escape)."""
    if "\x00" in value:
        return "contains a NUL character"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "contains an unpaired surrogate (not valid Unicode)"
    return None


def _text(f: Field, value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("must be a string")
    problem = bad_text(value)
    if problem:
        raise ValueError(problem)
    if len(value) < f.min_length:
        raise ValueError("must not be empty" if f.min_length == 1
                         else f"must have at least {f.min_length} characters")
    if len(value) > f.max_length:
        raise ValueError(f"must have at most {f.max_length} characters")
    if f.regex is not None and f.regex.fullmatch(value) is None:
        raise ValueError(f.shape)
    return value


def parse_moment(value: Any) -> datetime:
    """An ISO 8601 date and time with a UTC offset, as an aware UTC datetime."""
    if not isinstance(value, str) or len(value) > 64:
        raise ValueError("must be an ISO 8601 date and time with an offset, "
                         "like 2024-05-01T18:30:00+02:00")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError("is not an ISO 8601 date and time, like 2024-05-01T18:30:00+02:00"
                         ) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("needs a UTC offset, like +02:00 or Z")
    try:
        moment = moment.astimezone(UTC)
    except OverflowError:
        raise ValueError("is out of range") from None
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise ValueError(f"must fall between the years {FIRST_YEAR} and {LAST_YEAR}")
    return moment


def _int(f: Field, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("must be a whole number")
    lo = int(f.minimum) if f.minimum is not None else None
    hi = int(f.maximum) if f.maximum is not None else None
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise ValueError(f"must be between {lo} and {hi}")
    return value


def _number(f: Field, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a number")
    try:
        number = float(value)
    except OverflowError:
        raise ValueError("is too large") from None
    if not math.isfinite(number):
        raise ValueError("must be a finite number")
    lo, hi = f.minimum, f.maximum
    if (lo is not None and number < lo) or (hi is not None and number > hi):
        raise ValueError(f"must be between {lo:g} and {hi:g}")
    return number


def _id(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        raise ValueError("must be a circle id (a whole number from 1)")
    return value


def _id_list(value: Any) -> list[int]:
    if not isinstance(value, list):
        raise ValueError("must be a list of circle ids")
    if not value:
        raise ValueError("must name at least one circle")
    if len(value) > MAX_LIST:
        raise ValueError(ONE_CIRCLE)
    return [_id(v) for v in value]


def _answer(key: Any, value: Any) -> None:
    if not isinstance(key, str) or not 1 <= len(key) <= MAX_ANSWER_KEY or bad_text(key):
        raise ValueError(f"item ids must be 1-{MAX_ANSWER_KEY} characters without NUL")
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, int | float):
        try:
            finite = math.isfinite(float(value))
        except OverflowError:
            finite = False
        if not finite:
            raise ValueError(f"the answer to {key!r} is not a finite number")
        return
    if isinstance(value, str):
        if len(value) > MAX_ANSWER_TEXT or bad_text(value):
            raise ValueError(f"the answer to {key!r} must be text of at most "
                             f"{MAX_ANSWER_TEXT} characters without NUL")
        return
    raise ValueError(f"the answer to {key!r} must be a number, text, true/false or null")


def _answers(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError("must be an object of item id -> answer")
    if len(value) > MAX_ANSWERS:
        raise ValueError(f"can hold at most {MAX_ANSWERS} answers")
    for key, answer in value.items():
        _answer(key, answer)
    return dict(value)


def _choice(f: Field, value: Any) -> str:
    if value not in f.choices:
        raise ValueError("must be one of " + ", ".join(repr(c) for c in f.choices))
    return str(value)


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def clean_value(f: Field, value: Any) -> Any:
    """The value in Python terms, or ValueError saying (to a person) what is wrong."""
    if value is None:
        if f.nullable:
            return None
        raise ValueError("must not be null")
    kind = f.kind
    if kind == "text":
        return _text(f, value)
    if kind == "bool":
        return _bool(value)
    if kind == "datetime":
        return parse_moment(value)
    if kind == "int":
        return _int(f, value)
    if kind == "number":
        return _number(f, value)
    if kind == "id":
        return _id(value)
    if kind == "id_list":
        return _id_list(value)
    if kind == "answers":
        return _answers(value)
    return _choice(f, value)


def clean(data: Any, fields: tuple[Field, ...]) -> dict[str, Any]:
    """Validate a decoded JSON body against ``fields``; raise :class:`Invalid` with all errors."""
    if not isinstance(data, dict):
        raise Invalid({})
    known = {f.name for f in fields}
    errors = {str(k)[:100]: "is not a field of this request" for k in data if k not in known}
    out: dict[str, Any] = {}
    for f in fields:
        if f.name not in data:
            if f.required:
                errors[f.name] = "is required"
            else:
                out[f.name] = f.default
            continue
        try:
            out[f.name] = clean_value(f, data[f.name])
        except ValueError as exc:
            errors[f.name] = str(exc)
    if errors:
        raise Invalid(errors)
    return out


def valid_local_id(value: str) -> bool:
    """1-100 characters of [A-Za-z0-9._:-], and not "." or ".." (URL clients fold those)."""
    return LOCAL_ID.fullmatch(value) is not None


def text(name: str, description: str, max_length: int, *, min_length: int = 0,
         required: bool = True, default: str = "") -> Field:
    return Field(name, "text", description, required=required, min_length=min_length,
                 max_length=max_length, default=default)


def moment(name: str, description: str, *, required: bool = True,
           nullable: bool = False) -> Field:
    return Field(name, "datetime", description, required=required, nullable=nullable)


CONNECT = (
    text("code", "The code at the end of the connection link (<server>/connect/<code>).",
         200, min_length=1),
    text("device_name", "A name for this journal, shown on the server's list of connected "
         "journals. Left out or blank: the name given when the link was made.", 80,
         required=False, default=""),
)

POST = (
    text("title", "The entry's title (may be empty).", 300, required=False),
    text("body", "The entry (or the chosen excerpt) in Markdown.", BODY_CHARS),
    moment("written_at", "When the entry was written."),
    Field("is_excerpt", "bool", "True when only part of the entry is shared.",
          required=False, default=False),
    Field("circles", "id_list", "The circle to share with: a list of exactly one id of a "
          "circle you own (from GET me). A post lives in one circle, so each circle keeps "
          "its own conversation: to share an entry with several circles, send one post per "
          "circle, each with its own local_id. An existing post stays in its circle."),
)

THERAPY_CIRCLE = Field("circle", "id", "The id of a therapy circle you own (from GET me).")
SCORE = 100  # tension strength and resolution are small whole numbers (1-5 in ours)

CHECKIN = (
    THERAPY_CIRCLE,
    Field("instrument", "text", "The questionnaire's id, e.g. attunement-alliance-v1: "
          "lower-case letters, digits, '.', '_' and '-', starting with a letter or digit, "
          "not ending in .yaml, .yml or .json.", min_length=1, max_length=100,
          pattern=INSTRUMENT_PATTERN, regex=INSTRUMENT,
          shape="must be a questionnaire id: lower-case letters, digits, '.', '_' and '-', "
                "starting with a letter or digit (not a file name)"),
    text("instrument_version", "The questionnaire's version.", 30, required=False),
    Field("timing", "choice", "After (post) or before (pre) a session.",
          required=False, choices=("pre", "post"), default="post"),
    moment("session_at", "When the session was (null if unknown).", required=False,
           nullable=True),
    moment("completed_at", "When the check-in was filled in."),
    Field("answers", "answers", f"Item id -> answer (a number, text, true/false or null); "
          f"at most {MAX_ANSWERS} items, ids of 1-{MAX_ANSWER_KEY} characters."),
    Field("alliance", "number", "The alliance score the journal computed (null if none).",
          required=False, nullable=True, minimum=-LIMIT_NUMBER, maximum=LIMIT_NUMBER),
    Field("tension", "bool", "Whether tension or a misunderstanding was reported.",
          required=False, nullable=True),
    Field("tension_intensity", "int", "How strong the tension was.", required=False,
          nullable=True, minimum=0, maximum=SCORE),
    Field("tension_resolved", "int", "How far it was worked through.", required=False,
          nullable=True, minimum=0, maximum=SCORE),
    text("note", "A short note with the check-in.", 20_000, required=False),
)

NOTE = (
    THERAPY_CIRCLE,
    text("text", "What the writer wants to bring to the next session.", BODY_CHARS,
         min_length=1),
    moment("written_at", "When it was written."),
)
