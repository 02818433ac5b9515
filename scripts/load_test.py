"""Load test: many gradio_client clients asking at once against one local server.

Usage: python scripts/load_test.py [--clients 50] [--questions 20] [--url URL]
Without --url it starts notechat's app on a free loopback port with the real
default model and the shipped note. Prints errors, latency p50/p95/p99 and
throughput, and (with --busy) what an overloaded, bounded queue answers.
Only loopback addresses are ever contacted.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

QUESTIONS = [
    "什么是PGC？",
    "百度的数字人平台叫什么名字？",
    "Magic3D生成一个3D模型要多久？",
    "剪映App中的AI视频生成系统有哪些功能？",
    "What does Omniverse Audio2Face do?",
    "Dreamwriter的写作流程包括哪些环节？",
    "How long does Magic3D take to generate a 3D model?",
    "MaaS是什么意思？",
    "今天北京的天气怎么样？",
    "<img src=x onerror=alert(1)>",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(
    engine=None, concurrency: int | None = None, queue_size: int | None = None
) -> tuple[str, object]:
    from chatbot import ui
    from chatbot.config import settings_from
    from chatbot.engine import Engine

    engine = engine or Engine(settings_from()).open()
    kw = {}
    if concurrency is not None:
        kw["concurrency"] = concurrency
    if queue_size is not None:
        kw["queue_size"] = queue_size
    demo = ui.build_app(engine, **kw)
    port = free_port()
    ui.start(demo, "127.0.0.1", port)
    return f"http://127.0.0.1:{port}/", demo


def _loopback(url: str) -> None:
    host = urlparse(url).hostname or ""
    if host not in ("127.0.0.1", "localhost", "::1") and not host.startswith("127."):
        raise SystemExit(f"refusing to load-test {host}: loopback only")


def run_load(url: str, clients: int, questions: int, timeout: float = 300) -> dict:
    """`clients` threads, each with its own gradio_client, asking `questions` each."""
    from gradio_client import Client

    _loopback(url)
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start_gate = threading.Barrier(clients)

    def worker(i: int) -> None:
        try:
            client = Client(url, verbose=False)
        except Exception as exc:  # a client that cannot connect is an error like any other
            with lock:
                errors.append(f"connect: {exc}")
            start_gate.abort()
            return
        try:
            start_gate.wait(timeout=60)
        except threading.BrokenBarrierError:
            pass
        for j in range(questions):
            q = QUESTIONS[(i + j) % len(QUESTIONS)]
            t0 = time.perf_counter()
            try:
                out = client.predict(q, [], api_name="/ask")
                obj = out if isinstance(out, dict) else json.loads(out)
                if "answer" not in obj:
                    raise ValueError(f"no answer in {str(obj)[:80]}")
            except Exception as exc:
                with lock:
                    errors.append(f"{type(exc).__name__}: {str(exc)[:120]}")
                continue
            with lock:
                latencies.append(time.perf_counter() - t0)

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    wall = time.perf_counter() - t0
    lat = sorted(latencies)

    def pct(p: float) -> float:
        return lat[min(len(lat) - 1, int(p * len(lat)))] * 1000 if lat else float("nan")

    return {
        "clients": clients,
        "questions_each": questions,
        "answered": len(lat),
        "errors": len(errors),
        "error_samples": errors[:5],
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "mean_ms": statistics.fmean(lat) * 1000 if lat else float("nan"),
        "throughput_qps": len(lat) / wall if wall else 0.0,
        "wall_s": wall,
    }


def overload(engine=None, burst: int = 40) -> dict:
    """A tiny queue flooded at once: the surplus must get a clear 'busy' error fast."""
    url, demo = start_server(engine, concurrency=1, queue_size=2)
    try:
        res = run_load(url, clients=burst, questions=1, timeout=120)
    finally:
        demo.close()
    return res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--questions", type=int, default=20)
    ap.add_argument("--url")
    ap.add_argument("--busy", action="store_true", help="also flood a bounded queue")
    ap.add_argument("--json", help="write the figures to this file")
    a = ap.parse_args()
    demo = None
    url = a.url
    if url is None:
        url, demo = start_server()
    try:
        res = {"load": run_load(url, a.clients, a.questions)}
        if a.busy:
            res["overload"] = overload()
    finally:
        if demo is not None:
            demo.close()
    print(json.dumps(res, indent=1, ensure_ascii=False))
    if a.json:
        Path(a.json).write_text(json.dumps(res, indent=1, ensure_ascii=False), "utf-8")
    return 0 if res["load"]["errors"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
