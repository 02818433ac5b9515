"""The fastest number format for a model on this CPU, chosen by timing, not by guessing.

Formats: "float32"; "bfloat16" where the CPU computes it natively (AVX512-BF16
or AMX; emulated bf16 is ~100x slower, so there it is not even timed): the
linear layers' weights in bf16 and their inputs cast by `torch.autocast`, while
layer norms, residual sums and pooling stay float32 — all-bf16 rounds the
vectors themselves (cosine 0.998 to float32), this keeps them ≥ 0.9999.
One encoder layer, copied in each format, runs a batch of the size indexing
uses; the faster wins. The probe costs a fraction of a second.

In either format the 250k-row word table stays as stored (16 bits; 190 MB
instead of 380 MB): a lookup reads one row per token, and its sum with the
float32 position rows is float32.

Leaves out: float16 compute (no fast CPU kernels); int8 (torch's dynamic
quantisation moved vectors to cosine 0.965 and was slower here: see
scripts/bench/embed.py); torch.compile (takes longer to start than it saves).
"""

from __future__ import annotations

import contextlib
import copy
import logging
import os
import time

log = logging.getLogger(__name__)

FORMATS = ("auto", "float32", "bfloat16")


def use_allowed_cores() -> int:
    """torch's threads = the cores this process may run on (torch counts the host's)."""
    import torch

    affinity = getattr(os, "sched_getaffinity", None)  # Linux only
    cores = len(affinity(0)) if affinity else (os.cpu_count() or 1)
    if torch.get_num_threads() != cores:
        torch.set_num_threads(cores)
    return cores


def native_bf16() -> bool:
    import torch

    probes = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(getattr(torch.cpu, f, lambda: False)() for f in probes)


def apply(model, fmt: str, keep=None) -> None:
    """Put `model` in `fmt` in place; `keep` (the word table) stays as it is."""
    import torch

    for name, p in model.named_parameters():
        if p.is_floating_point() and p is not keep:
            p.data = p.data.float()
    if fmt == "bfloat16":
        for m in model.modules():
            if isinstance(m, torch.nn.Linear):
                m.to(torch.bfloat16)


def running(fmt: str):
    """The context a forward pass in `fmt` runs in."""
    import torch

    if fmt == "bfloat16":
        return torch.autocast("cpu", dtype=torch.bfloat16)
    return contextlib.nullcontext()


def _seconds(layer, x, fmt: str, rounds: int = 3) -> float:
    import torch

    with torch.inference_mode(), running(fmt):
        layer(x)  # first call: allocations, kernel choice
        best = float("inf")
        for _ in range(rounds):
            t0 = time.perf_counter()
            layer(x)
            best = min(best, time.perf_counter() - t0)
    return best


def fastest(layer, hidden: int, tokens: tuple[int, int] = (16, 96)) -> str:
    """The faster format for `layer`, one encoder layer of the model (copied, not changed)."""
    import torch

    if not native_bf16():
        return "float32"
    x = torch.randn(*tokens, hidden)
    cost = {}
    for fmt in ("float32", "bfloat16"):
        probe = copy.deepcopy(layer)
        apply(probe, fmt)
        cost[fmt] = _seconds(probe, x, fmt)
    log.info(
        "one encoder layer, %s tokens: %s",
        tokens,
        {k: f"{v * 1e3:.1f} ms" for k, v in cost.items()},
    )
    return min(cost, key=cost.__getitem__)
