"""4. Scale: exact `IndexFlatIP` against HNSW on synthetic e5-like vectors, and the
whole hybrid retrieval (`Searcher.search`, question embedding excluded) at
100,000 chunks; from these, the recommended `index/dense.py` settings.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from index import dense
from index.chunking import Chunk
from index.search import Searcher
from index.store import LoadedIndex

from .common import WORK, ok, say, table, timed_rounds
from .incremental import vocabulary

HYBRID_BUDGET_MS = 30.0  # per question, embedding excluded
FLAT_BUDGET_MS = 10.0  # the exact dense search's share of that budget
RECALL_TARGET = 0.98
RECALL_MARGIN = 0.01


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


def run(
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


def markdown(s: dict) -> list[str]:
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
