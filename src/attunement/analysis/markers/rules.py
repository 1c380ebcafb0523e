"""Rule features beside the embedding: actor, negation scope, therapy reference, cue words.

Each feature is a number in [0, 1] (or a small count squashed to that range). Cue phrases
double as evidence: where one fires, its span is the evidence for its label. A cue is
"negated" when a negation word sits a few words before it in the same clause ("I didn't
shut down this time"), and is then counted separately, so the model can learn that a
negated marker is not that marker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from attunement.analysis.markers.lexicon import LEXICON_FEATURES, lexicon_features

_TH = (
    r"(?:she|he|they|t|my therapist|the therapist|my t|my analyst|my counsell?or|my shrink"
    r"|dr\.? \w+)"
)
_SPEECH = (
    r"(?:said|says|told|tells|asked|asks|explained|answered|replied|wrote|texted|whispered"
    r"|added|admitted|suggested|wondered|reminded)"
)
_FP_SUBJECT = re.compile(r"\b(?:i|i'm|im|i've|ive|i'd|i'll)\b")
_FP_ANY = re.compile(r"\b(?:i|i'm|im|i've|i'd|i'll|me|my|myself|mine)\b")
_TH_SUBJECT = re.compile(
    rf"(?:^|[,;:.!?\"“]\s*|\b(?:and|but|then|so|when)\s+){_TH}\b\s+(?!and\b)\w+"
)
_TH_SPEECH = re.compile(rf"\b{_TH}\s+(?:\w+\s+)?{_SPEECH}\b")
_FP_SPEECH = re.compile(rf"\bi\s+(?:\w+\s+)?{_SPEECH}\b")
_QUOTE = re.compile(r"[\"“”]|(?:^|\s)'\w")
_NEGATION = re.compile(
    r"\b(?:not|no|never|nothing|didn't|didnt|don't|dont|wasn't|isn't|won't|can't|cannot|couldn't|wouldn't|haven't|hasn't|hardly|without)\b"
)
_CHANGE = re.compile(
    r"\b(?:this time|for once|anymore|any more|no longer|instead of|for a change)\b"
)
_THERAPY = re.compile(
    r"\b(?:therap\w*|session\w*|counsell?\w*|analys[ti]\w*|shrink|appointment|her office|"
    r"the couch|the room|my t|t's|fifty minutes|the hour|between sessions|she|her)\b"
)
_OTHER = re.compile(
    r"\b(?:boss|manager|mom|mum|mother|dad|father|parents?|partner|husband|wife|boyfriend|"
    r"girlfriend|friends?|sister|brother|cowork\w*|colleague\w*|landlord|kids?|son|daughter|"
    r"neighbou?r|teacher|doctor|gp|nurse|roommate|flatmate|ex|cousin|aunt|uncle|grandm\w*)\b"
)
_YOU = re.compile(r"\b(?:you|your|you're|youre|yourself)\b")
_CLAUSE_BREAK = re.compile(r"[,;:.!?\"“”]|\b(?:but|and|so|because|though|although)\b")

CUES: dict[str, tuple[str, ...]] = {
    "withdrawal": (
        r"shut(?:ting)? down",
        r"went (?:quiet|silent|blank)",
        r"said nothing",
        r"didn'?t say (?:anything|much|a word)",
        r"numb",
        r"far away",
        r"a wall",
        r"kept (?:her|him|them) out",
        r"zoned out",
        r"check(?:ed)? out",
        r"dissociat\w*",
        r"changed the subject",
        r"change the subject",
        r"i(?:'m| am| was) fine",
        r"nodded along",
        r"went along with",
        r"just agreed",
        r"doesn'?t matter",
        r"no point",
        r"hopeless",
        r"my fault",
        r"i'?m too much",
        r"cancel(?:l?ed)? (?:the|my|our) session",
        r"skip(?:ped)? (?:the |my )?session",
        r"pulled away",
        r"distance",
        r"shrugged",
        r"laughed (?:it off|about|while|when)",
        r"kept it light",
        r"small talk",
    ),
    "confrontation": (
        r"(?:don'?t|do not|can'?t) trust (?:her|him|you|them)",
        r"(?:you|she|he) (?:don'?t|doesn'?t) (?:understand|get it)",
        r"(?:angry|furious|annoyed|pissed|mad) (?:at|with) (?:her|him|you|my therapist)",
        r"this (?:isn'?t|is not) working",
        r"not helping",
        r"pointless",
        r"waste of (?:time|money)",
        r"homework",
        r"worksheet",
        r"exercise",
        r"fees?\b",
        r"charg\w+",
        r"late cancel\w*",
        r"vacation",
        r"holiday",
        r"another break",
        r"away again",
        r"her rule",
        r"the rules?",
        r"you'?re wrong",
        r"that'?s not (?:it|what|true)",
        r"stop (?:analy\w+|interpret\w+)",
        r"not (?:being )?defensive",
        r"told her she (?:has|had|needs|should)",
        r"demand\w*",
        r"insist\w*",
        r"why (?:does|did|won'?t|can'?t) she",
    ),
    "client_repair": (
        r"called her",
        r"rang her",
        r"texted her",
        r"emailed her",
        r"wrote (?:to )?her",
        r"voicemail",
        r"left (?:her )?a message",
        r"reached out",
        r"showed up",
        r"went back",
        r"finally (?:said|told)",
        r"told her (?:that )?(?:i|it|how)",
        r"admitted",
        r"i'?m sorry",
        r"apologi[sz]\w*",
        r"(?:felt|feel|feeling) (?:close|seen|safe|held|connected)",
        r"trust(?:ed)? her again",
        r"brought (?:it|this) up",
        r"named (?:it|the)",
        r"what happened between us",
    ),
    "therapist_repair": (
        r"not going anywhere",
        r"still here",
        r"(?:she|he) (?:apologi[sz]ed|said sorry)",
        r"(?:her|his) (?:own )?part",
        r"(?:she|he) (?:explained|clarified)",
        r"the reason",
        r"(?:she|he) (?:asked|wondered|invited)",
        r"felt it too",
        r"let'?s try",
        r"(?:she|he) suggested",
        r"like (?:my|your) (?:mother|mom|mum|father|dad)",
        r"reminds? (?:me|you) of",
        r"pattern",
        r"makes? sense",
        r"(?:she|he) noticed",
        r"(?:she|he) named",
        r"(?:she|he) (?:admitted|acknowledged)",
        r"understandable",
    ),
}
_CUE_RE = {label: re.compile(r"\b(?:" + "|".join(p) + r")") for label, p in CUES.items()}

FEATURE_NAMES: tuple[str, ...] = (
    "fp_subject",
    "fp_any",
    "th_subject",
    "th_speech",
    "fp_speech",
    "quote",
    "quote_by_therapist",
    "quote_by_writer",
    "negation",
    "change_words",
    "therapy_ref",
    "other_person",
    "other_without_therapy",
    "you",
    "question",
    "exclaim",
    "length",
    *(f"cue_{label}" for label in CUES),
    *(f"neg_cue_{label}" for label in CUES),
    *(f"th_cue_{label}" for label in CUES),
    *LEXICON_FEATURES,
)


@dataclass(frozen=True)
class CueHit:
    """A cue phrase that fired: its label, span in the sentence, and whether it is negated."""

    label: str
    start: int
    end: int
    negated: bool


def cue_hits(text: str) -> list[CueHit]:
    """All cue phrases in a sentence, with negation scope applied."""
    low = text.lower()
    hits = []
    for label, rx in _CUE_RE.items():
        for m in rx.finditer(low):
            hits.append(CueHit(label, m.start(), m.end(), _negated_before(low, m.start())))
    return sorted(hits, key=lambda h: h.start)


def _negated_before(low: str, pos: int) -> bool:
    """Whether a negation word lies within the 4 words before pos in the same clause."""
    window = low[max(0, pos - 40) : pos]
    breaks = list(_CLAUSE_BREAK.finditer(window))
    if breaks:
        window = window[breaks[-1].end() :]
    words = window.split()[-4:]
    return bool(_NEGATION.search(" ".join(words)))


def features(text: str) -> list[float]:
    """The rule feature vector (ordered as FEATURE_NAMES) for one sentence."""
    low = text.lower().replace("’", "'")
    th_speech = bool(_TH_SPEECH.search(low))
    fp_speech = bool(_FP_SPEECH.search(low))
    quote = bool(_QUOTE.search(low))
    therapy = bool(_THERAPY.search(low))
    other = bool(_OTHER.search(low))
    hits = cue_hits(low)
    th_subject = bool(_TH_SUBJECT.search(low))
    vals = [
        min(len(_FP_SUBJECT.findall(low)), 3) / 3,
        min(len(_FP_ANY.findall(low)), 4) / 4,
        float(th_subject),
        float(th_speech),
        float(fp_speech),
        float(quote),
        float(quote and th_speech and not fp_speech),
        float(quote and fp_speech and not th_speech),
        min(len(_NEGATION.findall(low)), 2) / 2,
        float(bool(_CHANGE.search(low))),
        float(therapy),
        float(other),
        float(other and not therapy),
        float(bool(_YOU.search(low))),
        float("?" in low),
        float("!" in low),
        min(len(low.split()), 60) / 60,
    ]
    for label in CUES:
        vals.append(float(any(h.label == label and not h.negated for h in hits)))
    for label in CUES:
        vals.append(float(any(h.label == label and h.negated for h in hits)))
    for label in CUES:
        vals.append(float(th_subject and any(h.label == label and not h.negated for h in hits)))
    vals.extend(lexicon_features(low))
    return vals
