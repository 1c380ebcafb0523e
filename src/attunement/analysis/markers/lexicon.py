"""Word lists and the main-subject rule behind the second set of rule features.

These say what a sentence is about without naming a label: the writer denying a feeling
("it didn't matter", "I'm fine"), criticising themself, complaining, apologising, feeling
close or far, reaching out; the therapist doing something to the writer; and who the
subject of the main clause is once a leading "When she asked ..., " is set aside. The
reported-speech crosses ("I said" + a denial, a self-criticism or a complaint) separate
withdrawal from confrontation when both are said out loud.
"""

from __future__ import annotations

import re


def _words(*patterns: str) -> re.Pattern[str]:
    """One compiled alternation of whole-word patterns."""
    return re.compile(r"\b(?:" + "|".join(patterns) + r")\b")


LEXICON: dict[str, re.Pattern[str]] = {
    "affect_denial": _words(
        r"(?:didn'?t|doesn'?t|wouldn'?t|won'?t|does not|did not) (?:really )?"
        r"(?:matter|bother|touch|sting|hurt|mind|affect)\w*",
        r"(?:not|n'?t) (?:really |even )?"
        r"(?:bothered|upset|hurt|attached|affected|angry|sad|fussed)",
        r"i(?:'m| am| was) (?:totally |completely |honestly |really |perfectly )?(?:fine|okay|ok)",
        r"no big deal",
        r"not a big deal",
        r"whatever",
        r"it'?s fine",
        r"it was fine",
        r"all good",
    ),
    "self_critical": _words(
        r"hopeless",
        r"useless",
        r"pathetic",
        r"stupid",
        r"failure",
        r"my fault",
        r"too much",
        r"wasted",
        r"not capable",
        r"broken",
        r"unfixable",
        r"worthless",
        r"a burden",
        r"hate myself",
        r"never get better",
        r"what'?s the point",
        r"no point",
        r"i'?m the problem",
    ),
    "complaint": _words(
        r"unfair",
        r"patroni\w+",
        r"wrong",
        r"stuck",
        r"not working",
        r"going nowhere",
        r"paying",
        r"waste",
        r"pointless",
        r"annoy\w*",
        r"angry",
        r"furious",
        r"ridiculous",
        r"condescending",
        r"rigid",
        r"script\w*",
        r"fed up",
        r"sick of",
        r"tired of",
        r"don'?t trust",
        r"why should",
        r"no idea",
        r"not listening",
        r"late again",
        r"fees?",
        r"price",
        r"rules?",
        r"homework",
        r"exercises?",
        r"worksheets?",
    ),
    "apology": _words(r"sorry", r"apologi[sz]\w*", r"my bad", r"i was wrong", r"owed her"),
    "closeness": _words(
        r"close",
        r"seen",
        r"safe",
        r"held",
        r"connected",
        r"warm\w*",
        r"understood",
        r"trust\w*",
        r"back on track",
        r"connection",
        r"relief",
        r"grateful",
    ),
    "distance": _words(
        r"numb",
        r"far away",
        r"wall",
        r"distance",
        r"distant",
        r"blank",
        r"fog\w*",
        r"floating",
        r"glass",
        r"autopilot",
        r"detached",
        r"switched off",
        r"checked out",
        r"zoned",
        r"quiet",
        r"silent",
        r"shrug\w*",
        r"nothing to say",
        r"couldn'?t feel",
        r"miles away",
        r"shutters",
    ),
    "reach": _words(
        r"call(?:ed)?",
        r"rang",
        r"text(?:ed)?",
        r"email(?:ed)?",
        r"wrote",
        r"message\w*",
        r"voicemail",
        r"showed up",
        r"went back",
        r"came back",
        r"turned up",
        r"postcard",
        r"letter",
    ),
    "th_acts": _words(
        r"(?:she|he|they) (?:asked|wondered|invited|noticed|suggested|offered|explained|"
        r"clarified|apologi[sz]ed|admitted|acknowledged|reminded|reassured|said|told|pointed|"
        r"linked|named|validated|agreed|stopped|changed|switched|dropped|let)"
    ),
}
_SPEAKING = re.compile(
    r"\bi (?:\w+ )?(?:said|told|insisted|assured|reassured|replied|answered|kept saying|"
    r"claimed|promised|joked|explained|admitted)\b"
)
_LEADING_CLAUSE = re.compile(
    r"^(?:when|after|before|as|while|because|if|once|since|though|although)\b[^,]{0,120},\s*"
)
_MAIN_SUBJECT = re.compile(
    r"[\"'\s]*(?:(?:then|and|but|so|today|yesterday|in session|at the end)\s+)?"
    r"(i|she|he|they|we|my therapist|the therapist|my t|my analyst|my counsell?or|dr\.? \w+)\b"
)
_THERAPIST_WORDS = ("she", "he", "they", "my", "the", "dr")

LEXICON_FEATURES: tuple[str, ...] = (
    *(f"lex_{name}" for name in LEXICON),
    "main_subject_writer",
    "main_subject_therapist",
    "main_subject_other",
    "writer_says_denial",
    "writer_says_self_critical",
    "writer_says_complaint",
    "therapist_subject_acts",
)


def main_subject(low: str) -> str:
    """The subject of the main clause ("i", "she", "my therapist", ...) or "" if unknown."""
    m = _MAIN_SUBJECT.match(_LEADING_CLAUSE.sub("", low.strip()))
    return m.group(1) if m else ""


def lexicon_features(low: str) -> list[float]:
    """The features named in LEXICON_FEATURES for one lower-cased sentence."""
    hits = {name: bool(rx.search(low)) for name, rx in LEXICON.items()}
    subject = main_subject(low)
    writer = subject == "i"
    therapist = subject.split(" ")[0] in _THERAPIST_WORDS if subject else False
    speaking = bool(_SPEAKING.search(low))
    return [
        *(float(v) for v in hits.values()),
        float(writer),
        float(therapist),
        float(not writer and not therapist),
        float(speaking and hits["affect_denial"]),
        float(speaking and hits["self_critical"]),
        float(speaking and hits["complaint"]),
        float(therapist and hits["th_acts"]),
    ]
