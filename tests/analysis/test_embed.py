"""Tests for attunement.analysis.embed."""

from pathlib import Path

import numpy as np
import pytest

from attunement.analysis import embed as E


def test_shape_dtype_and_norm():
    v = E.embed(["I felt far away from her.", "", "ok"])
    assert v.shape == (3, E.DIM)
    assert v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)


def test_empty_input():
    assert E.embed([]).shape == (0, E.DIM)


def test_meaning_is_closer_than_topic_change():
    v = E.embed(["I felt close to her today.", "Today I felt near to her.", "The bus was late."])
    assert v[0] @ v[1] > v[0] @ v[2] + 0.2


def test_batch_order_and_padding_do_not_change_vectors():
    texts = ["short", "a much longer sentence about the session and what she said to me", "mid one"]
    together = E.embed(texts)
    alone = np.vstack([E.embed([t]) for t in texts])
    assert np.allclose(together, alone, atol=1e-3)


def test_long_text_is_truncated_not_rejected():
    enc = E.get_embedder()
    assert enc.token_counts(["word " * 1000]) == [E.MAX_TOKENS]
    assert E.embed(["word " * 1000]).shape == (1, E.DIM)


def test_checksum_mismatch_is_a_clear_error(tmp_path: Path):
    f = tmp_path / "model.onnx"
    f.write_bytes(b"not a model")
    with pytest.raises(E.EmbeddingModelError, match="SHA-256"):
        E._verify(f, E.MODEL_SHA256)


def test_missing_package_is_a_clear_error():
    with pytest.raises(E.EmbeddingModelError, match="not installed"):
        E._package_file("no_such_package_attunement", "model.onnx")


def test_pooled_features_are_four_normalised_blocks_led_by_the_mean():
    texts = ["I went quiet.", "She said she was not going anywhere, and I believed her."]
    mean, feats = E.embed_pooled(texts)
    assert np.allclose(mean, E.embed(texts), atol=1e-5)
    assert feats.shape == (2, E.FEATURE_DIM) == (2, 4 * E.DIM)
    assert np.allclose(feats[:, : E.DIM], mean)
    blocks = feats.reshape(2, 4, E.DIM)
    assert np.allclose(np.linalg.norm(blocks, axis=2), 1.0, atol=1e-4)
    assert not np.allclose(blocks[:, 0], blocks[:, 2], atol=1e-2)  # layer 4 differs from 6


def test_extra_output_bytes_are_a_graph_output_field():
    extra = E._with_output(b"", "x")
    assert extra.startswith(bytes([7 << 3 | 2])) and b"x" in extra


def test_batches_respect_rows_and_token_budget():
    lengths = [5, 300, 7, 7, 120, 9, 256, 3] * 20
    batches = E._batches(lengths, max_rows=16, max_tokens=512)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    for b in batches:
        assert len(b) <= 16
        assert len(b) == 1 or len(b) * max(lengths[i] for i in b) <= 512


def test_recent_vectors_are_reused_and_forgotten_on_lock(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from attunement.analysis import embed as mod
    from attunement.store import keyring

    mod.forget_recent()
    first, _ = mod.embed_pooled(["She said she was not going anywhere."])
    calls = []
    real = mod.Embedder.embed

    def counting(self, texts, batch_size=mod.BATCH_SIZE):  # type: ignore[no-untyped-def]
        calls.append(list(texts))
        return real(self, texts, batch_size)

    monkeypatch.setattr(mod.Embedder, "embed", counting)
    again = mod.embed(["She said she was not going anywhere.", "A new sentence."])
    assert calls == [["A new sentence."]]
    assert np.allclose(again[0], first[0])
    keyring.set_key(b"k" * 32)
    keyring.forget()
    assert len(mod._RECENT) == 0
