"""Two baselines a user might try instead of the classifier, on the same test split.

(a) VADER: compound <= -0.05 -> confrontation if the sentence mentions the therapist or
    therapy, otherwise withdrawal when it is first-person (the writer's own hurt) and none
    otherwise; compound >= 0.05 -> therapist_repair when the therapist is the grammatical
    subject ("she ..."), else client_repair; in between -> none.
(b) Embedding prototypes (zero-shot): cosine of the sentence embedding to a few short
    descriptions per label; the highest mean cosine wins (none if below 0.2).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from attunement.analysis.markers.dataset import Example
from attunement.analysis.markers.taxonomy import LABEL_INDEX, LABELS

_THERAPIST_SUBJECT = re.compile(r"\b(?:she|he|my therapist|the therapist|t)\s+\w+", re.I)
_THERAPY = re.compile(r"\b(?:she|her|him|he|therap\w*|session\w*|counsell?or)\b", re.I)
_FIRST_PERSON = re.compile(r"\b(?:i|me|my|i'm|im)\b", re.I)

PROTOTYPES: dict[str, tuple[str, ...]] = {
    "withdrawal": (
        "I shut down and went quiet in therapy.",
        "I pulled away from my therapist and said nothing.",
        "I avoided the topic and just agreed with her.",
    ),
    "confrontation": (
        "I was angry at my therapist and told her she was wrong.",
        "I complained about therapy, the fees and the schedule.",
        "I don't trust my therapist.",
    ),
    "client_repair": (
        "I reached out to my therapist and told her what was wrong.",
        "I apologised to my therapist and felt close to her again.",
        "I finally said what I couldn't say in session.",
    ),
    "therapist_repair": (
        "My therapist apologised and acknowledged her part.",
        "My therapist explained what she meant and invited me to talk about it.",
        "My therapist reassured me she is not going anywhere.",
    ),
    "none": (
        "I went shopping and cooked dinner.",
        "The weather was cold today.",
        "Work was busy this week.",
    ),
}


def vader_predict(texts: Sequence[str]) -> np.ndarray:
    """Coarse label indices from VADER polarity and actor words."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    sia = SentimentIntensityAnalyzer()
    out = []
    for t in texts:
        c = sia.polarity_scores(t)["compound"]
        if c <= -0.05:
            label = (
                "confrontation"
                if _THERAPY.search(t)
                else ("withdrawal" if _FIRST_PERSON.search(t) else "none")
            )
        elif c >= 0.05:
            label = "therapist_repair" if _THERAPIST_SUBJECT.match(t.strip()) else "client_repair"
        else:
            label = "none"
        out.append(LABEL_INDEX[label])
    return np.array(out, dtype=np.int64)


def prototype_predict(emb: np.ndarray) -> np.ndarray:
    """Coarse label indices from cosine to label descriptions."""
    from attunement.analysis.embed import embed

    centroids = np.vstack([embed(list(PROTOTYPES[lab])).mean(axis=0) for lab in LABELS])
    centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
    sims = emb @ centroids.T
    pred = sims.argmax(axis=1)
    pred[sims.max(axis=1) < 0.2] = LABEL_INDEX["none"]
    return pred


def table(examples: Sequence[Example], emb: np.ndarray, y: np.ndarray) -> str:
    """Markdown table of baseline macro-F1 on the given split."""
    from attunement.analysis.markers.train import macro_f1

    vader = macro_f1(y, vader_predict([e.text for e in examples]))
    proto = macro_f1(y, prototype_predict(emb))
    return "\n".join(
        [
            "| method | macro-F1 |",
            "|---|---|",
            f"| VADER polarity + actor words | {vader:.3f} |",
            f"| embedding prototypes (zero-shot) | {proto:.3f} |",
        ]
    )
