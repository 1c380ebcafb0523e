"""Small helpers shared by the JSON and CSV importers."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from attunement.io.limits import InputError, line_of
from attunement.io.records import Problem

_TAG_SYMBOLS = "@#"


def decode_text(raw: bytes, what: str) -> str:
    """Decode UTF-8 (a leading BOM is allowed) or raise InputError with the line."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(Problem(
            f"line {line_of(raw, exc.start)}",
            f"This {what} is not valid UTF-8 text. It may have been re-saved in another "
            "text encoding; exporting it again should help.",
        )) from exc


def load_json(raw: bytes, what: str) -> Any:
    """Parse JSON text or raise InputError saying where it breaks."""
    text = decode_text(raw, what)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(Problem(
            f"line {exc.lineno}, column {exc.colno}",
            f"This {what} is not valid JSON ({exc.msg}).",
        )) from exc
    except RecursionError as exc:  # thousands of nested brackets
        raise InputError(Problem("", f"This {what} is nested too deeply to read.")) from exc


def clean_tag(tag: str) -> str:
    """A tag without jrnl's leading @ or # and without surrounding space."""
    return tag.strip().lstrip(_TAG_SYMBOLS).strip()


def unique_tags(tags: list[str]) -> list[str]:
    """Tags with empties and case-insensitive repeats removed, order kept."""
    seen: set[str] = set()
    out: list[str] = []
    for tag in tags:
        if tag and tag.casefold() not in seen:
            seen.add(tag.casefold())
            out.append(tag)
    return out


def local_datetime(naive: dt.datetime, tz: dt.tzinfo | None) -> dt.datetime:
    """Attach ``tz``, or this computer's local zone (with its summer time) when None."""
    if tz is not None:
        return naive.replace(tzinfo=tz)
    return naive.astimezone()  # a naive datetime is taken as local time here


