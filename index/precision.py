"""The fastest number format for a model on this CPU, chosen by timing, not by guessing.

Formats: "float32"; "bfloat16" where the CPU computes it natively (AVX512-BF16
or AMX; emulated bf16 is ~100x slower, so there it is not even timed): the whole
transformer in bf16, its output made float32 before pooling, since a mean and a
norm taken in bf16 round the vector itself (cosine 0.998 to float32; pooled in
float32: ≥ 0.9999). One encoder layer, copied in each format, runs a batch of
the size indexing uses; the faster wins. The probe costs a fraction of a second.

In float32 the 250k-row word table stays as stored (16 bits; 190 MB instead of
380 MB): a lookup reads one row per token, and adding the float32 position rows
makes it float32.

One question is a few rows: there, two threads can cost more in handing work
over than they save, while a batch wants every core. The embedder has OpenMP's
threads sleep when idle (OMP_WAIT_POLICY=PASSIVE), and waking one ~100 times a
question costs more than it saves: 15-17 ms on one thread against ~25 on two,
here. (Letting them spin instead gives 13 ms on two, quiet, but 50-100 ms beside
one busy process: measured, left out.) `threads_for_one` times the whole model
on one short question with one thread and with all, taking turns, and keeps the
faster for single texts.

Measured and left out (scripts/bench/embed.py, docs/embedding.md): bf16 linear
layers under `torch.autocast` (as accurate, ~10 % slower: every layer casts);
int8 (torch's dynamic quantisation: cosine 0.96); torch.compile (~50 s to start
for a few per cent); float16 compute (no fast CPU kernels).
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


@contextlib.contextmanager
def threads(n: int):
    """`with threads(n):` torch runs on n threads inside, as before after."""
    import torch

    before = torch.get_num_threads()
    if n != before:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        if torch.get_num_threads() != before:
            torch.set_num_threads(before)


def turns(runs: dict, rounds: int = 5, around=lambda name: contextlib.nullcontext()) -> dict:
    """Each of `runs` (name → a call with no arguments) timed at its best, taking turns.

    Round after round each runs once, inside `around(name)` (untimed), so a burst
    of outside load hits all alike rather than deciding the match.
    """
    cost = dict.fromkeys(runs, float("inf"))
    for name, run in runs.items():
        with around(name):
            run()  # first call: allocations, kernel choice
    for _ in range(rounds):
        for name, run in runs.items():
            with around(name):
                t0 = time.perf_counter()
                run()
                cost[name] = min(cost[name], time.perf_counter() - t0)
    return cost


def threads_for_one(run, cores: int, rounds: int = 5) -> int:
    """1 or `cores` threads, whichever runs `run()` (one short text) faster."""
    if cores == 1:
        return 1
    cost = turns({cores: run, 1: run}, rounds, around=threads)
    log.info("one short text: %s", {f"{n} threads": f"{v * 1e3:.2f} ms" for n, v in cost.items()})
    return min(cost, key=cost.__getitem__)


def native_bf16() -> bool:
    import torch

    probes = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(getattr(torch.cpu, f, lambda: False)() for f in probes)


def apply(model, fmt: str, keep=None) -> None:
    """Put a SentenceTransformer in `fmt` in place; in float32 `keep` (the word table) stays."""
    import torch

    if fmt == "bfloat16":
        model.to(torch.bfloat16)
        model[0].register_forward_hook(_pool_in_float32)
        return
    for p in model.parameters():
        if p.is_floating_point() and p is not keep:
            p.data = p.data.float()


def _pool_in_float32(module, args, features: dict) -> dict:
    return {**features, "token_embeddings": features["token_embeddings"].float()}


def _seconds(layer, x, rounds: int = 3) -> float:
    import torch

    with torch.inference_mode():
        layer(x)  # first call: allocations, kernel choice
        best = float("inf")
        for _ in range(rounds):
            t0 = time.perf_counter()
            layer(x)
            best = min(best, time.perf_counter() - t0)
    return best


def fastest(layer, hidden: int, tokens: tuple[int, int] = (16, 96)) -> str:
    """The faster format for `layer`, a float32 encoder layer of the model (not changed)."""
    import torch

    if not native_bf16():
        return "float32"
    x = torch.randn(*tokens, hidden)
    cost = {
        "float32": _seconds(layer, x),
        "bfloat16": _seconds(copy.deepcopy(layer).to(torch.bfloat16), x.to(torch.bfloat16)),
    }
    log.info(
        "one encoder layer, %s tokens: %s",
        tokens,
        {k: f"{v * 1e3:.1f} ms" for k, v in cost.items()},
    )
    return min(cost, key=cost.__getitem__)
