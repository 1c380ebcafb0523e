"""People mentioned in an entry, and the links the writer draws to the therapist.

People are family and social roles ("my mum", "Dad", "my boss") and first names:
capitalised words not at the start of a sentence, minus the therapist's names, the
user's named parts and a list of capitalised words that are not people. A role comes
from ``known_people`` or from the words ("my sister Anna", "Anna, my boss").
Relations: "she's like my mother" (like), "she reminds me of my gran" (reminds),
"T is nothing like my mum" (unlike).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from attunement.analysis.readings.text import gated, keyword_gate, therapist_alternation

RelationKind = Literal["like", "unlike", "reminds"]

KIN: dict[str, str] = {
    "mum": "mother", "mom": "mother", "mother": "mother", "mummy": "mother", "mommy": "mother",
    "mam": "mother", "dad": "father", "father": "father", "daddy": "father", "papa": "father",
    "grandma": "grandmother", "grandmother": "grandmother", "gran": "grandmother",
    "granny": "grandmother", "nan": "grandmother", "nana": "grandmother",
    "grandpa": "grandfather", "grandfather": "grandfather", "grandad": "grandfather",
    "granddad": "grandfather", "stepmother": "stepmother", "stepmum": "stepmother",
    "stepmom": "stepmother", "stepfather": "stepfather", "stepdad": "stepfather",
    "sister": "sister", "brother": "brother", "aunt": "aunt", "auntie": "aunt",
    "uncle": "uncle", "cousin": "cousin", "son": "son", "daughter": "daughter",
    "wife": "wife", "husband": "husband", "partner": "partner", "boyfriend": "partner",
    "girlfriend": "partner", "ex": "ex-partner", "boss": "boss", "manager": "boss",
    "friend": "friend", "friends": "friends", "best friend": "friend", "teacher": "teacher",
    "colleague": "colleague", "coworker": "colleague", "co-worker": "colleague",
    "flatmate": "flatmate", "roommate": "flatmate", "doctor": "doctor", "gp": "doctor",
    "psychiatrist": "psychiatrist",
}
_KIN_WORDS = "|".join(sorted((re.escape(k) for k in KIN), key=len, reverse=True))
# "my mum", "our dad", "my late father"; bare family words only for parents and
# grandparents ("Mum said", "dad called"), where people drop the "my".
_KIN_RE = (r"(?:(?:my|our)\s+(?:(?:late|own|old|older|younger|little|big|first|real"
           r"|biological|adoptive|birth|best|new|former)\s+)?(?:" + _KIN_WORDS + r")"
           r"|(?:mum|mom|mam|mummy|mommy|dad|daddy|grandma|gran|granny|nan|nana|grandpa"
           r"|grandad)(?!\s+(?:jokes?|bod|vibes?))|(?:a|one of my) friends?)")
_KIN = re.compile(r"\b" + _KIN_RE + r"\b", re.IGNORECASE)
_NOT_NAME_WORDS = """
I I'm I've I'd I'll Im Ive Id T Dr Mr Mrs Ms Miss Monday Tuesday Wednesday Thursday Friday
Saturday Sunday January February March April May June July August September October November
December Christmas Easter Halloween Ramadan Eid Hanukkah Diwali Thanksgiving New Year God
Jesus Lord Heaven English British American Irish Scottish Welsh French German Spanish Italian
Internet Zoom Skype Teams WhatsApp Facebook Instagram Twitter Reddit Discord Google Netflix
Tumblr Youtube YouTube Spotify Amazon Mum Mom Dad Mam Mummy Mommy Daddy Grandma Gran Granny Nan
Nana Grandpa Grandad OK Okay Ok Oh Yes No Hi Hey Dear Please Thanks Sorry Maybe Also And But So
Then Today Tomorrow Yesterday Tonight Session Therapy Therapist Part Parts Little Inside Me My
"""
# A name stands between spaces or ordinary punctuation and has a vowel: that keeps
# stray letter pairs in pasted garbage ("Gb", "Mx") out.
_NAME = re.compile(r"(?:(?<=[\s(\"'\u201c\u2018])|^)(?=[A-Z][a-z]*[aeiouy])[A-Z][a-z\u00e0-\u00ff]+"
                   r"(?:-[A-Z][a-z]+)?(?=[\s.,;:!?)\"'\u201d]|'s\b|$)")
_NOT_NAMES = frozenset(_NOT_NAME_WORDS.split())
_PLACE_BEFORE = re.compile(r"\b(?:in|at|from|near|around|across|through|visit(?:ed|ing)?"
                           r"|(?:went|go|going|drove|flew|moved|moving|move|travel+ed|back"
                           r"|trip) to)\s+$", re.IGNORECASE)
_ROLE_AFTER = re.compile(r"^,?\s+(?:my|our)\s+(" + _KIN_WORDS + r")\b", re.IGNORECASE)
_ROLE_BEFORE = re.compile(r"\b(?:my|our)\s+(" + _KIN_WORDS + r")\s+$", re.IGNORECASE)


@dataclass(frozen=True)
class PersonMention:
    """Someone the entry mentions: a role ("mother") or a first name, with its span."""

    person: str  # "mother" for "my mum"; the name for a name
    role: str | None
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Relation:
    """A link the writer draws between the therapist and someone: like, unlike, reminds."""

    person: str
    relation: RelationKind
    text: str
    start: int
    end: int


def kin_role(words: str) -> str:
    """The canonical role of a family or social word ("my late Mum" -> "mother")."""
    tail = words.lower().split()
    for size in (2, 1):
        key = " ".join(tail[-size:])
        if key in KIN:
            return KIN[key]
    return words.lower()


def find_people(text: str, sents: list[tuple[int, int]], known_people: dict[str, str],
                exclude: frozenset[str]) -> list[PersonMention]:
    """Family and social roles and first names in a normalised text."""
    found = [PersonMention(kin_role(m.group()), kin_role(m.group()), m.group(), m.start(),
                           m.end()) for m in _KIN.finditer(text)]
    starts = {_first_word(text, s) for s in sents}
    for m in _NAME.finditer(text):
        name = m.group()
        if name in exclude or (name not in known_people and _not_a_name(text, m, starts)):
            continue
        role = known_people.get(name) or _stated_role(text, m.start(), m.end())
        found.append(PersonMention(name, role, name, m.start(), m.end()))
    found = _drop_appositive_roles(found)
    for name, role in known_people.items():
        if name[:1].islower():  # lower-case known names are matched as typed
            for m in re.finditer(r"(?<![\w'-])" + re.escape(name) + r"(?![\w'-])", text):
                found.append(PersonMention(name, role, name, m.start(), m.end()))
    return sorted(found, key=lambda p: p.start)


def _drop_appositive_roles(found: list[PersonMention]) -> list[PersonMention]:
    """Drop "my friend" when it only introduces a name ("my friend Anna", "Ben, my boss")."""
    named = [p for p in found if p.person[:1].isupper() and p.role]
    return [p for p in found if p.person[:1].isupper() or not any(
        p.role == n.role and (0 <= n.start - p.end <= 1 or 0 <= p.start - n.end <= 2)
        for n in named)]


def _not_a_name(text: str, m: re.Match[str], starts: set[int]) -> bool:
    if m.group() in _NOT_NAMES or m.start() in starts:
        return True
    return _PLACE_BEFORE.search(text[max(0, m.start() - 24):m.start()]) is not None


def _first_word(text: str, sent: tuple[int, int]) -> int:
    """Where a sentence's first word starts, past quotes, bullets and Markdown marks."""
    pos = sent[0]
    while pos < sent[1] and not text[pos].isalnum():
        pos += 1
    return pos


def _stated_role(text: str, start: int, end: int) -> str | None:
    after = _ROLE_AFTER.match(text[end:end + 40])
    if after:
        return kin_role(after.group(1))
    before = _ROLE_BEFORE.search(text[max(0, start - 40):start])
    return kin_role(before.group(1)) if before else None


_LIKE_VERBS = (r"(?:is|'s|was|were|feels|felt|seems|seemed|looks|looked|sounds|sounded|acts"
               r"|acted|acting|behaves|behaved|talks|talked|speaks|spoke|treats me|treated me)")
_INTRO = (r"(?:(?:just|so|exactly|a bit|a little|kind of|sort of|really|too|such|very|so much"
          r"|much|almost|totally|completely)\s+)*")
_WITH = r"(?:being with|talking to|sitting with|being back with|sitting across from|(?:I|i) was" \
        r" (?:with|talking to|back with)|being a child with|being little with)"


@lru_cache(maxsize=32)
def _relation_patterns(names: tuple[str, ...], others: tuple[str, ...]
                       ) -> tuple[re.Pattern[str], list[RelationKind]]:
    # "she's" has no space before the verb; every other verb does.
    ther = r"(?:she|he|they|" + therapist_alternation(names)[3:-1] + r")(?:\s+|(?='))"
    name_alt = "|".join(re.escape(n) for n in others if n)
    person = r"(?P<person>" + _KIN_RE + (r"|(?-i:" + name_alt + r")" if name_alt else "") + r")"
    raw: list[tuple[RelationKind, str]] = [
        ("unlike", ther + r"(?:is|'s|was|feels|felt|seems|seemed)\s+(?:nothing|not|not at all"
                   r"|never)\s+" + _INTRO + r"like\s+" + person),
        ("unlike", ther + r"(?:isn't|wasn't|doesn't seem|didn't seem|doesn't feel|didn't feel"
                   r"|is not|was not)\s+" + _INTRO + r"like\s+" + person),
        ("unlike", ther + r"(?:is|'s|was)\s+(?:so |very |completely |totally )?(?:different"
                   r" from|the opposite of|unlike)\s+" + person),
        ("unlike", ther + r"(?:doesn't|does not|didn't|did not|never)\s+remind(?:s|ed)? me of\s+"
         + person),
        ("reminds", ther + r"(?:really |so |sometimes |still |always )?remind(?:s|ed)? me"
                    r"\s+(?:so much |a lot |a bit |of all people )?of\s+" + person),
        ("reminds", r"(?:I|i)\s+(?:see|saw|can see|could see|keep seeing)\s+" + person
         + r"\s+in\s+(?:her|him|them|" + therapist_alternation(names) + r")"),
        ("like", ther + _LIKE_VERBS + r"\s+" + _INTRO + r"like\s+" + person),
        ("like", ther + r"(?:could be|could have been|became|becomes|has become|is becoming"
                 r"|'s becoming)\s+(?:(?:a|the)\s+)?(?:new |second |substitute |surrogate )?"
         + person),
        ("like", ther + r"(?:is|'s|was)\s+(?:the|a)\s+(?P<person>mother|father|mum|mom|dad"
                 r"|parent|grandmother|grandfather)\s+(?:I|i)\s+never\s+had"),
        ("like", r"\bit\s+(?:felt|feels|was|is)\s+" + _INTRO + r"like\s+" + _WITH + r"\s+"
         + person),
        ("like", _WITH + r"\s+(?:her|him|them|" + therapist_alternation(names)[3:-1] + r")\s+"
                 r"(?:is|was|felt|feels)\s+" + _INTRO + r"like\s+(?:" + _WITH + r"\s+)?" + person),
    ]
    # One alternation, one pass per sentence; group "person<n>" says which rule matched.
    joined = "|".join(r"(?:\b" + p.replace("(?P<person>", f"(?P<person{n}>") + r"\b)"
                      for n, (_, p) in enumerate(raw))
    return re.compile(joined, re.IGNORECASE), [kind for kind, _ in raw]


_REL_GATE = keyword_gate((
    "like", "remind", "different", "opposite", "see", "saw", "becom", "became", "could be",
    "never had"))


def find_relations(text: str, sents: list[tuple[int, int]], therapist_names: tuple[str, ...],
                   other_names: tuple[str, ...]) -> list[Relation]:
    """Links between the therapist and another person, with their spans."""
    found: list[Relation] = []
    pattern, kinds = _relation_patterns(therapist_names, other_names)
    for start, end in gated(text, sents, _REL_GATE):
        for m in pattern.finditer(text, start, end):
            n, raw = next((int(k[6:]), v) for k, v in m.groupdict().items() if v is not None)
            person = raw if raw in other_names else kin_role(raw)
            found.append(Relation(person, kinds[n], m.group(), m.start(), m.end()))
    return found
