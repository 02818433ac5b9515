"""Load while a big note is added: many clients ask while a 5 MB note is uploaded and indexed.

Usage: python scripts/load_upload.py [--clients 20] [--seconds 60] [--big-mb 5]
                                     [--wait-big SECONDS] [--json FILE]

Starts `python -m chatbot serve` in its own process on a free 127.0.0.1 port
with the real default model, a temporary index of the shipped note and a
temporary upload folder. Then, at once: `--clients` gradio_client clients ask
questions in a loop for `--seconds`; after 2 s a `--big-mb` MB note (distinct
prose, within every per-note limit) is uploaded through /add_notes; after
15 s a small note is uploaded and, once added, asked about. Reports errors,
questions per second, latency percentiles, how long the small upload took
and whether its note was answerable while the big one was still being
embedded, and the big upload's state at the end of the window (with
`--wait-big`, how long it took in all). Timings are upper bounds on a shared
machine. Only loopback addresses are contacted.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_chunking import make_note  # noqa: E402
from load_test import QUESTIONS, free_port  # noqa: E402

from index.chunking import chunk_note, embed_texts  # noqa: E402
from index.notes import parse_note  # noqa: E402

SMALL_FACT = "独角兽咖啡馆的招牌饮品是薰衣草燕麦拿铁，每天只卖九十九杯。"
SMALL_QUESTION = "独角兽咖啡馆的招牌饮品是什么？"


def start_serve(work: Path, port: int, timeout: float = 900) -> tuple[subprocess.Popen, list]:
    """`python -m chatbot serve` in its own process; returns once it says it is ready."""
    env = dict(
        os.environ,
        HF_HUB_OFFLINE="1",
        NOTECHAT_INDEX_DIR=str(work / "index"),
        NOTECHAT_UPLOAD_DIR=str(work / "uploads"),
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "chatbot", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    log: list[str] = []
    ready = threading.Event()

    def drain() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            log.append(line.rstrip())
            if "ready at" in line:
                ready.set()

    threading.Thread(target=drain, daemon=True).start()
    deadline = time.monotonic() + timeout
    while not ready.wait(1):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise SystemExit("serve did not start:\n" + "\n".join(log[-20:]))
    return proc, log


def _pct(values: list[float], p: float) -> float:
    v = sorted(values)
    return round(v[min(len(v) - 1, int(p * len(v)))] * 1000, 1) if v else float("nan")


def run(a: argparse.Namespace) -> dict:
    from gradio_client import Client, handle_file

    work = Path(tempfile.mkdtemp(prefix="notechat-load-upload-"))
    big = work / "incoming" / "big-note.md"
    big.parent.mkdir()
    big.write_bytes(make_note(a.big_mb * 0.98))  # just under the MB figure, as bytes
    small = work / "incoming" / "small-note.md"
    small.write_text(f"# 咖啡馆\n\n{SMALL_FACT}\n", "utf-8")
    texts = len(embed_texts(chunk_note(parse_note(big.read_bytes(), str(big)))))
    port = free_port()
    t_start = time.perf_counter()
    proc, log = start_serve(work, port)
    url = f"http://127.0.0.1:{port}/"
    ready_s = time.perf_counter() - t_start
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()
    stopping = threading.Event()
    state: dict = {"big": {"state": "not started"}, "small": {"state": "not started"}}

    def asker(i: int) -> None:
        client = Client(url, verbose=False)
        j = 0
        while not stop.is_set():
            q = QUESTIONS[(i + j) % len(QUESTIONS)]
            j += 1
            t0 = time.perf_counter()
            try:
                out = client.predict(q, [], api_name="/ask")
                if "answer" not in (out if isinstance(out, dict) else json.loads(out)):
                    raise ValueError(f"no answer in {str(out)[:80]}")
            except Exception as exc:  # every failure counts, whatever its kind
                with lock:
                    errors.append(f"{type(exc).__name__}: {str(exc)[:120]}")
                continue
            with lock:
                latencies.append(time.perf_counter() - t0)

    def upload(key: str, path: Path, after: float) -> None:
        time.sleep(after)
        state[key] = {"state": "uploading", "t0": time.perf_counter()}
        try:
            notes_html, _ = Client(url, verbose=False).predict(
                [handle_file(str(path))], "en", api_name="/add_notes"
            )
        except Exception as exc:
            # Stopping the server ends an upload still under way; anything else is an error.
            state[key].update(
                state="still embedding when the server stopped" if stopping.is_set() else "error",
                error=f"{type(exc).__name__}: {str(exc)[:200]}",
                at_s=round(time.perf_counter() - t_window, 1),
            )
            return
        done = time.perf_counter()
        state[key].update(
            state="indexed" if path.name in notes_html else "refused",
            seconds=round(done - state[key]["t0"], 1),
            at_s=round(done - t_window, 1),
        )
        if key == "small":
            ans = Client(url, verbose=False).predict(SMALL_QUESTION, [], api_name="/ask")
            ans = ans if isinstance(ans, dict) else json.loads(ans)
            state[key]["answerable"] = any(
                p["note"].endswith(path.name) and SMALL_FACT in p["text"]
                for p in ans.get("passages", [])[:3]
            )
            state[key]["big_still_uploading"] = state["big"]["state"] == "uploading"

    t_window = time.perf_counter()
    threads = [threading.Thread(target=asker, args=(i,), daemon=True) for i in range(a.clients)]
    threads.append(threading.Thread(target=upload, args=("big", big, 2.0), daemon=True))
    threads.append(threading.Thread(target=upload, args=("small", small, 15.0), daemon=True))
    for t in threads:
        t.start()
    time.sleep(a.seconds)
    stop.set()
    window = time.perf_counter() - t_window
    for t in threads[: a.clients]:
        t.join(120)
    if a.wait_big and state["big"]["state"] == "uploading":
        threads[-2].join(a.wait_big)
    stopping.set()
    proc.terminate()
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
    for side in state.values():
        side.pop("t0", None)
    big_bytes = big.stat().st_size
    shutil.rmtree(work, ignore_errors=True)
    return {
        "clients": a.clients,
        "window_s": round(window, 1),
        "serve_ready_s": round(ready_s, 1),
        "answered": len(latencies),
        "errors": len(errors),
        "error_samples": errors[:5],
        "questions_per_s": round(len(latencies) / window, 2),
        "p50_ms": _pct(latencies, 0.50),
        "p95_ms": _pct(latencies, 0.95),
        "p99_ms": _pct(latencies, 0.99),
        "big_note": {"mb": round(big_bytes / 1e6, 2), "texts": texts, **state["big"]},
        "small_note": state["small"],
        "server_log_tail": [ln for ln in log if "notechat:" in ln][-5:],
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--big-mb", type=float, default=5)
    ap.add_argument(
        "--wait-big", type=float, default=0, help="then wait this long for the big note"
    )
    ap.add_argument("--json", help="write the figures to this file")
    a = ap.parse_args()
    res = run(a)
    print(json.dumps(res, indent=1, ensure_ascii=False))
    if a.json:
        Path(a.json).write_text(json.dumps(res, indent=1, ensure_ascii=False), "utf-8")
    small = res["small_note"]
    return 0 if res["errors"] == 0 and small.get("answerable") else 1


if __name__ == "__main__":
    raise SystemExit(main())
