"""Tests for the classifier's n-gram normalisation, its two heads and its weights file."""

import numpy as np
import pytest
import scipy.sparse as sp

from attunement.analysis.markers import dataset as ds
from attunement.analysis.markers import load_model
from attunement.analysis.markers.classifier import (
    FEATURE_VERSION,
    FINE_CLASSES,
    FINE_LABEL_SHARE,
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
        ("T said I'd been quiet", "xther said i had been quiet"),
        ("I'd tell her if I could", "i would tell her if i could"),
        ("The Dr said no", "the xther said no"),
        ("Dr Amsel asked why", "xther asked why"),
        ("my T-shirt was wet", "my t-shirt was wet"),
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


def test_fine_class_of_none_by_tag_then_subject():
    def ex(label, subtype=None, tags=()):
        return ds.Example("x", "t", label, subtype, None, "g", tuple(tags), "f.jsonl")

    assert FINE_CLASSES[fine_class(ex("withdrawal", "denial"), "x")] == ("withdrawal", "denial")
    tagged = ex("none", tags=("lowercase", "negation_hard"))
    assert FINE_CLASSES[fine_class(tagged, "I didn't go quiet.")] == ("none", "negation_hard")
    assert FINE_CLASSES[fine_class(ex("none"), "I went to the shop.")] == ("none", "writer")
    assert FINE_CLASSES[fine_class(ex("none"), "She asked about my week.")] == ("none", "therapist")
    assert FINE_CLASSES[fine_class(ex("none"), "Rain all day.")] == ("none", "")


def _heads(fine_bias=None, coarse_bias=None, d=4):
    coarse = (np.zeros((d, len(LABELS)), np.float32), np.zeros(len(LABELS), np.float32))
    fine = (np.zeros((d, len(FINE_CLASSES)), np.float32), np.zeros(len(FINE_CLASSES), np.float32))
    for cls, value in (fine_bias or {}).items():
        fine[1][FINE_CLASSES.index(cls)] = value
    for label, value in (coarse_bias or {}).items():
        coarse[1][LABELS.index(label)] = value
    return coarse, fine


def test_uniform_heads_give_each_label_its_share_of_fine_classes():
    # The documented prior of the product: a fine head that knows nothing gives a label its
    # share of the 39 fine classes (therapist_repair 11, client_repair 5), times 1/5.
    X = sp.csr_matrix(np.ones((2, 4), np.float32))
    z = combined_logits(X, *_heads())
    expected = FINE_LABEL_SHARE / len(LABELS)
    np.testing.assert_allclose(np.exp(z), np.vstack([expected, expected]), rtol=1e-5)
    assert FINE_LABEL_SHARE[LABELS.index("therapist_repair")] == pytest.approx(11 / 39)


def test_combined_logits_add_both_heads_log_probabilities():
    rng = np.random.default_rng(0)
    X = sp.csr_matrix(rng.standard_normal((3, 4)).astype(np.float32))
    coarse, fine = _heads({("client_repair", "apology"): 3.0}, {"withdrawal": 1.0})
    coarse[0][:] = rng.standard_normal(coarse[0].shape)
    fine[0][:] = rng.standard_normal(fine[0].shape)
    z = combined_logits(X, coarse, fine)

    def log_softmax(a):
        a = a - a.max(axis=1, keepdims=True)
        return a - np.log(np.exp(a).sum(axis=1, keepdims=True))

    fine_p = np.exp(log_softmax(X.toarray() @ fine[0] + fine[1]))
    for k, label in enumerate(LABELS):
        cols = [i for i, (lab, _) in enumerate(FINE_CLASSES) if lab == label]
        expected = np.log(fine_p[:, cols].sum(axis=1)) + log_softmax(
            X.toarray() @ coarse[0] + coarse[1]
        )[:, k]
        np.testing.assert_allclose(z[:, k], expected, rtol=1e-4, atol=1e-4)


def test_subtype_is_the_fine_heads_best_subtype_of_the_given_label():
    coarse, fine = _heads(
        {("withdrawal", "topic_shift"): 2.0, ("confrontation", "defends_self"): 2.0,
         ("therapist_repair", "redirects"): 5.0}
    )
    model = MarkerModel(coarse[0], coarse[1], 1.0, True, fine_W=fine[0], fine_b=fine[1])
    X = sp.csr_matrix(np.ones((3, 4), np.float32))
    assert model.subtype(X, ["withdrawal", "confrontation", "none"]) == [
        "topic_shift", "defends_self", None]
    probs = model.proba(X)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)
    assert LABELS[int(probs[0].argmax())] == "therapist_repair"


@pytest.mark.parametrize(
    ("sentence", "label"),
    [
        ("I went quiet and stared at the clock for the whole hour.", "withdrawal"),
        ("I told her she never listens to a word I say.", "confrontation"),
        ("I rang her to say I was sorry for storming out.", "client_repair"),
        ("She said she was sorry for cutting me off last week.", "therapist_repair"),
        ("Bought bread and walked the dog before the rain.", "none"),
    ],
)
def test_the_shipped_model_reads_plain_sentences(sentence, label):
    from attunement.analysis.markers import analyze

    (marker,) = analyze(sentence)
    assert marker.label == label
    assert sum(marker.probs.values()) == pytest.approx(1.0, abs=1e-4)


def test_weights_round_trip(tmp_path):
    model = load_model()
    path = tmp_path / "m.npz"
    model.save(path)
    again = MarkerModel.load(path)
    assert again.meta == model.meta
    assert again.temperature == pytest.approx(model.temperature)
    for name in ("W", "b", "fine_W", "fine_b"):
        np.testing.assert_array_equal(getattr(again, name), getattr(model, name))
    assert (again.use_rules, again.use_ngrams) == (model.use_rules, model.use_ngrams)


def test_weights_of_another_feature_version_are_refused(tmp_path):
    path = tmp_path / "old.npz"
    model = load_model()
    model.save(path)
    with np.load(path) as z:
        arrays = dict(z)
    arrays["feature_version"] = np.array(2)
    np.savez(path, **arrays)
    with pytest.raises(
        ValueError, match=f"features version 2, but this code builds version {FEATURE_VERSION}"
    ):
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
