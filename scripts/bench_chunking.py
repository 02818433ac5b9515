"""How long reading, sectioning and chunking take as a note grows (1 MB to 20 MB).

Usage: python scripts/bench_chunking.py [--sizes 1 5 20] [--json FILE]

The note is the shipped reading note's lines, numbered so none repeats (a
repeated line would be dropped as noise), several to a line so that 20 MB
stays under the 100,000-line limit. Chunking ignores the per-note texts limit
here (a 20 MB note of prose asks for ~250,000 embeddings, which the build
refuses): this measures the chunker alone. Linear work shows as a flat
"s per MB" column; before issue 11 it grew with the size (277 s at 20 MB).
Timings are upper bounds on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from index.chunking import chunk_note  # noqa: E402
from index.notes import parse_note  # noqa: E402
from index.sections import split_sections  # noqa: E402

SEED = ROOT / "data" / "notes" / "aigc-reading-note.md"


def make_note(megabytes: float, per_line: int = 4) -> bytes:
    """Distinct prose of about `megabytes` MB, `per_line` sentences to a line."""
    sentences = [s for s in SEED.read_text("utf-8").splitlines() if len(s.strip()) > 8]
    out, size, i = [], 0, 0
    while size < megabytes * 1_000_000:
        line = " ".join(
            f"第{i + k}条：{sentences[(i + k) % len(sentences)]}" for k in range(per_line)
        )
        out.append(line)
        size += len(line.encode()) + 1
        i += per_line
    return "\n".join(out).encode()


def measure(megabytes: float) -> dict:
    data = make_note(megabytes)
    t0 = time.perf_counter()
    note = parse_note(data, "bench.md")
    t1 = time.perf_counter()
    segments = split_sections(note)
    t2 = time.perf_counter()
    chunks = chunk_note(note, max_texts=10**9)
    t3 = time.perf_counter()
    return {
        "mb": round(len(data) / 1e6, 2),
        "lines": note.text.count("\n") + 1,
        "segments": len(segments),
        "chunks": len(chunks),
        "parse_s": round(t1 - t0, 3),
        "sections_s": round(t2 - t1, 3),
        "chunk_s": round(t3 - t2, 3),  # includes sectioning again, as the build does
        "s_per_mb": round((t3 - t2) / (len(data) / 1e6), 3),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=float, nargs="+", default=[1, 5, 20])
    ap.add_argument("--json", help="write the rows to this file")
    a = ap.parse_args()
    rows = []
    print("   MB     lines  chunks  parse s  chunk s  s per MB")
    for mb in a.sizes:
        r = measure(mb)
        rows.append(r)
        print(
            f"{r['mb']:5.1f} {r['lines']:9,} {r['chunks']:7,} {r['parse_s']:8.2f} "
            f"{r['chunk_s']:8.2f} {r['s_per_mb']:9.3f}",
            flush=True,
        )
    if a.json:
        Path(a.json).write_text(json.dumps(rows, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
