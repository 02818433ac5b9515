"""The dense index: FAISS on CPU, inner product over L2-normalised vectors.

Exact search (`IndexFlatIP`) up to `APPROX_THRESHOLD` vectors; above it an
HNSW graph, whose recall@10 against exact search `make bench` measures. Both
are serialised by FAISS itself to bytes (no pickle) and written atomically.
"""

from __future__ import annotations

import numpy as np

# bench/report.md, 2 cores: exact search is 16-28 ms p50 up to 50,000 vectors;
# HNSW (M 32, efSearch 128) is under 1 ms with recall@10 0.993 at 100,000, but
# building its graph takes ~50 s at 50,000, paid again on every re-index. So
# exact search as long as it is fast enough, HNSW only where it must be.
APPROX_THRESHOLD = 50_000
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128
# A scope of at most this many rows is searched exactly on an HNSW index
# (their vectors: 30 MB at 384 dimensions, a few milliseconds).
EXACT_SCOPE_ROWS = 20_000


def _faiss():
    import faiss

    return faiss


def build_dense(vectors: np.ndarray, approx_threshold: int = APPROX_THRESHOLD):
    faiss = _faiss()
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    dim = vectors.shape[1]
    if len(vectors) > approx_threshold:
        index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.hnsw.efSearch = HNSW_EF_SEARCH
    else:
        index = faiss.IndexFlatIP(dim)
    if len(vectors):
        index.add(vectors)
    return index


def kind(index) -> str:
    return "hnsw" if "HNSW" in type(index).__name__ else "flat"


def to_bytes(index) -> bytes:
    return _faiss().serialize_index(index).tobytes()


def from_bytes(data: bytes):
    faiss = _faiss()
    index = faiss.deserialize_index(np.frombuffer(data, dtype=np.uint8))
    if kind(index) == "hnsw":
        faiss.downcast_index(index).hnsw.efSearch = HNSW_EF_SEARCH
    return index


def search(
    index, query: np.ndarray, k: int, among: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(scores, ids) of the k nearest; ids are row numbers, -1 where fewer exist.

    `among`: only these rows are considered, inside FAISS's own search (an
    ID selector), so the k nearest are the k nearest of those rows. On an
    HNSW graph a small set of rows is searched exactly instead: a graph walk
    filtered down to a few rows can miss them.
    """
    k = max(1, min(k, index.ntotal if among is None else len(among)))
    if index.ntotal == 0 or (among is not None and not len(among)):
        return np.zeros(0, np.float32), np.zeros(0, np.int64)
    q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
    if among is None:
        scores, ids = index.search(q, k)
    elif kind(index) == "hnsw" and len(among) <= EXACT_SCOPE_ROWS:
        rows = np.ascontiguousarray(among, dtype=np.int64)
        sims = index.reconstruct_batch(rows) @ q[0]
        top = np.argsort(-sims, kind="stable")[:k]
        return sims[top].astype(np.float32), rows[top]
    else:
        faiss = _faiss()
        sel = faiss.IDSelectorBatch(np.ascontiguousarray(among, dtype=np.int64))
        params = (
            faiss.SearchParametersHNSW(sel=sel, efSearch=max(HNSW_EF_SEARCH, k))
            if kind(index) == "hnsw"
            else faiss.SearchParameters(sel=sel)
        )
        scores, ids = index.search(q, k, params=params)
    keep = ids[0] >= 0
    return scores[0][keep], ids[0][keep]
