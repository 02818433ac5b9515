"""Hybrid search: BM25 over jieba tokens fused with e5 cosine similarity.

Each side is scaled to [0, 1] within the question's candidates — BM25 by its
best score, cosine between the candidates' lowest and highest — and the fused
score is their weighted sum. Scaling by the question's own range keeps one
weight right for short and long notes alike; the weight was tuned on the dev
questions and the CMRC trial set (scripts/tune.py). Every hit keeps its raw
lexical (BM25), dense (cosine) and fused scores. A scoped search
(index.scope) restricts both sides to the scope's rows before either ranks; a
question that names a date, to the rows that hold it, if any do (index.dates).
"""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass

import numpy as np

from . import dense
from .bilingual import LanguageBackground
from .casing import forms, recased
from .chunking import Chunk
from .dates import DatedRows
from .embed import Embedder, text_key
from .hans import language_of
from .lexical import LexicalIndex, tokenize
from .scope import Scope, folders, scope_rows, tags
from .store import LoadedIndex

DENSE_WEIGHT = 0.6
# Share of the dense side given to a passage's closest sentence rather than the
# whole passage: a paraphrase often matches one sentence of a passage well.
SENTENCE_WEIGHT = 0.5  # by scripts/tune_fusion.py: train folds, mean MRR@10
CANDIDATES = 100  # per side, before fusion
BASELINE_SAMPLE = 4096  # sentences that estimate a question's background similarity


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    row: int  # position in the index
    rank: int  # 1-based
    score: float  # fused
    lexical: float  # BM25
    dense: float  # cosine similarity


@dataclass(frozen=True)
class Scored:
    """Scores of one question against the candidate rows (for answers and tuning)."""

    rows: np.ndarray
    lexical: np.ndarray
    dense: np.ndarray
    query_vector: np.ndarray
    known: float = 1.0  # IDF-weighted share of the question's words found in the notes
    sentence: np.ndarray | None = None  # cosine of each row's closest sentence
    # Notes of two languages: the question's mean cosine to each row's language (index.bilingual)
    shift: np.ndarray | None = None


class Searcher:
    def __init__(
        self,
        loaded: LoadedIndex,
        embedder: Embedder,
        dense_weight: float = DENSE_WEIGHT,
        sentence_weight: float = SENTENCE_WEIGHT,
    ):
        self.loaded = loaded
        self.chunks = loaded.chunks
        self.embedder = embedder
        self.dense_weight = dense_weight
        self.sentence_weight = sentence_weight
        self._sent_vecs, self._sent_rows = _sentence_rows(loaded)
        english = [language_of(c.text) == "en" for c in loaded.chunks]  # as index_terms were
        self.lexical = LexicalIndex(loaded.terms, english)
        self.english = np.asarray(english, bool)  # each passage's language
        self.dated = DatedRows(loaded.chunks)
        self.languages = LanguageBackground(self._sent_vecs, self._sent_rows, self.english)
        # Texts missing from the index are embedded one batch at a time (the UI's threads)
        self._embed_lock = threading.Lock()
        self._memo: dict[str, np.ndarray] = {}
        self._sample = _sample_rows(loaded.sentences, BASELINE_SAMPLE)
        self._scopes: dict[Scope, np.ndarray] = {}
        self._among: np.ndarray | None = None  # the rows of a scoped copy (`within`)
        self._catalog: tuple[list[str], list[str]] | None = None
        # index.casing's forms, worked out on first use; one dict, so scoped copies share them
        self._casing: dict[str, dict[str, str]] = {}

    def baseline(self, query_vector: np.ndarray) -> tuple[float, float]:
        """Mean and spread of the question's cosine to the notes' sentences.

        A sentence that truly answers stands out from this background; one
        that is merely on topic (every sentence of an AI note is "about AI")
        does not. Estimated on a fixed sample so it costs the same at any size.
        """
        if self._sample is None:
            return 0.0, 1.0
        c = self._sample @ query_vector
        return float(c.mean()), float(c.std()) or 1.0

    def embed_query(self, query: str) -> np.ndarray:
        # Not under the lock: embedders guard their own engines, and the
        # default one batches the questions of several users (index.batching).
        return self.embedder.embed_query(query)

    def recased(self, query: str) -> str:
        """`query` with its lower-case words as the notes write them ("aigc" → "AIGC")."""
        if "forms" not in self._casing:
            self._casing["forms"] = forms(self.loaded.notes.values())
        return recased(query, self._casing["forms"])

    def embed_texts(self, texts: list[str]) -> np.ndarray:
        """Passage vectors for sentences: from the index, else embedded and remembered."""
        stored = self.loaded.sentences
        for t in texts:
            if t not in self._memo and (v := stored.get(text_key(t))) is not None:
                self._memo[t] = v
        todo = [t for t in dict.fromkeys(texts) if t not in self._memo]
        if todo:
            with self._embed_lock:
                vecs = self.embedder.embed_passages(todo)
            if len(self._memo) > 50_000:
                self._memo.clear()
            self._memo.update(zip(todo, vecs, strict=True))
        if not texts:
            return np.zeros((0, self.embedder.dim), np.float32)
        return np.stack([self._memo[t] for t in texts])

    def idf(self, terms: list[str]) -> dict[str, float]:
        return self.lexical.idf(terms)

    def scope_rows(self, scope: Scope) -> np.ndarray:
        """The rows `scope` allows (remembered: the index does not change under a searcher)."""
        rows = self._scopes.get(scope)
        if rows is None:
            rows = scope_rows([c.note for c in self.chunks], self.loaded.manifest, scope)
            if len(self._scopes) > 256:
                self._scopes.clear()
            self._scopes[scope] = rows
        return rows

    def within(self, scope: Scope) -> Searcher:
        """This searcher restricted to `scope` (ScopeError when it has no passage).

        A shallow copy: the index, vectors and BM25 are shared, only the rows differ.
        """
        scoped = copy.copy(self)
        scoped._among = self.scope_rows(scope)
        return scoped

    def catalog(self) -> tuple[list[str], list[str]]:
        """(folders, tags) of the indexed notes, for choosing a scope."""
        if self._catalog is None:
            self._catalog = (folders(self.loaded.manifest), tags(self.loaded.manifest))
        return self._catalog

    def score(
        self, query: str, query_vector: np.ndarray | None = None, among: np.ndarray | None = None
    ) -> Scored:
        """Raw scores of the union of each side's top candidates.

        `among` (sorted rows, from `scope_rows`; by default those of `within`):
        both sides pick their candidates from these rows only, before any ranking.
        """
        qv = self.embed_query(query) if query_vector is None else query_vector
        among = self._among if among is None else among
        among = self.dated.among(query, among)  # a day named: the rows that hold it
        pool = np.arange(len(self.chunks)) if among is None else among
        n = len(pool)
        if n == 0:
            empty = np.zeros(0, np.float32)
            return Scored(np.zeros(0, np.int64), empty, empty, qv, 0.0)
        terms = tokenize(query)
        lex_all = self.lexical.scores(self.lexical.query_terms(query))
        k = min(n, CANDIDATES)
        lex_rows = pool[np.argpartition(-lex_all[pool], k - 1)[:k]] if k < n else pool
        lex_rows = lex_rows[lex_all[lex_rows] > 0]
        d_scores, d_rows = dense.search(self.loaded.faiss_index, qv, k, among)
        rows = np.union1d(lex_rows, d_rows).astype(np.int64)
        dense_map = dict(zip(d_rows.tolist(), d_scores.tolist(), strict=True))
        missing = [r for r in rows.tolist() if r not in dense_map]
        if missing:  # rows only BM25 found: compute their cosine exactly
            vecs = np.stack([self.loaded.faiss_index.reconstruct(int(r)) for r in missing])
            dense_map.update(zip(missing, (vecs @ qv).tolist(), strict=True))
        dense_scores = np.array([dense_map[r] for r in rows.tolist()], np.float32)
        return Scored(
            rows,
            lex_all[rows],
            dense_scores,
            qv,
            self.lexical.known_share(terms),
            self.best_sentence(rows, qv),
            self.languages.shift(qv, self.english, rows),
        )

    def best_sentence(self, rows: np.ndarray, query_vector: np.ndarray) -> np.ndarray | None:
        """Each row's highest sentence cosine (the passage's own where it has none stored)."""
        if self._sent_vecs is None or not len(rows):
            return None
        idx = [self._sent_rows[int(r)] for r in rows]
        flat = np.concatenate([i for i in idx if len(i)]) if any(len(i) for i in idx) else None
        if flat is None:
            return None
        sims = self._sent_vecs[flat] @ query_vector
        out = np.full(len(rows), np.nan, np.float32)
        pos = 0
        for j, i in enumerate(idx):
            if len(i):
                out[j] = sims[pos : pos + len(i)].max()
                pos += len(i)
        return out

    def fuse(self, s: Scored) -> np.ndarray:
        shift = 0.0 if s.shift is None else s.shift  # each row against its own language
        dense_side = s.dense - shift
        if s.sentence is not None and self.sentence_weight > 0:
            sent = np.where(np.isnan(s.sentence), s.dense, s.sentence) - shift
            dense_side = _blend(dense_side, sent, self.sentence_weight)
        return fuse(s.lexical, dense_side, self.dense_weight, s.known)

    def search(
        self,
        query: str,
        k: int = 5,
        query_vector: np.ndarray | None = None,
        among: np.ndarray | None = None,
    ) -> list[Hit]:
        s = self.score(query, query_vector, among)
        fused = self.fuse(s)
        order = np.argsort(-fused, kind="stable")[:k]
        return [
            Hit(
                chunk=self.chunks[int(s.rows[i])],
                row=int(s.rows[i]),
                rank=rank,
                score=float(fused[i]),
                lexical=float(s.lexical[i]),
                dense=float(s.dense[i]),
            )
            for rank, i in enumerate(order, start=1)
        ]


def fuse(
    lexical: np.ndarray, dense_scores: np.ndarray, dense_weight: float, known: float = 1.0
) -> np.ndarray:
    """Weighted sum of both sides scaled to [0, 1] over the candidates.

    BM25's weight shrinks with `known`, the share of the question's words that
    occur in the notes at all: an English question about a Chinese note shares
    only a name or two with it, and those few words must not outvote meaning.

    >>> fuse(np.array([2.0, 0.0]), np.array([0.8, 0.9]), 0.5).round(2).tolist()
    [0.5, 0.5]
    """
    if len(lexical) == 0:
        return np.zeros(0, np.float32)
    top = float(lexical.max())
    lex = lexical / top if top > 0 else np.zeros_like(lexical)
    lo, hi = float(dense_scores.min()), float(dense_scores.max())
    den = (dense_scores - lo) / (hi - lo) if hi > lo else np.ones_like(dense_scores)
    return (dense_weight * den + (1 - dense_weight) * known * lex).astype(np.float32)


def _scale(x: np.ndarray) -> np.ndarray:
    lo, hi = float(x.min()), float(x.max())
    return (x - lo) / (hi - lo) if hi > lo else np.ones_like(x)


def _blend(passage: np.ndarray, sentence: np.ndarray, weight: float) -> np.ndarray:
    """Passage and best-sentence cosines, each scaled over the candidates, mixed."""
    return ((1 - weight) * _scale(passage) + weight * _scale(sentence)).astype(np.float32)


def _sentence_rows(loaded: LoadedIndex) -> tuple[np.ndarray | None, list[np.ndarray]]:
    """All stored sentence vectors, and for each chunk the rows of its sentences."""
    if not loaded.sentences:
        return None, [np.zeros(0, np.int64) for _ in loaded.chunks]
    keys = list(loaded.sentences)
    where = {k: i for i, k in enumerate(keys)}
    vecs = np.stack([loaded.sentences[k] for k in keys]).astype(np.float32)
    rows = []
    for c in loaded.chunks:
        found = (where.get(text_key(q)) for q in c.sentence_texts()[1:])
        rows.append(np.array([i for i in found if i is not None], np.int64))
    return vecs, rows


def _sample_rows(vectors: dict[str, np.ndarray], n: int) -> np.ndarray | None:
    if len(vectors) < 8:
        return None
    keys = sorted(vectors)  # a fixed order, so the sample is the same on every load
    if len(keys) > n:
        idx = np.random.default_rng(0).choice(len(keys), n, replace=False)
        keys = [keys[i] for i in sorted(idx)]
    return np.stack([vectors[k] for k in keys]).astype(np.float32)
