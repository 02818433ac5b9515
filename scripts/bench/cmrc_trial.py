"""1. CMRC 2018 trial as notes: index builds, retrieval quality against BM25 alone
and cosine alone, `ask` latency and memory.

Each article is a note (scripts/cmrc.py). The index is built cold (empty
cache, unless --quick) and with a warm cache; every question is asked through
`Engine.ask`, and notechat's own index ranked by each side alone
(`chatbot.compare.side_rankings`, the same code as `eval --compare` and the
notebook). Memory is also taken from a child process that only opens the
index and answers.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from chatbot.compare import BM25_ONLY, DENSE_ONLY, row_passages, side_rankings
from chatbot.config import Settings
from chatbot.engine import Engine, QuestionError, clean_question
from chatbot.evaluate import Question, first_relevant_rank, load_questions, metrics

from .common import ROOT, TimedEmbedder, latency_ms, ok, peak_rss_mb, rss_mb, say, table

TARGETS = {"hit1": 0.92, "hit5": 0.995, "mrr10": 0.95}


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
        last = timed.last_query
        qv = last[1] if last and last[0] == query else searcher.embed_query(query)
        sides = side_rankings(searcher, query, qv, top_k)
        found = {
            "notechat": [h.row for h in ans.passages],
            "bm25": sides[BM25_ONLY],
            "dense": sides[DENSE_ONLY],
        }
        for name, rows in found.items():
            ranks[name].append(first_relevant_rank(row_passages(searcher, rows), q))
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


def run(
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

    Run in a child process (`python -m scripts.bench.cmrc_trial …`), so the
    builds and the other parts of the bench do not count.
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
    args = [sys.executable, "-m", "scripts.bench.cmrc_trial"]
    args += [str(index_dir), notes, str(questions_path), str(n)]
    done = subprocess.run(args, capture_output=True, text=True, timeout=600, cwd=ROOT)
    if done.returncode != 0:
        say(f"memory probe failed: {done.stderr.strip().splitlines()[-1:]}")
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def markdown(c: dict) -> list[str]:
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


if __name__ == "__main__":  # the memory probe's child process
    index_dir, notes, questions, n = sys.argv[1:5]
    print(json.dumps(serve_rss(index_dir, notes, questions, int(n))))
