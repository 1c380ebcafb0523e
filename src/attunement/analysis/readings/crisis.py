"""Words of crisis: a careful phrase list, read with negation, person and tense in mind.

A hit never raises an alarm: the UI shows a calm card with the supports the user chose.
Because a false card in an ordinary entry ("I'm dying to see her", "killing it at work")
would feel intrusive, the list keeps to first-person phrases that mean harm to oneself,
and a phrase is skipped when it is negated ("I'm not suicidal"), belongs to someone
else ("my uncle wanted to die at home"), is in the past by the writer's own words
("I used to cut myself"), is conditional ("if I ever felt suicidal"), or is a question
put to the writer ("she asked if I was suicidal").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from attunement.analysis.readings.text import clause_prefix, gated, keyword_gate, negated

CrisisKind = Literal["suicide", "wanting_to_die", "self_harm", "not_safe"]

# Accidents and idioms that share words with self-harm phrases.
_NOT_SELF_HARM = (r"(?!\s+(?:laughing|trying|at (?:the gym|work)|over|for\b|to (?:get|finish|make|"
                  r"please)|playing|running|lifting|cooking|shaving|chopping|on (?:a|the)\b"
                  r"|by accident|in the (?:kitchen|garden)|when I fell|falling))")
_I = r"(?:I|i)"
_PHRASES: list[tuple[CrisisKind, str]] = [
    ("suicide", r"\bsuicidal\b"),
    ("suicide", r"\b(?:my (?:own )?suicide|suicide (?:attempts?|plans?|notes?)|attempt(?:ed|ing)?"
                r" suicide|(?:thoughts?|thinking|thought) (?:of|about) (?:suicide|ending it)"
                r"|commit(?:ting)? suicide)\b"),
    ("suicide", r"\b(?:kill(?:ing)?|killed) myself\b" + _NOT_SELF_HARM),
    ("suicide", r"\b(?:end(?:ing)?|ended|take|taking|took) my (?:own )?life\b"),
    ("suicide", r"\bend(?:ing)? it all\b"),
    ("wanting_to_die", r"\b(?:want(?:s|ed|ing)?|wish(?:ed)?|need(?:ed)?|long(?:ed)?) to die\b"
                       r"(?! for)"),
    ("wanting_to_die", r"\bwish(?:ed)? " + _I + r" (?:was|were|could be) dead\b"),
    ("wanting_to_die", r"\bwish(?:ed)? " + _I + r" (?:could|would|'d) (?:just )?die\b"),
    ("wanting_to_die", r"\bwish(?:ed)? " + _I + r" (?:had never been|hadn't been|wasn't) born\b"),
    ("wanting_to_die", r"\b(?:be |are |is )?better off (?:dead|without me)\b"),
    ("wanting_to_die", r"\b(?:don't|do not|didn't|did not) want to (?:be alive|live|exist|be here"
                       r" any ?more|wake up|go on)\b"),
    ("wanting_to_die", r"\bno (?:reason|point) (?:to|in) (?:live|living|going on|being alive)\b"),
    ("wanting_to_die", r"\bnot worth living\b"),
    ("wanting_to_die", r"\b(?:hope|hoping|wish) (?:that )?" + _I + r" (?:don't|do not|won't|never)"
                       r" wake up\b"),
    ("wanting_to_die", r"\bgo to sleep and (?:never|not) wake up\b"),
    ("wanting_to_die", r"\bcan't go on any ?more\b"),
    ("wanting_to_die", r"\bno one would (?:care|notice|miss me) if " + _I + r" (?:died|was gone"
                       r"|were gone)\b"),
    ("self_harm", r"\bself[- ]?harm(?:ing|ed|s)?\b"),
    ("self_harm", r"\b(?:hurt|hurting|harm|harming|harmed|cut|cutting|burn|burnt|burned|burning"
                  r"|punish|punishing|punished) myself\b" + _NOT_SELF_HARM),
    ("self_harm", r"\burges? to (?:cut|hurt myself|harm|self[- ]harm|burn)\b"),
    ("self_harm", r"\b(?:overdose[ds]?|overdosing|OD'?d)\b"),
    ("self_harm", r"\btook (?:all (?:of )?my|too many|a handful of|the whole (?:box|bottle|packet)"
                  r" of) (?:pills|tablets|meds|medication)\b"),
    ("not_safe", r"\b(?:not|don't feel|do not feel|didn't feel) (?:feel(?:ing)? )?safe"
                 r" (?:with|from|around) myself\b"),
    ("not_safe", r"\b(?:can't|cannot|couldn't|could not|unable to|don't know if " + _I + r" can"
                 r"|not sure " + _I + r" can) keep myself safe\b"),
    ("not_safe", r"\b" + _I + r"(?:'m| am)(?: really)? not safe(?: right now| tonight| at the"
                 r" moment)?(?=\s*(?:[.!]|$|\band\b))"),
]
_ALL = re.compile("|".join(f"(?P<k{n}>{p})" for n, (_, p) in enumerate(_PHRASES)),
                  re.IGNORECASE)
_KINDS = {f"k{n}": kind for n, (kind, _) in enumerate(_PHRASES)}
# A sentence is searched only if it holds one of these (a C-speed substring test), which
# keeps the 26-phrase pattern off the great majority of sentences.
_GATE = keyword_gate((
    "suicid", "myself", "life", "it all", "die", "dead", "born", "better off", "live", "exist",
    "wake", "go on", "harm", "overdos", "od'd", "pills", "tablets", "meds", "medication",
    "miss me", "safe", "urge"))

_FIRST = re.compile(r"\b(?:I|i|I'm|i'm|I've|I'd|me|my|myself|we|us)\b")
_THIRD = re.compile(
    r"\b(?:he|she|they|his|their|him|them|someone|somebody|people|you|your|(?:my|our|her|his)"
    r" (?:mum|mom|mother|dad|father|sister|brother|friend|partner|husband|wife|son|daughter"
    r"|client|patient|cousin|aunt|uncle|grandma|grandmother|grandfather|grandpa|niece|nephew"
    r"|colleague|boss)|[A-Z][a-z]+'s)\b", re.IGNORECASE)
_NOT_NOW = re.compile(r"\b(?:used to|if|in case|when " + _I + r" was (?:young|younger|little"
                      r"|a kid|a child|a teenager|at school|in school))\b", re.IGNORECASE)
_ASKED = re.compile(r"\b(?:asked|asking|asks|ask)(?: me)? (?:if|whether|about|how)\b",
                    re.IGNORECASE)


@dataclass(frozen=True)
class CrisisMention:
    """A phrase that may mean the writer is not safe, with its span."""

    kind: CrisisKind
    text: str
    start: int
    end: int


def _someone_else(prefix: str, phrase: str) -> bool:
    """Whether the phrase belongs to another person rather than the writer."""
    if _FIRST.search(phrase):
        return False
    third = [m.end() for m in _THIRD.finditer(prefix)]
    first = [m.end() for m in _FIRST.finditer(prefix)]
    return bool(third) and (not first or third[-1] > first[-1])


def _skipped(text: str, sent: tuple[int, int], start: int, end: int) -> bool:
    prefix = clause_prefix(text, sent[0], start)
    before = text[sent[0]:start]
    if negated(prefix) or _NOT_NOW.search(prefix) or _ASKED.search(before):
        return True
    sentence = text[sent[0]:sent[1]].rstrip()
    if sentence.endswith("?") and re.search(r"\byou\b", sentence, re.IGNORECASE):
        return True  # a question put to the writer, not the writer's words
    return _someone_else(prefix, text[start:end])


def find_crisis(text: str, sents: list[tuple[int, int]]) -> list[CrisisMention]:
    """Crisis phrases in a normalised text, skipping negated and other people's."""
    found: list[CrisisMention] = []
    for sent in gated(text, sents, _GATE):
        chunk = text[sent[0]:sent[1]]
        for m in _ALL.finditer(chunk):
            start, end = sent[0] + m.start(), sent[0] + m.end()
            if not _skipped(text, sent, start, end):
                found.append(CrisisMention(_KINDS[m.lastgroup or ""], m.group(), start, end))
    return found
