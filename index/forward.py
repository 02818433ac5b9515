"""Texts through the model: eagerly, or through a frozen trace of its transformer.

The transformer traced once (TorchScript, 0.3 s) and frozen runs the same
arithmetic with none of the Python and per-operation dispatch of an eager pass,
and freezing merges the query, key and value projections into one matrix
product. On a 2-core Zen 4 a question takes 15.2 → 12.7 ms in bfloat16 and
22.5 → 17.4 ms in float32, and batches of passages run 3-4 % faster
(docs/embedding.md, runs 6 and 7).

The trace takes the token ids and the attention mask, and is traced on a padded
pair of texts, so the mask's path is in it for every batch. It is kept only when
it gives the eager vectors (cosine ≥ SAME on the probe texts, alone and as a
padded batch, so a length or a mask frozen into the trace shows) and runs faster
here, measured by turns. Otherwise the eager path stays, and why is logged.
Pooling and the modules after it run as they are, eagerly, with their hooks.
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

Run = Callable[[list[str]], np.ndarray]  # texts → L2-normalised float32 rows


def eager(model) -> Run:
    """`model` (a SentenceTransformer) on a batch of texts, module by module.

    encode()'s per-call checks (the device of every parameter, eval() down the
    tree) cost 2-5 ms of a 15 ms question; preprocess() and the modules are the same work.
    """

    def run(texts: list[str]) -> np.ndarray:
        import torch

        with torch.inference_mode():
            return _unit(model(model.preprocess(list(texts)))["sentence_embedding"])

    return run


def traced(model) -> Run:
    """The same, with the first module's network traced and frozen (may raise)."""
    import torch
    from transformers.utils import logging as hf_logging

    first = model[0]
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
            x = model.preprocess(list(PROBES))  # two lengths: the shorter one is padded
            net = hidden_states(first.auto_model).eval()
            trace = torch.jit.trace(net, (x["input_ids"], x["attention_mask"]), strict=False)
            frozen = torch.jit.freeze(trace.eval())
        finally:
            hf_logging.set_verbosity(level)

    def run(texts: list[str]) -> np.ndarray:
        with torch.inference_mode():
            features = model.preprocess(list(texts))
            features[name] = frozen(features["input_ids"], features["attention_mask"])
            for module in rest:
                features = module(features)
            return _unit(features["sentence_embedding"])

    return run


def hidden_states(net):
    """`net` (a transformers model) as (token ids, attention mask) → last hidden states:
    positional inputs and one output, what the tracer and the ONNX exporter follow."""
    import torch

    class Hidden(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.net = net

        def forward(self, input_ids, attention_mask):
            return self.net(input_ids=input_ids, attention_mask=attention_mask)[0]

    return Hidden()


def fastest(model, rounds: int = 5) -> Run:
    """The traced path if it gives the eager vectors and is faster here, else the eager one."""
    slow = eager(model)
    if getattr(model[0], "auto_model", None) is None:
        return slow  # not a transformers network (e.g. static embeddings)
    texts = [[PROBES[0]], [PROBES[1]], list(PROBES)[::-1]]  # alone, and padded in a batch
    try:
        fast = traced(model)
        worst = min(float((slow(t) * fast(t)).sum(1).min()) for t in texts)
    except Exception as exc:  # an architecture the tracer cannot follow
        log.info("the model runs eagerly: the trace failed (%s)", str(exc).splitlines()[0][:200])
        return slow
    if worst < SAME:
        log.info("the model runs eagerly: the trace gives other vectors (cosine %.5f)", worst)
        return slow
    # A question alone and a padded pair: what questions and batches of passages do.
    cost = turns({"eager": lambda: _both(slow), "traced": lambda: _both(fast)}, rounds)
    log.info("a question and a pair: %s", {k: f"{v * 1e3:.2f} ms" for k, v in cost.items()})
    return fast if cost["traced"] < cost["eager"] else slow


def _both(run: Run) -> None:
    run(PROBES[:1])
    run(list(PROBES))


def _unit(vecs) -> np.ndarray:
    v = vecs.float().numpy()
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)
