"""`python -m chatbot eval` with the onnxruntime engines embedding passages and questions.

Measured, not shipped: does int8 (or float32) through onnxruntime keep the
retrieval and trust figures? Every word of `eval` is the same; only the
embedder the engine loads is replaced by scripts/bench/embed_ort.py's engine
(the same model id, so the stored calibration applies). Give a fresh
--index-dir: an index built by the shipped path would keep its vectors.

    PYTHONPATH=build/ortpkgs .venv/bin/python -m scripts.bench.eval_ort int8 \
        --squad ../shared/eval/cmrc2018-trial.json --n 300 --seed 0 --index-dir build/ev/ort
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import numpy as np


class OrtEmbedder:
    """The Embedder protocol over ort_engine(kind): the model reads what the shipped one reads."""

    def __init__(self, kind: str) -> None:
        from index.embed import E5_DIM, E5_MODEL_ID

        from .embed_ort import ort_engine

        self._passages, self._query, self.fmt = ort_engine(kind)
        self.model_id, self.dim = E5_MODEL_ID, E5_DIM

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        from index.hans import model_text

        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return self._passages([model_text(t) for t in texts])

    def embed_query(self, text: str) -> np.ndarray:
        from index.hans import model_text

        return self._query(model_text(text))


def main(argv: Sequence[str]) -> int:
    import chatbot.engine
    import index.embed
    from chatbot.cli import main as cli

    if not argv or argv[0] not in ("int8", "float32"):
        print("usage: python -m scripts.bench.eval_ort int8|float32 EVAL-ARGS…", file=sys.stderr)
        return 2
    embedder = OrtEmbedder(argv[0])
    print(f"embedder: {embedder.fmt}", file=sys.stderr)
    chatbot.engine.load_embedder = index.embed.load_embedder = lambda *a, **k: embedder
    return cli(["eval", *argv[1:]])


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
