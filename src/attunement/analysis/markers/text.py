"""Text cleaning before the model sees a sentence (offsets are never taken from this)."""

from __future__ import annotations

import re
import unicodedata

_LINK = re.compile(r"!?\[([^\]]{0,300})\]\([^)]{0,500}\)")
_EMPHASIS = re.compile(r"(\*{1,3}|_{1,3}|~~|`+)")
_SPACES = re.compile(r"\s+")
_ASCII_LETTER = re.compile(r"[A-Za-z]")
# Phone typing ("didnt", "im") and full spelling ("did not") become the same words.
_CONTRACTIONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), repl)
    for pattern, repl in (
        (r"\bwon'?t\b", "will not"),
        (r"\bcan'?t\b", "can not"),
        (r"\bcannot\b", "can not"),
        (r"\bshan'?t\b", "shall not"),
        (r"n't\b", " not"),
        (
            r"\b(do|does|did|is|was|were|are|have|has|had|could|would|should|must|need|ai)nt\b",
            r"\1 not",
        ),
        # "I'd had", "she'd gone": 'd before a past participle is "had" (most of them in
        # our data); otherwise "would". "I would" marks wishes and hypotheticals, which are
        # none, so a real past event must not share its n-grams.
        (
            r"'d(?= (?:been|had|gone|done|seen|said|told|got|gotten|left|felt|made|known|"
            r"thought|taken|given|come|become|kept|brought|heard|lost|spent|written|"
            r"forgotten|let|put|run|sat|stood|held|meant|begun|shut|hurt|[a-z]+ed)\b)",
            " had",
        ),
        (r"\bi'?m\b", "i am"),
        (r"\bi'?ve\b", "i have"),
        (r"\bi'd\b", "i would"),
        (r"\bi'll\b", "i will"),
        (r"'re\b", " are"),
        (r"'ve\b", " have"),
        (r"'ll\b", " will"),
        (r"'d\b", " would"),
        (r"\bu\b", "you"),
        (r"\bur\b", "your"),
    )
)
# How writers name the therapist varies more than what they say about her; one token for
# all of them lets a phrase learnt with "my analyst" count for "the counsellor" too.
# "Dr." takes the surname after it, unless that word is a verb or a function word ("Dr
# said", "the dr and I"); a lone "T" is the therapist, "T-shirt" is not.
_THERAPIST_NAMES = re.compile(
    r"\b(?:(?:my|the|our) (?:therapist|psychotherapist|counsell?or|analyst|psychologist|"
    r"psychiatrist|shrink|facilitator|group leader)\b|dr\b\.?(?: (?!(?:said|says|asked|"
    r"told|and|or|but|was|is|has|had|did|does|would|will|could|just|then|never|always|"
    r"again|too|so|who|that|when|if|not|xther|xother)\b)[a-z]+\b)?|t\b(?![-'])|sir\b|"
    r"ma'am\b)"
)
_OTHER_PEOPLE = re.compile(
    r"\b(?:mum|mom|mother|dad|father|parents?|boss|manager|partner|husband|wife|boyfriend|"
    r"girlfriend|friends?|mate|sister|brother|son|daughter|kids?|colleagues?|cowork\w*|"
    r"landlord|gp|nurse|neighbou?r|ex|aunt|uncle|cousin|nan|gran|grandma|grandad|"
    r"grandmother|grandfather)\b"
)
THERAPIST_WORD = "xther"
OTHER_PEOPLE_WORD = "xother"
ENGLISH_WORDS = frozenset(
    [
        "i",
        "me",
        "my",
        "you",
        "she",
        "he",
        "her",
        "him",
        "it",
        "we",
        "they",
        "the",
        "a",
        "an",
        "and",
        "but",
        "or",
        "so",
        "to",
        "of",
        "in",
        "on",
        "at",
        "for",
        "with",
        "was",
        "is",
        "am",
        "are",
        "be",
        "been",
        "not",
        "no",
        "don't",
        "didn't",
        "can't",
        "it's",
        "im",
        "dont",
        "didnt",
        "just",
        "that",
        "this",
        "what",
        "when",
        "how",
        "why",
        "like",
        "feel",
        "felt",
        "said",
        "told",
        "about",
        "today",
        "again",
    ]
)


def clean_for_model(text: str) -> str:
    """Replace control characters, drop Markdown emphasis/links, fold spaces, curly quotes."""
    chars = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cs", "Co", "Cn") or ch == "\ufffd":
            chars.append(" ")
        elif ch in "’‘":
            chars.append("'")
        elif ch in "“”":
            chars.append('"')
        else:
            chars.append(ch)
    out = _LINK.sub(r"\1", "".join(chars))
    out = _EMPHASIS.sub("", out)
    return _SPACES.sub(" ", out).strip()


def normalise_for_ngrams(text: str) -> str:
    """The sentence as the word n-grams see it: lower case, contractions spelled out, every
    way of naming the therapist as one token and other people (family, work) as another.

    Only the n-gram features read this; the embedding and the rules see the cleaned text.
    """
    low = text.lower().replace("’", "'").replace("‘", "'")
    for pattern, repl in _CONTRACTIONS:
        low = pattern.sub(repl, low)
    low = _THERAPIST_NAMES.sub(f" {THERAPIST_WORD} ", low)
    low = _OTHER_PEOPLE.sub(f" {OTHER_PEOPLE_WORD} ", low)
    return _SPACES.sub(" ", low).strip()


def readable_english(text: str) -> bool:
    """Whether the model can read the sentence: mostly Latin letters, some English words."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    latin = sum(1 for c in letters if c.isascii())
    if latin / len(letters) < 0.6:
        return False
    words = re.findall(r"[a-z']+", text.lower())
    if len(words) < 4:
        return True
    return any(w in ENGLISH_WORDS for w in words)
