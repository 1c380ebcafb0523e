"""Extra readings of a journal entry, shown beside the markers.

:func:`read_entry` finds, with character spans into the text:

- parts language ("a part of me", "the little one", named parts, a system's "we");
- people mentioned, and the links the writer draws between them and the therapist
  ("she's like my mother", "T is nothing like my mum");
- contacts between sessions, as suggestions to add to the record;
- words of crisis, for a calm card with the user's own supports (never an alarm).

Pure regular expressions compiled once: no model, no Django, a couple of
milliseconds for a long entry.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from attunement.analysis.readings.contacts import ContactSuggestion, find_contacts
from attunement.analysis.readings.crisis import CrisisMention, find_crisis
from attunement.analysis.readings.parts import PartsMention, find_parts
from attunement.analysis.readings.people import (
    PersonMention,
    Relation,
    find_people,
    find_relations,
)
from attunement.analysis.readings.text import normalise, sentences

__all__ = ["ContactSuggestion", "CrisisMention", "PartsMention", "PersonMention", "Readings",
           "Relation", "read_entry"]


@dataclass(frozen=True)
class Readings:
    """Everything read from one entry; every item carries (start, end) into the text."""

    parts_language: list[PartsMention] = field(default_factory=list)
    people: list[PersonMention] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    contacts: list[ContactSuggestion] = field(default_factory=list)
    crisis: list[CrisisMention] = field(default_factory=list)

    @property
    def has_crisis(self) -> bool:
        """Whether the entry holds words of crisis (the UI shows the supports card)."""
        return bool(self.crisis)


def read_entry(text: str, *, known_people: dict[str, str] | None = None,
               known_parts: list[str] | None = None,
               therapist_names: list[str] | None = None,
               entry_date: dt.date | None = None) -> Readings:
    """Read parts language, people, relations, contacts and crisis words in an entry."""
    if not text or not text.strip():
        return Readings()
    norm = normalise(text)
    sents = sentences(norm)
    names = tuple(n.strip() for n in therapist_names or () if n and n.strip())
    parts = tuple(p for p in known_parts or () if p and p.strip())
    people_known = dict(known_people or {})
    # The therapist's and the parts' names are never "people mentioned".
    exclude = frozenset(names) | frozenset(parts)
    people = find_people(norm, sents, people_known, exclude)
    others = tuple(sorted({p.person for p in people if p.person[:1].isupper()}))
    return Readings(
        parts_language=find_parts(norm, sents, parts),
        people=people,
        relations=find_relations(norm, sents, names, others),
        contacts=find_contacts(norm, sents, names, entry_date),
        crisis=find_crisis(norm, sents),
    )
