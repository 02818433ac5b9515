"""The load benchmark's clients and their questions.

`http_clients` speak Gradio's queue protocol as the page does (`queue/join`,
then the session's event stream), all in one asyncio loop; `gradio_clients`
use one `gradio_client.Client` and one thread each. Both return the latency of
every answered question and the errors.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import threading
import time

from .common import ROOT

EVAL = ROOT.parent / "shared" / "eval"
BUILT_IN = [
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


def questions() -> list[str]:
    """Distinct questions: the built-in ones, the dev sets, the CMRC trial's (when present)."""
    out = list(BUILT_IN)
    for f in sorted(EVAL.glob("dev-*.jsonl")):
        out += [json.loads(x)["question"] for x in f.read_text("utf-8").splitlines() if x.strip()]
    cmrc = EVAL / "cmrc2018-trial.json"
    if cmrc.exists():
        data = json.loads(cmrc.read_text("utf-8"))["data"]
        out += [qa["question"] for a in data for p in a["paragraphs"] for qa in p["qas"]]
    return [q for q in dict.fromkeys(q.strip() for q in out) if q]


async def _ask(client, url: str, fn_index: int, session: str, question: str) -> None:
    # /ask takes question, history, folder, tag: a raw call sends them all (no scope here).
    body = {"data": [question, [], None, None], "fn_index": fn_index, "session_hash": session}
    r = await client.post(url + "gradio_api/queue/join", json=body)
    if r.status_code != 200:
        raise RuntimeError(f"{r.status_code}: {r.text[:120]}")
    async with client.stream("GET", url + f"gradio_api/queue/data?session_hash={session}") as s:
        async for line in s.aiter_lines():
            if not line.startswith("data:"):
                continue
            msg = json.loads(line[5:])
            if msg.get("msg") == "process_completed":
                if not msg.get("success"):
                    raise RuntimeError(str(msg.get("output", {}).get("error"))[:120])
                if "answer" not in msg["output"]["data"][0]:
                    raise RuntimeError(f"no answer in {str(msg['output'])[:80]}")
                return
    raise RuntimeError("the event stream ended without an answer")


async def http_clients(url: str, clients: int, each: int, qs: list[str]) -> tuple[list, list]:
    import httpx

    async with httpx.AsyncClient(timeout=300) as probe:
        config = (await probe.get(url + "config")).json()
    fn_index = next(d["id"] for d in config["dependencies"] if d.get("api_name") == "ask")
    latencies: list[float] = []
    errors: list[str] = []
    start = asyncio.Event()

    async def one(i: int) -> None:
        async with httpx.AsyncClient(timeout=300) as client:
            session = secrets.token_hex(8)
            await start.wait()
            for j in range(each):
                t0 = time.perf_counter()
                try:
                    await _ask(client, url, fn_index, session, qs[(i * each + j) % len(qs)])
                    latencies.append(time.perf_counter() - t0)
                except Exception as exc:  # counted and sampled, the run goes on
                    errors.append(f"{type(exc).__name__}: {exc}")

    tasks = [asyncio.create_task(one(i)) for i in range(clients)]
    await asyncio.sleep(0.5)  # let every client open its connection before the clock starts
    start.set()
    await asyncio.gather(*tasks)
    return latencies, errors


def gradio_clients(url: str, clients: int, each: int, qs: list[str]) -> tuple[list, list]:
    from gradio_client import Client

    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    gate = threading.Barrier(clients)

    def one(i: int) -> None:
        client = Client(url, verbose=False)
        gate.wait()
        for j in range(each):
            t0 = time.perf_counter()
            try:
                out = client.predict(qs[(i * each + j) % len(qs)], [], api_name="/ask")
                if "answer" not in out:
                    raise RuntimeError(f"no answer in {str(out)[:80]}")
                with lock:
                    latencies.append(time.perf_counter() - t0)
            except Exception as exc:
                with lock:
                    errors.append(f"{type(exc).__name__}: {str(exc)[:120]}")

    threads = [threading.Thread(target=one, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors
