"""How fast could passages be embedded here at best? This CPU's matrix-product ceiling.

`python -m scripts.bench.roofline` counts the tokens of the embedding bench's
128 chunks (scripts/bench/embed.py) through the default model's own tokenizer,
the floating-point operations multilingual-e5-small needs for them (12 layers,
hidden 384, feed-forward 1536: the linear layers, 2 x parameters x tokens, and
attention, 4 x tokens^2 x hidden per layer and text), and times torch's
matrix product at the model's own shapes (16 chunks of ~200 tokens a batch),
in bfloat16 and float32 on the cores the process may use. Dividing gives the
chunks/s this CPU would reach if the matrix products were all there was to do,
the ceiling for every engine here. Then torch's profiler on one call of 32
chunks through the default path says where its time goes.
"""

from __future__ import annotations

import os
import time

import numpy as np

HIDDEN, FF, LAYERS = 384, 1536, 12
ROWS = 16 * 200  # one batch of passages: 16 chunks of ~200 tokens


def flops(tokens: list[int]) -> tuple[float, float]:
    """(linear layers, attention) floating-point operations for texts of these lengths."""
    per_token = LAYERS * (4 * HIDDEN * HIDDEN + 2 * HIDDEN * FF)  # Q, K, V, out; FF in and out
    linear = 2.0 * per_token * sum(tokens)
    attention = float(sum(LAYERS * 4 * t * t * HIDDEN for t in tokens))
    return linear, attention


def gemm_rate(dtype, rounds: int = 5, calls: int = 20) -> float:
    """Best GFLOP/s of torch's matrix product at the model's four linear shapes."""
    import torch

    h = HIDDEN
    shapes = ((ROWS, h, 3 * h), (ROWS, h, h), (ROWS, h, FF), (ROWS, FF, h))
    work, took = 0.0, 0.0
    for m, k, n in shapes:
        a, b = torch.randn(m, k, dtype=dtype), torch.randn(k, n, dtype=dtype)
        for _ in range(3):
            a @ b
        best = min(_time(lambda a=a, b=b: a @ b, calls) for _ in range(rounds))
        work, took = work + 2.0 * m * k * n, took + best
    return work / took / 1e9


def _time(fn, calls: int) -> float:
    t0 = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - t0) / calls


def main() -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from torch.profiler import ProfilerActivity, profile

    from index import load_embedder

    from .common import native_bf16
    from .embed import bench_chunks

    emb = load_embedder("e5-small")
    chunks = bench_chunks()
    tokens = emb.token_counts(["passage: " + c for c in chunks])
    linear, attention = flops(tokens)
    n, threads = len(chunks), torch.get_num_threads()
    print(f"{n} chunks, {sum(tokens)} tokens (mean {np.mean(tokens):.0f}), {threads} threads")
    total = linear + attention
    print(f"GFLOP: {total / 1e9:.0f} ({linear / 1e9:.0f} linear, {attention / 1e9:.0f} attention)")
    for dtype in (torch.bfloat16, torch.float32):
        if dtype == torch.bfloat16 and not native_bf16():  # emulated: minutes, and never used
            print(f"{dtype}: not native on this CPU, not timed")
            continue
        rate = gemm_rate(dtype)
        ceiling, need = rate * 1e9 * n / total, 60 * total / n / 1e9
        print(f"{dtype}: products {rate:.0f} GFLOP/s -> at most {ceiling:.1f} chunks/s", end="")
        print(f" (60/s needs {need:.0f})")
    print(f"\nthe default path ({emb.fmt}), one call of 32 chunks:")
    emb.embed_passages(chunks[:32])
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        emb.embed_passages(chunks[:32])
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=6))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
