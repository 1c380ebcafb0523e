"""Per-part sharing rules: what a part writes is never shared unless its own rule allows.

Each part has a rule with two switches, both off by default: its writing may be shared
with circles, and/or with the therapist. The rules are stored as one ``record.Setting``
row named ``parts_sharing``, keyed by the part's stable ``key`` (so a re-imported part
keeps its rule)::

    {"<part key>": {"circles": false, "therapist": true}, ...}

A part with no row, or a row that cannot be read, has the default: never shared.

:func:`check` is what the publish step asks before an entry (or a check-in) leaves the
journal. Every part linked to it as *writing* must allow the destination; states
("unknown", "blurry") have no rules of their own. While the parts feature is off the
rules do not apply and :func:`check` allows everything: the person shares as anyone
does, one choice per entry; the settings card says so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from attunement.parts import authorship, prefs
from attunement.parts.models import Authorship, Part
from attunement.record.models import Setting

SETTING_NAME = "parts_sharing"


@dataclass(frozen=True)
class Rule:
    """Where a part's writing may go. Both False (never shared) unless the person says so."""

    circles: bool = False
    therapist: bool = False

    @property
    def summary(self) -> str:
        """The rule in a few words, to follow "what <part> writes"."""
        if self.circles and self.therapist:
            return "may be shared with circles and with the therapist"
        if self.circles:
            return "may be shared with circles, not with the therapist"
        if self.therapist:
            return "may be shared with the therapist, not with circles"
        return "is never shared"

    def as_json(self) -> dict[str, bool]:
        return {"circles": self.circles, "therapist": self.therapist}

    @classmethod
    def from_json(cls, raw: Any) -> Rule:
        """Read a stored rule; anything unreadable is the default (never shared)."""
        if not isinstance(raw, dict):
            return cls()
        return cls(circles=raw.get("circles") is True, therapist=raw.get("therapist") is True)


def _stored() -> dict[str, Any]:
    row = Setting.objects.filter(name=SETTING_NAME).first()
    return row.value if row is not None and isinstance(row.value, dict) else {}


def rule_for(part: Part) -> Rule:
    """The part's rule (the default, never shared, when none was set)."""
    return Rule.from_json(_stored().get(part.key))


def rules_for(parts: Iterable[Part]) -> dict[int, Rule]:
    """Rules of several parts at once, by part id (one read of the setting)."""
    stored = _stored()
    return {p.pk: Rule.from_json(stored.get(p.key)) for p in parts}


@transaction.atomic
def set_rule(part: Part, rule: Rule) -> None:
    """Store the part's rule; rules of parts no longer in the journal are dropped."""
    stored = _stored()
    stored[part.key] = rule.as_json()
    known = set(Part.objects.filter(key__in=list(stored)).values_list("key", flat=True))
    kept = {k: v for k, v in stored.items() if k in known}
    Setting.objects.update_or_create(name=SETTING_NAME, defaults={"value": kept})


def _name(part: Part) -> str:
    return part.name or f"the part with no name (#{part.pk})"


def _refusal(where: str, parts: list[Part]) -> str:
    """'Not shared with circles: the sharing rule of Ash (who wrote this) does not allow it.'"""
    names = [_name(p) for p in parts]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    rules, verb = ("rule", "does") if len(names) == 1 else ("rules", "do")
    head = f"Not shared {where}: the sharing {rules} of {listed}"
    return head + f" (who wrote this) {verb} not allow it."


def writers(item: Any) -> list[Part]:
    """The parts linked to an entry or check-in as writing (states left out)."""
    if getattr(item, "pk", None) is None:
        return []  # not saved yet: nobody can be linked to it
    links = authorship.links(item, Authorship.Role.WRITING)
    return [a.part for a in links if a.part is not None]


def check(entry: Any, wants_circles: bool, wants_therapist: bool) -> tuple[bool, str]:
    """May ``entry`` (an entry or a check-in) be shared where asked? And if not, why.

    Returns ``(True, "")`` when it may; ``(False, reason)`` naming every part whose rule
    stands in the way and where to. Every writing part must allow every destination
    asked for. An item no part is linked to as writing has no rule to keep. While the
    feature is off, the rules do not apply: always ``(True, "")``.
    """
    if not (wants_circles or wants_therapist) or not prefs.is_enabled():
        return True, ""
    parts = writers(entry)
    rules = rules_for(parts)
    blocked = {
        "with circles": [p for p in parts if wants_circles and not rules[p.pk].circles],
        "with the therapist": [p for p in parts if wants_therapist and not rules[p.pk].therapist],
    }
    circles, therapist = blocked.values()
    if circles and circles == therapist:
        return False, _refusal("with circles or the therapist", circles)
    refusals = [_refusal(where, no) for where, no in blocked.items() if no]
    return (False, " ".join(refusals)) if refusals else (True, "")
