"""One text (a question) through the model: eager, or through a frozen trace of its transformer.

A question is a dozen tokens. Its arithmetic is small, and most of an eager
forward pass is Python and per-operation dispatch. The transformer traced once
(TorchScript, 0.3 s) and frozen runs the same arithmetic with fused operations
and none of that overhead: on a 2-core Zen 4, 15.2 → 12.7 ms a question in
bfloat16 and 22.5 → 17.4 ms in float32, for +42 MB (docs/embedding.md, run 6).

The trace is kept only when it gives the eager vectors (cosine ≥ SAME on two
probe texts of different lengths, so a length frozen into the trace shows) and
runs faster here, measured by turns. Otherwise the eager path stays, and why is
logged. Pooling and the modules after it run as they are, eagerly, with their
hooks. Batches of passages never come here: they go through `encode()`.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable

import numpy as np

from .precision import turns

log = logging.getLogger(__name__)

SAME = 0.9999  # cosine between the traced and the eager vector of one text
PROBES = ("什么是PGC？", "How long does Magic3D take to generate a 3D model from text?")

Run = Callable[[str], np.ndarray]


def eager(model) -> Run:
    """`model` (a SentenceTransformer) on one text, module by module.

    encode()'s per-call checks (the device of every parameter, eval() down the
    tree) cost 2-5 ms of a 15 ms question; preprocess() and the modules are the same work.
    """

    def run(text: str) -> np.ndarray:
        import torch

        with torch.inference_mode():
            return _unit(model(model.preprocess([text]))["sentence_embedding"][0])

    return run


def traced(model, example: str = PROBES[0]) -> Run:
    """The same, with the first module's network traced and frozen (may raise)."""
    import torch
    from transformers.utils import logging as hf_logging

    first = model[0]
    net = first.auto_model
    name = getattr(first, "module_output_name", "token_embeddings")
    rest = list(model)[1:]
    level = hf_logging.get_verbosity()
    with torch.inference_mode(), warnings.catch_warnings():
        # torch marks TorchScript deprecated in favour of torch.compile, whose compiling
        # takes minutes on two cores; transformers warns of the Python bools it freezes in,
        # and of every config attribute the tracer reads ("loss_type=None ...").
        warnings.simplefilter("ignore")
        hf_logging.set_verbosity_error()
        try:
            ids = model.preprocess([example])["input_ids"]
            frozen = torch.jit.freeze(torch.jit.trace(net, (ids,), strict=False).eval())
        finally:
            hf_logging.set_verbosity(level)

    def run(text: str) -> np.ndarray:
        with torch.inference_mode():
            features = model.preprocess([text])  # one text: no padding, the mask is all ones
            out = frozen(features["input_ids"])
            features[name] = out["last_hidden_state"] if isinstance(out, dict) else out[0]
            for module in rest:
                features = module(features)
            return _unit(features["sentence_embedding"][0])

    return run


def fastest(model, rounds: int = 5) -> Run:
    """The traced path if it gives the eager vectors and is faster here, else the eager one."""
    slow = eager(model)
    if getattr(model[0], "auto_model", None) is None:
        return slow  # not a transformers network (e.g. static embeddings)
    try:
        fast = traced(model)
        worst = min(float(slow(t) @ fast(t)) for t in PROBES)
    except Exception as exc:  # an architecture the tracer cannot follow
        log.info("one text runs eagerly: the trace failed (%s)", str(exc).splitlines()[0][:200])
        return slow
    if worst < SAME:
        log.info("one text runs eagerly: the trace gives other vectors (cosine %.5f)", worst)
        return slow
    cost = turns({"eager": lambda: slow(PROBES[0]), "traced": lambda: fast(PROBES[0])}, rounds)
    log.info("one text: %s", {k: f"{v * 1e3:.2f} ms" for k, v in cost.items()})
    return fast if cost["traced"] < cost["eager"] else slow


def _unit(vec) -> np.ndarray:
    v = vec.float().numpy()
    return v / max(float(np.linalg.norm(v)), 1e-12)
