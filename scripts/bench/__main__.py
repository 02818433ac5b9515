"""`python -m scripts.bench`: run the benchmarks and write bench/report.md.

Usage: python -m scripts.bench [--quick] [--sections cmrc,embed,incremental,scale,load,chat]
Work files go to build/bench/; the CMRC index there reuses the cache of
build/cmrc/index when one exists, and is built from scratch otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from . import chat, cmrc_trial, embed, incremental, load, scale
from .common import OUT, ROOT, WORK, TimedEmbedder, cpu_of, machine, peak_rss_mb, say
from .report import write_report

SECTIONS = ("cmrc", "embed", "incremental", "scale", "load", "chat")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="no cold CMRC build (reuse the cache)")
    ap.add_argument("--sections", default=",".join(SECTIONS))
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--work", type=Path, default=WORK)
    ap.add_argument("--limit", type=int, help="only the first N CMRC questions")
    ap.add_argument("--scale-sizes", default="10000,50000,100000")
    ap.add_argument("--screenshot", type=Path, help="also save the chat page here (chat part)")
    args = ap.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.chdir(ROOT)
    sections = set(args.sections.split(","))
    t0 = time.perf_counter()
    results: dict = {
        "machine": machine(),
        "quick": args.quick,
        "started": time.strftime("%Y-%m-%d %H:%M:%S %z"),
    }
    say(f"machine: {results['machine']['cpu']}, {results['machine']['cores']} cores")
    embedder = None
    if sections & {"cmrc", "incremental"}:
        from index import load_embedder
        from index.lexical import tokenize

        t = time.perf_counter()
        embedder = TimedEmbedder(load_embedder())
        embedder.embed_passages(["预热"] * 16)  # first batch: thread pools, allocations
        tokenize("预热")  # and jieba's dictionary
        results["model_load_s"] = time.perf_counter() - t

    parts = {
        "cmrc": lambda: cmrc_trial.run(embedder, args.work / "cmrc", args.quick, args.limit),
        "embed": embed.run,
        "incremental": lambda: incremental.run(embedder, args.work / "incremental"),
        "scale": lambda: scale.run([int(s) for s in args.scale_sizes.split(",")]),
        "load": load.run,
        "chat": lambda: chat.run(screenshot=args.screenshot),
    }
    for name, run in parts.items():
        if name in sections:
            start, started = os.getloadavg()[0], time.strftime("%Y-%m-%d %H:%M:%S %z")
            results[name] = run()
            results[name]["load_avg"] = (start, os.getloadavg()[0])
            results[name]["cpu"] = cpu_of(results["machine"])
            results.setdefault("section_started", {})[name] = started
    results = _keep_earlier(results, args.out / "results.json", sections)
    results["seconds"] = time.perf_counter() - t0
    results["machine"]["load_end"] = os.getloadavg()
    results["peak_rss_mb"] = peak_rss_mb()
    path = write_report(results, args.out)
    say(f"done in {results['seconds']:.0f} s")
    print(path)
    return 0


def _keep_earlier(results: dict, path: Path, sections: set[str]) -> dict:
    """A run of some sections keeps the other sections' last figures (each says when)."""
    try:
        earlier = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return results
    when = results.setdefault("section_started", {})
    for name in SECTIONS:
        if name not in sections and isinstance(earlier.get(name), dict):
            results[name] = earlier[name]
            if "machine" in earlier:  # figures from before sections said their CPU
                results[name].setdefault("cpu", cpu_of(earlier["machine"]))
            when[name] = earlier.get("section_started", {}).get(name, earlier.get("started"))
    if "model_load_s" not in results and "model_load_s" in earlier:
        results["model_load_s"] = earlier["model_load_s"]
    return results


if __name__ == "__main__":
    sys.exit(main())
