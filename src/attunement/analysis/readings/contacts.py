"""Contacts between sessions mentioned in an entry, offered as suggestions for the record.

"I called her and left a voicemail", "she texted back", "I emailed her last night",
"she rang to cancel". Only past, actual contacts count: "I didn't call her", "I almost
texted her", "I should have written to her" and "I'll email her tomorrow" give nothing.
An object other than the therapist ("I called my mum") gives nothing either. Replies
("she texted back", "she didn't pick up") mark the writer's earlier contact as answered
or not, instead of adding a second one. A relative day ("yesterday", "on Monday") is
resolved against the entry's date when it is given.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Literal

from attunement.analysis.readings.text import (
    clause_prefix,
    gated,
    keyword_gate,
    mentions_other_person,
    negated,
    therapist_alternation,
    therapist_mention,
)

ContactKind = Literal["call", "voicemail", "text", "email", "letter"]
Initiator = Literal["me", "therapist"]

_NOUNS: dict[str, ContactKind] = {
    "text": "text", "texts": "text", "message": "text", "whatsapp": "text", "dm": "text",
    "email": "email", "e-mail": "email", "mail": "email", "letter": "letter", "card": "letter",
    "note": "letter", "postcard": "letter", "voicemail": "voicemail", "voice mail": "voicemail",
    "voice note": "voicemail", "voice message": "voicemail", "call": "call",
    "phone call": "call",
}
_NOUN = r"(?:voice ?mail|voice note|voice message|phone call|e-?mail|whatsapp|postcard|message" \
        r"|letter|texts?|card|note|mail|dm)"
_ADV = (r"(?:finally|just|then|also|actually|eventually|even|already|quickly|impulsively"
        r"|stupidly|still|immediately|later|briefly|secretly|anxiously|nervously|again|only"
        r"|spontaneously|suddenly)")
_FOLLOW = (r"(?:\s*$|\s*[,;.!?:)]|\s+(?:and|but|back|again|at|on|last|yesterday|tonight|today"
           r"|this|to|after|before|earlier|twice|once|late|early|from|in the|between|straight"
           r"|right|just|then|when|while|because|so|even|about|around|the next|first|for a)\b)")
_A = r"(?:a|an|another|two|a long|a short|a quick|a brief|a little|a rambling|a tearful)"
_CALL = {"called": "call", "rang": "call", "phoned": "call", "rung": "call", "texted": "text",
         "messaged": "text", "whatsapped": "text", "emailed": "email", "e-mailed": "email"}
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_NUMBERS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_WHEN = re.compile(
    r"\b(?:(?P<n>a|one|two|three|four|five|six|\d{1,2}) days? ago|(?P<d2>the day before yesterday)"
    r"|(?P<d1>yesterday|last night)|(?P<d0>this (?:morning|afternoon|evening)|tonight|today"
    r"|earlier today)|(?:(?P<last>last|on|this) )?(?P<wd>" + "|".join(_WEEKDAYS) + r")"
    r"(?: (?:morning|afternoon|evening|night))?)\b", re.IGNORECASE)
_GATE = keyword_gate((
    "call", "rang", "rung", "phon", "text", "messag", "mail", "wrote", "sent", "left", "tried",
    "whatsapp", "letter", "card", "note", "voice", "dm"))
_UNSENT = re.compile(r"\b(?:never sent|didn't send|did not send|won't send|not sent|haven't sent"
                     r"|never gave|didn't give)\b", re.IGNORECASE)
_HYPO = re.compile(r"\b(?:if|unless|whether|in case|wish|wished|imagine|imagined|tempted"
                   r"|thought about|thinking about|considered|pretend)\b", re.IGNORECASE)


@dataclass(frozen=True)
class ContactSuggestion:
    """A contact between sessions the entry mentions, to offer for the record."""

    kind: ContactKind
    initiated_by: Initiator
    text: str
    start: int
    end: int
    answered: bool | None = None
    when: dt.date | None = None
    when_text: str | None = None


@lru_cache(maxsize=32)
def _patterns(names: tuple[str, ...]) -> dict[str, re.Pattern[str]]:
    inner = therapist_alternation(names)[3:-1]
    obj = r"(?:her|him|them|" + inner + r")"
    subj = r"(?:she|he|they|" + inner + r")"
    me = r"(?:(?<![\w'])(?:I|i)(?:'ve|'d|\s+have|\s+had)?\s+|^)"
    raw = {
        "me": me + r"(?:" + _ADV + r"\s+)*(?P<verb>called|rang|phoned|rung|texted|messaged"
              r"|whatsapped|e-?mailed|wrote|sent|left|tried (?:to (?:call|ring|phone|reach)"
              r"|calling|ringing|phoning))\b",
        "ther": r"\b" + subj + r"\s+(?:" + _ADV + r"\s+)*(?P<verb>called|rang|phoned|texted"
                r"|messaged|e-?mailed|wrote|sent|left)\b",
        "got": r"\b(?:(?:I|i)\s+(?:" + _ADV + r"\s+)*(?:got|had|received|found)|there was)\s+"
               + _A + r"\s+(?P<noun>" + _NOUN + r"|call)\s+from\s+" + obj + r"\b",
        "obj_follow": r"^\s+" + obj + _FOLLOW,
        "implicit": r"^" + _FOLLOW,
        "wrote": r"^\s+(?:" + obj + r"\s+" + _A + r"\s+(?P<n1>" + _NOUN + r")|" + _A
                 + r"\s+(?P<n2>" + _NOUN + r")(?:\s+to\s+" + obj + r"\b|(?!\s+(?:to|for)\b))|to\s+"
                 + obj + r"\b)",
        "sent": r"^\s+(?:" + obj + r"\s+(?:" + _A + r"\s+|the\s+)?(?P<n1>" + _NOUN + r")|" + _A
                + r"\s+(?P<n2>" + _NOUN + r")(?:\s+to\s+" + obj + r"\b|(?!\s+(?:to|for)\b)))",
        "left": r"^\s+(?:" + obj + r"\s+)?" + _A + r"\s+(?P<n1>voice ?mail|voice note"
                r"|voice message|message)\b(?!\s+(?:for|to|with)\s+(?!" + obj + r"\b))",
        "ther_reply": r"^(?:\s+me)?\s+back\b",
        "ther_call": r"^(?:\s+me)?" + _FOLLOW,
        "ther_wrote": r"^\s+(?:back\b|to me\b|me\s+" + _A + r"\s+(?P<n1>" + _NOUN + r"))",
        "ther_sent": r"^\s+me\s+" + _A + r"\s+(?P<n1>" + _NOUN + r")",
        "ther_left": r"^\s+(?:me\s+)?" + _A + r"\s+(?P<n1>voice ?mail|voice note|voice message"
                     r"|message)\b",
        "yes": r"\b" + subj + r"\s+(?:" + _ADV + r"\s+)*(?:picked up|answered|replied|responded"
               r"|got back to me|returned my (?:call|message|text|email))\b|\b(?:I|i) heard back\b",
        "no": r"\b" + subj + r"\s+(?:didn't|did not|never|hasn't|has not|still hasn't|won't"
              r"|wouldn't)\s+(?:" + _ADV + r"\s+)*(?:pick up|answer|reply|respond|get back to me"
              r"|call (?:me )?back|ring (?:me )?back|text (?:me )?back|write back|email (?:me )?"
              r"back|return my \w+)\b|\bno (?:reply|answer|response)\b|\b(?:didn't|did not"
              r"|never|haven't|have not) hear(?:d)? back\b|\bwent (?:straight )?to voice ?mail\b",
    }
    return {k: re.compile(v, re.IGNORECASE) for k, v in raw.items()}


def resolve_day(match: re.Match[str], entry_date: dt.date | None) -> dt.date | None:
    """The date a relative day expression points at, counted back from the entry date."""
    if entry_date is None:
        return None
    if match.group("n"):
        word = match.group("n").lower()
        back = int(word) if word.isdigit() else _NUMBERS[word]
    elif match.group("d2"):
        back = 2
    elif match.group("d1"):
        back = 1
    elif match.group("d0"):
        back = 0
    else:
        back = (entry_date.weekday() - _WEEKDAYS.index(match.group("wd").lower())) % 7
        if back == 0 and (match.group("last") or "").lower() == "last":
            back = 7
    return entry_date - dt.timedelta(days=back)


def _kind_from_tail(verb: str, tail: str, pats: dict[str, re.Pattern[str]]
                    ) -> tuple[ContactKind | None, bool]:
    """(kind, explicit) for the writer's verb and the words after it; None if no contact."""
    verb = verb.lower()
    if verb.startswith("tried"):
        verb = "called"
    if verb in _CALL:
        m = pats["obj_follow"].match(tail)
        if m or pats["implicit"].match(tail):
            return _CALL[verb], bool(m)  # type: ignore[return-value]
        return None, False
    key = {"wrote": "wrote", "sent": "sent", "left": "left"}[verb]
    m = pats[key].match(tail)
    if not m:
        return None, False
    noun = (m.groupdict().get("n1") or m.groupdict().get("n2") or "letter").lower()
    if verb == "left" and noun == "message":
        return "voicemail", True
    return _noun_kind(noun), True


def _noun_kind(noun: str) -> ContactKind:
    noun = noun.lower()
    if noun.startswith("voice"):
        return "voicemail"
    return _NOUNS.get(noun, "text")


def _when(sentence: str, entry_date: dt.date | None
          ) -> tuple[dt.date | None, str | None]:
    m = _WHEN.search(sentence)
    if m is None:
        return None, None
    return resolve_day(m, entry_date), m.group()


def _allowed(text: str, sent: tuple[int, int], start: int, explicit: bool,
             names: tuple[str, ...]) -> bool:
    """Whether a contact verb is real: not negated, hypothetical, asked, or someone else's."""
    prefix = clause_prefix(text, sent[0], start)
    if negated(prefix) or _HYPO.search(prefix):
        return False
    sentence = text[sent[0]:sent[1]]
    if sentence.rstrip().endswith("?"):
        return False
    if explicit and therapist_mention(names).search(sentence):
        return True
    # A pronoun or no object at all: trust it only when nobody else is in the sentence.
    return not mentions_other_person(sentence)


def _mine(text: str, sent: tuple[int, int], pats: dict[str, re.Pattern[str]],
          names: tuple[str, ...], entry_date: dt.date | None) -> list[ContactSuggestion]:
    chunk = text[sent[0]:sent[1]]
    out: list[ContactSuggestion] = []
    for m in pats["me"].finditer(chunk):
        tail = re.split(r"[.;!?]", chunk[m.end():], maxsplit=1)[0]
        kind, explicit = _kind_from_tail(m.group("verb"), tail, pats)
        start = sent[0] + m.start()
        if kind is None or not _allowed(text, sent, start, explicit, names):
            continue
        if kind == "letter" and _UNSENT.search(tail):
            continue
        if kind == "call" and re.search(r"\bleft (?:her |him |them )?" + _A
                                        + r" (?:voice ?mail|message|voice note)", tail, re.I):
            kind = "voicemail"
        answered = False if m.group("verb").lower().startswith("tried") else None
        when, when_text = _when(chunk, entry_date)
        out.append(ContactSuggestion(kind, "me", text[start:sent[1]], start, sent[1],
                                     answered, when, when_text))
    return _merge(out)


def _merge(found: list[ContactSuggestion]) -> list[ContactSuggestion]:
    """One suggestion per kind and sentence; a voicemail absorbs the call before it."""
    out: list[ContactSuggestion] = []
    for s in found:
        prev = out[-1] if out else None
        if prev and prev.start <= s.start < prev.end and (
                prev.kind == s.kind or {prev.kind, s.kind} == {"call", "voicemail"}):
            out[-1] = replace(prev, kind="voicemail" if "voicemail" in (prev.kind, s.kind)
                              else prev.kind)
            continue
        out.append(s)
    return out


def _theirs(text: str, sent: tuple[int, int], pats: dict[str, re.Pattern[str]],
            names: tuple[str, ...], entry_date: dt.date | None
            ) -> list[tuple[ContactSuggestion, bool]]:
    """The therapist's contacts in a sentence, each with whether it is a reply."""
    chunk = text[sent[0]:sent[1]]
    out: list[tuple[ContactSuggestion, bool]] = []
    hits: list[tuple[re.Match[str], ContactKind, bool]] = []
    for m in pats["ther"].finditer(chunk):
        verb, tail = m.group("verb").lower(), chunk[m.end():]
        kind, reply = _their_kind(verb, tail, pats)
        if kind is not None:
            hits.append((m, kind, reply))
    for m in pats["got"].finditer(chunk):
        hits.append((m, _noun_kind(m.group("noun")), False))
    for m, kind, reply in hits:
        start = sent[0] + m.start()
        if not _allowed(text, sent, start, True, names):
            continue
        when, when_text = _when(chunk, entry_date)
        out.append((ContactSuggestion(kind, "therapist", text[start:sent[1]], start, sent[1],
                                      None, when, when_text), reply))
    return out


def _their_kind(verb: str, tail: str, pats: dict[str, re.Pattern[str]]
                ) -> tuple[ContactKind | None, bool]:
    reply = bool(pats["ther_reply"].match(tail))
    if verb in _CALL:
        ok = reply or pats["ther_call"].match(tail)
        return (_CALL[verb] if ok else None), reply  # type: ignore[return-value]
    key = {"wrote": "ther_wrote", "sent": "ther_sent", "left": "ther_left"}[verb]
    m = pats[key].match(tail)
    if not m:
        return None, False
    noun = (m.groupdict().get("n1") or "").lower()
    if verb == "left" and noun == "message":
        return "voicemail", False
    return (_noun_kind(noun) if noun else "letter"), m.group().strip().lower() == "back"


def find_contacts(text: str, sents: list[tuple[int, int]], therapist_names: tuple[str, ...],
                  entry_date: dt.date | None = None) -> list[ContactSuggestion]:
    """Contacts between sessions in a normalised text, with replies folded in."""
    pats = _patterns(therapist_names)
    found: list[ContactSuggestion] = []
    for sent in gated(text, sents, _GATE):
        found.extend(_mine(text, sent, pats, therapist_names, entry_date))
        for sugg, reply in _theirs(text, sent, pats, therapist_names, entry_date):
            if not (reply and _mark_answered(found, sugg.start, True)):
                found.append(sugg)
    if not any(s.initiated_by == "me" for s in found):
        return found
    for key, value in (("yes", True), ("no", False)):
        for m in pats[key].finditer(text):
            _mark_answered(found, m.start(), value)
    return sorted(found, key=lambda s: s.start)


def _mark_answered(found: list[ContactSuggestion], pos: int, value: bool) -> bool:
    """Set ``answered`` on the writer's latest contact before ``pos``; False if none."""
    for i in range(len(found) - 1, -1, -1):
        s = found[i]
        if s.initiated_by == "me" and s.start < pos:
            if s.answered is None or (value and s.answered is False and s.end <= pos):
                found[i] = replace(s, answered=value)
            return True
    return False
