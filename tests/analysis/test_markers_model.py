"""Tests for the classifier's n-gram normalisation, its two heads and its weights file."""

import numpy as np
import pytest
import scipy.sparse as sp

from attunement.analysis.markers import dataset as ds
from attunement.analysis.markers import load_model
from attunement.analysis.markers.classifier import (
    FINE_CLASSES,
    FINE_TO_LABEL,
    MarkerModel,
    combined_logits,
    ngram_matrix,
)
from attunement.analysis.markers.taxonomy import LABELS, SUBTYPES
from attunement.analysis.markers.text import normalise_for_ngrams
from attunement.analysis.markers.train import fine_class


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I didn't trust Dr. K.", "i did not trust xther ."),
        ("i dont think my therapist gets it, im done", "i do not think xther gets it, i am done"),
        ("She won't go; my mum can't either.", "she will not go; my xother can not either."),
        ("T said I'd been quiet", "xther said i would been quiet"),
        ("u didnt notice", "you did not notice"),
    ],
)
def test_normalise_for_ngrams(text, expected):
    assert normalise_for_ngrams(text) == expected


def test_phone_typing_and_full_spelling_share_ngrams():
    texts = ["I didn't tell my counsellor", "i didnt tell the therapist"]
    a, b = ngram_matrix(texts)
    assert (a != b).nnz == 0
    raw_a, raw_b = ngram_matrix(texts, normalise=False)
    assert (raw_a != raw_b).nnz > 0


def test_fine_classes_cover_every_subtype_once():
    markers = [(lab, sub) for lab, sub in FINE_CLASSES if lab != "none"]
    assert markers == [(lab, sub) for lab in LABELS for sub in SUBTYPES[lab]]
    assert FINE_TO_LABEL.sum(axis=1).tolist() == [1.0] * len(FINE_CLASSES)


def test_fine_class_of_none_by_tag_then_subject():
    def ex(label, subtype=None, tags=()):
        return ds.Example("x", "t", label, subtype, None, "g", tuple(tags), "f.jsonl")

    assert FINE_CLASSES[fine_class(ex("withdrawal", "denial"), "x")] == ("withdrawal", "denial")
    tagged = ex("none", tags=("lowercase", "negation_hard"))
    assert FINE_CLASSES[fine_class(tagged, "I didn't go quiet.")] == ("none", "negation_hard")
    assert FINE_CLASSES[fine_class(ex("none"), "I went to the shop.")] == ("none", "writer")
    assert FINE_CLASSES[fine_class(ex("none"), "She asked about my week.")] == ("none", "therapist")
    assert FINE_CLASSES[fine_class(ex("none"), "Rain all day.")] == ("none", "")


def test_combined_logits_are_log_probabilities_of_both_heads():
    rng = np.random.default_rng(0)
    X = sp.csr_matrix(rng.standard_normal((3, 4)).astype(np.float32))
    coarse = (np.zeros((4, len(LABELS)), np.float32), np.zeros(len(LABELS), np.float32))
    fine = (np.zeros((4, len(FINE_CLASSES)), np.float32), np.zeros(len(FINE_CLASSES), np.float32))
    z = combined_logits(X, coarse, fine)
    # Uniform heads: each label gets (its share of fine classes) x 1/5.
    share = FINE_TO_LABEL.sum(axis=0) / len(FINE_CLASSES)
    np.testing.assert_allclose(np.exp(z[0]), share / len(LABELS), rtol=1e-5)


def test_weights_round_trip(tmp_path):
    model = load_model()
    path = tmp_path / "m.npz"
    model.save(path)
    again = MarkerModel.load(path)
    assert again.meta == model.meta
    assert again.temperature == pytest.approx(model.temperature)
    np.testing.assert_array_equal(again.fine_W, model.fine_W)


def test_weights_of_another_feature_version_are_refused(tmp_path):
    path = tmp_path / "old.npz"
    model = load_model()
    model.save(path)
    with np.load(path) as z:
        arrays = dict(z)
    arrays["feature_version"] = np.array(2)
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match="features version 2, but this code builds version 3"):
        MarkerModel.load(path)


def test_weights_for_other_classes_are_refused(tmp_path):
    path = tmp_path / "other.npz"
    load_model().save(path)
    with np.load(path) as z:
        arrays = dict(z)
    arrays["fine_classes"] = arrays["fine_classes"][:-1]
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match="other marker classes"):
        MarkerModel.load(path)
