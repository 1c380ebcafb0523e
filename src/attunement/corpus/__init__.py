"""Research corpus mode: the marker and episode analysis over many documents, reproducibly.

    from attunement.corpus import analyze_corpus, CorpusOptions
    summary = analyze_corpus(["entries.jsonl"], "out/", CorpusOptions())

Inputs are streamed (JSON lines, CSV, folders of .txt/.md, WordPress exports), cut into
shards of documents, and each shard is analysed by one worker process (local cores, or an
existing Dask cluster) and written atomically, so an interrupted run resumes where it
stopped. The final tables (sentences, documents, episodes) are assembled from the shards.
See docs/research.md, "Corpus mode". Pure Python: no Django.

This module imports nothing heavy, so worker processes can set their thread limits before
numpy and onnxruntime are loaded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["CorpusError", "CorpusOptions", "RunSummary", "analyze_corpus"]


class CorpusError(Exception):
    """A problem with a corpus run that the person running it can fix (clear message)."""


def __getattr__(name: str) -> Any:
    # Lazy, so `import attunement.corpus` stays cheap in worker processes.
    if name in ("CorpusOptions", "RunSummary", "analyze_corpus"):
        from attunement.corpus import run

        return getattr(run, name)
    raise AttributeError(name)


if TYPE_CHECKING:
    from attunement.corpus.run import CorpusOptions, RunSummary, analyze_corpus
