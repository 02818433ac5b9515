"""The embedding cache: vectors by (model id, sha256 of the exact text embedded).

The text embedded is the model's input, `index.hans.model_text`: Chinese as
Simplified, so a Traditional text and its Simplified form share one vector.

A rebuild never embeds unchanged text twice. One `.npz` file per model (keys,
vectors and the model id together, no pickle), saved atomically, so the keys
can never disagree with the vectors after a crash. A cache file that cannot
be read — truncated, a flipped bit, another model's — is only a cache: it is
set aside as `*.damaged` (for a look, never read again) and rebuilt, and
`problem` says so for the build report.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .atomic import atomic_write_bytes
from .hans import model_text

if TYPE_CHECKING:
    from .embed import Embedder

log = logging.getLogger(__name__)

BATCH = 32  # texts per call to the embedder


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def model_key(text: str) -> str:
    """The cache's key: the sha256 of the text as the model reads it."""
    return text_key(model_text(text))


class EmbeddingCache:
    """Vectors by text hash for one model, stored as one .npz (no pickle)."""

    def __init__(self, folder: str | os.PathLike, model_id: str, dim: int) -> None:
        slug = hashlib.sha256(model_id.encode()).hexdigest()[:16]
        self.path = Path(folder) / f"emb-{slug}.npz"
        self.model_id, self.dim = model_id, dim
        self.problem: str | None = None  # set when a damaged file was set aside
        self._index: dict[str, int] = {}
        self._vecs = np.zeros((0, dim), np.float32)
        self._new: dict[str, np.ndarray] = {}  # embedded since the last save
        self._load()

    def _load(self) -> None:
        if not self.path.exists():
            return
        try:
            with np.load(self.path, allow_pickle=False) as z:
                vecs, keys, model = z["vecs"], z["keys"].tolist(), str(z["model"])
            if model != self.model_id or vecs.shape != (len(keys), self.dim):
                raise ValueError("cache is for another model or dimension")
        except Exception as exc:  # BadZipFile, zlib, OSError, ValueError…: all mean "damaged"
            self._set_aside(exc)
            return
        self._vecs = vecs.astype(np.float32, copy=False)
        self._index = {k: i for i, k in enumerate(keys)}

    def _set_aside(self, exc: Exception) -> None:
        aside = self.path.with_name(self.path.name + ".damaged")
        try:
            os.replace(self.path, aside)
            where = f"set aside as {aside.name}"
        except OSError as err:
            where = f"could not set it aside ({err.strerror})"
        self.problem = (
            f"embedding cache {self.path} is damaged ({type(exc).__name__}: {exc}); "
            f"{where}; its texts are embedded again"
        )
        log.info("%s", self.problem)

    def __len__(self) -> int:
        return len(self._index.keys() | self._new.keys())

    def missing(self, texts: list[str]) -> int:
        """How many distinct texts of `texts` `embed` would still have to embed."""
        return len({model_key(t) for t in texts} - self._index.keys() - self._new.keys())

    def embed(
        self,
        texts: list[str],
        embedder: Embedder,
        progress: Callable[[int], None] | None = None,
    ) -> np.ndarray:
        """Vectors for `texts`, embedding only those not cached (in batches of 32)."""
        keys = [model_key(t) for t in texts]
        out = np.zeros((len(texts), self.dim), np.float32)
        pending: dict[str, list[int]] = {}
        for i, k in enumerate(keys):
            if k in self._new:  # embedded earlier in this build, not saved yet
                out[i] = self._new[k]
            elif k in self._index:
                out[i] = self._vecs[self._index[k]]
            else:
                pending.setdefault(k, []).append(i)
        # Calls of texts of like length: a batch is padded to its longest text. The
        # embedder sorts within a call; sorted across calls too, the chunks and sentences
        # of CMRC notes embed ~10 % faster here (docs/embedding.md, run 7).
        sizes = getattr(embedder, "token_counts", None) or (lambda ts: [len(t) for t in ts])
        size = dict(zip(pending, sizes([texts[at[0]] for at in pending.values()]), strict=True))
        todo = sorted(pending, key=size.__getitem__)  # stable: ties keep the notes' order
        for b in range(0, len(todo), BATCH):
            batch = todo[b : b + BATCH]
            vecs = embedder.embed_passages([texts[pending[k][0]] for k in batch])
            for k, v in zip(batch, vecs, strict=True):
                out[pending[k]] = v
                self._new[k] = v
            if progress is not None:
                progress(len(batch))
        return out

    def save(self, keep: set[str] | None = None) -> None:
        """Merge new vectors into the file; `keep` drops keys not in it."""
        if not self._new and keep is None:
            return
        old = {k: self._vecs[i] for k, i in self._index.items()}
        old.update(self._new)
        if keep is not None:
            old = {k: v for k, v in old.items() if k in keep}
        keys = list(old)
        vecs = np.stack([old[k] for k in keys]) if keys else np.zeros((0, self.dim), np.float32)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(self.path, _npz_bytes(vecs, keys, self.model_id))
        self._vecs, self._index, self._new = vecs, {k: i for i, k in enumerate(keys)}, {}


def _npz_bytes(vecs: np.ndarray, keys: list[str], model_id: str) -> bytes:
    bio = io.BytesIO()
    np.savez(
        bio,
        vecs=np.ascontiguousarray(vecs, dtype=np.float32),
        keys=np.array(keys, dtype="U64"),
        model=np.array(model_id),
    )
    return bio.getvalue()
