"""Embed a note before it joins the index, so the build that adds it is quick.

A build embeds every new text while it holds the index, so one big note would
make everything queued behind it wait for its embedding (a 5 MB note: tens of
minutes). `prepare_note` reads, checks and embeds a note outside any lock;
`commit_vectors` then puts the vectors into the index folder's embedding
cache (a few milliseconds, under the caller's lock, just before the build),
and the build finds every text of the note already cached. The texts are
exactly those `build_index` embeds (`chunking.embed_texts`). Leaves out:
cancelling an embedding under way.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .chunking import chunk_note, embed_texts
from .embed import Embedder, EmbeddingCache
from .notes import Note, parse_note
from .store import IndexSettings


@dataclass
class PreparedNote:
    note: Note
    data: bytes  # the note's bytes, as checked
    texts: list[str]  # what the build will embed for this note
    vectors: dict[str, np.ndarray] = field(default_factory=dict)  # text → vector, new ones only


def _cache(folder: str | os.PathLike, settings: IndexSettings) -> EmbeddingCache:
    # The folder build_index keeps its cache in (index/store.py).
    return EmbeddingCache(Path(folder) / "cache", settings.model_id, settings.dim)


class _Recorder:
    """Passes embedding calls through and keeps every (text, vector) it computed."""

    def __init__(self, embedder: Embedder, progress: Callable[[int], None] | None) -> None:
        self.model_id, self.dim = embedder.model_id, embedder.dim
        self._embedder, self._progress = embedder, progress
        self.vectors: dict[str, np.ndarray] = {}
        self.token_counts = getattr(embedder, "token_counts", None)  # the cache orders calls by it

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        vecs = self._embedder.embed_passages(texts)
        self.vectors.update(zip(texts, vecs, strict=True))
        if self._progress:
            self._progress(len(texts))
        return vecs

    def embed_query(self, text: str) -> np.ndarray:  # pragma: no cover - never asked
        return self._embedder.embed_query(text)


class _Given:
    """An 'embedder' that hands back vectors computed earlier."""

    def __init__(self, vectors: dict[str, np.ndarray], model_id: str, dim: int) -> None:
        self.vectors, self.model_id, self.dim = vectors, model_id, dim

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return np.stack([self.vectors[t] for t in texts]) if texts else np.zeros((0, self.dim))

    def embed_query(self, text: str) -> np.ndarray:  # pragma: no cover - never asked
        raise NotImplementedError


def prepare_note(
    data: bytes,
    path: str,
    folder: str | os.PathLike,
    embedder: Embedder,
    settings: IndexSettings,
    progress: Callable[[int], None] | None = None,
) -> PreparedNote:
    """Check a note's bytes under every build limit and embed what the cache lacks.

    Raises NoteError (binary, too large, too many lines or texts) before any
    embedding. `path` is where the note will live: its name can become the title.
    """
    note = parse_note(data, path)
    texts = embed_texts(chunk_note(note, settings.chunk_size, settings.chunk_overlap))
    recorder = _Recorder(embedder, progress)
    _cache(folder, settings).embed(texts, recorder)  # embeds only what is not cached
    return PreparedNote(note, data, texts, recorder.vectors)


def commit_vectors(folder: str | os.PathLike, settings: IndexSettings, vectors: dict) -> None:
    """Add prepared vectors to the index folder's cache (read afresh: other notes' stay)."""
    if not vectors:
        return
    cache = _cache(folder, settings)
    cache.embed(list(vectors), _Given(vectors, settings.model_id, settings.dim))
    cache.save()
