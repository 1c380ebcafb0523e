"""Per-journal corrections: similar sentences follow a relabel, unrelated ones do not."""

from attunement.analysis.markers import FLAG_CORRECTED, Correction, analyze
from attunement.analysis.markers.corrections import CORRECTION_COSINE, Match


def test_relabel_is_followed_by_similar_sentences_only():
    phrasing = "I went to the garden centre after session and bought a fern."
    before = analyze(phrasing)[0]
    target = "withdrawal" if before.label != "withdrawal" else "client_repair"
    fixes = [Correction(phrasing, target, None)]
    similar = "After session I went to the garden centre and bought a fern."
    unrelated = "She said she felt the distance between us too."
    same, near, far = (analyze(t, fixes)[0] for t in (phrasing, similar, unrelated))
    assert same.label == target and FLAG_CORRECTED in same.flags and same.confidence > 0.95
    assert near.label == target and FLAG_CORRECTED in near.flags
    assert 0.5 <= near.confidence <= same.confidence
    assert far == analyze(unrelated)[0]


def test_nearest_correction_wins():
    fixes = [
        Correction("I bought a fern at the garden centre.", "withdrawal", "topic_shift"),
        Correction("She explained why the fee went up.", "therapist_repair", "gives_rationale"),
    ]
    m = analyze("She explained why the fees went up.", fixes)[0]
    assert (m.label, m.subtype) == ("therapist_repair", "gives_rationale")


def test_invalid_correction_is_ignored():
    text = "She explained why the fees went up."
    assert analyze(text, [Correction(text, "nonsense")]) == analyze(text)


def test_confidence_scale():
    c = Correction("x", "none")
    assert Match(c, CORRECTION_COSINE).confidence == 0.5
    assert Match(c, 1.0).confidence == 1.0
