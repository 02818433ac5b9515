"""The question-answering engine: an index kept up to date, and `ask`.

`Engine.open` loads the index, or builds it when it is missing, and rebuilds
it (saying why) when it is stale, damaged or made with another model.
`Engine.ask` cleans the question, folds in the conversation when the
question leans on it, retrieves, quotes and judges confidence.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path

from index import (
    BuildReport,
    IndexProblem,
    IndexSettings,
    Searcher,
    build_index,
    load_embedder,
    load_index,
)
from index.embed import Embedder
from index.store import read_manifest

from .answer import (
    Answer,
    choose_quotes,
    compose,
    language_of,
    lead_text,
    verified_citations,
)
from .config import MAX_QUESTION_CHARS, Settings

log = logging.getLogger(__name__)

# Words that point back into the conversation ("它生成一个模型要多久？").
_REFERS = re.compile(
    r"它|他们|她们|他|她|其|该|这个|那个|这款|这项|此|上述|前者|后者"
    r"|\b(?:it|its|they|them|their|this|that|these|those|he|she|his|her)\b",
    re.I,
)

# Confidence, calibrated on the dev questions (scripts/calibrate.py prints the
# features). The signal is the cosine between the question and the closest
# sentence of the top passages. e5 scores a question against a note in another
# language about 0.07 lower, so that pair has its own thresholds.
HIGH = {"same": 0.87, "cross": 0.795}
FLOOR = {"same": 0.80, "cross": 0.74}
# ... and it must stand out from the note's other sentences by this many
# standard deviations: "ChatGPT是哪家公司开发的？" is close to every sentence
# of an AI note (z 1.7), an answered question is not (z 2.1 to 7).
HIGH_Z = 2.0


class QuestionError(ValueError):
    """A question that cannot be asked (empty, too long); says why."""


def clean_question(text: object) -> str:
    """Normalise a question; raises QuestionError for empty or oversized input.

    >>> clean_question("  什么是\\x00PGC？ ")
    '什么是PGC？'
    """
    if not isinstance(text, str):
        raise QuestionError("the question must be text")
    # Lone surrogates (from broken clients) cannot be encoded: replace them.
    text = text.encode("utf-8", "replace").decode("utf-8")
    text = "".join(
        ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs")
    )
    text = unicodedata.normalize("NFC", " ".join(text.split()))
    if not text:
        raise QuestionError("the question is empty")
    if len(text) > MAX_QUESTION_CHARS:
        raise QuestionError(
            f"the question is too long ({len(text)} characters; at most {MAX_QUESTION_CHARS})"
        )
    return text


def judge(cosine: float, cross_language: bool, type_ok: bool = True, z: float = 99.0) -> str:
    """high / low / none from the closest sentence's cosine to the question.

    `z` is how far that cosine stands above the question's cosine to the
    notes' sentences in general, in standard deviations.
    `type_ok` is False when the question asks for a number, a duration or a
    date and no quoted sentence holds one: then the note is talking about the
    subject but does not say what was asked, which is at best "low".

    >>> judge(0.93, False), judge(0.93, False, type_ok=False), judge(0.70, True)
    ('high', 'low', 'none')
    """
    pair = "cross" if cross_language else "same"
    if cosine < FLOOR[pair]:
        return "none"
    return "high" if cosine >= HIGH[pair] and type_ok and z >= HIGH_Z else "low"


class Engine:
    def __init__(
        self,
        settings: Settings,
        embedder: Embedder | None = None,
        say: Callable[[str], None] = lambda msg: log.warning("%s", msg),
    ) -> None:
        self.settings = settings
        self.say = say
        self._embedder = embedder
        self._lock = threading.RLock()  # guards swapping the searcher on re-index
        self.searcher: Searcher | None = None

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = load_embedder(self.settings.model)
        return self._embedder

    def index_settings(self) -> IndexSettings:
        return IndexSettings(self.embedder.model_id, self.embedder.dim)

    def sources(self) -> list[str]:
        try:
            srcs = list(read_manifest(self.settings.index_dir).get("sources") or [])
        except IndexProblem:
            srcs = []
        srcs = srcs or list(self.settings.notes)
        up = str(self.settings.upload_dir)
        if Path(up).is_dir() and up not in srcs:
            srcs.append(up)
        return srcs

    def open(self) -> Engine:
        """Load the index, building or rebuilding it when needed."""
        try:
            loaded = load_index(self.settings.index_dir, self.index_settings())
        except IndexProblem as exc:
            self.say(f"{exc}; building the index now")
            self.build(self.sources())
            loaded = load_index(self.settings.index_dir, self.index_settings())
        with self._lock:
            self.searcher = Searcher(loaded, self.embedder)
        return self

    def build(self, sources: Sequence[str], progress=None) -> BuildReport:
        report = build_index(
            sources,
            self.settings.index_dir,
            self.embedder,
            self.index_settings(),
            progress,
            follow_links=self.settings.follow_links,
        )
        for msg in report.errors + report.warnings:
            self.say(msg)
        return report

    def reindex(self, sources: Sequence[str] | None = None) -> BuildReport:
        """Re-index (only changed text is embedded) and swap the live searcher."""
        report = self.build(list(sources) if sources else self.sources())
        loaded = load_index(self.settings.index_dir, self.index_settings())
        with self._lock:
            self.searcher = Searcher(loaded, self.embedder)
        return report

    def notes(self) -> list[dict]:
        s = self._searcher()
        return list(s.loaded.manifest.get("notes", []))

    def _searcher(self) -> Searcher:
        with self._lock:
            if self.searcher is None:
                self.open()
            assert self.searcher is not None
            return self.searcher

    def ask(self, question: str, history: Sequence[str] = (), top_k: int | None = None) -> Answer:
        question = clean_question(question)
        history = [h for h in (_safe(h) for h in history[-3:]) if h]
        k = max(1, min(int(top_k or self.settings.top_k), 50))
        searcher = self._searcher()
        ans = self._answer(searcher, question, question, k)
        if history and (_REFERS.search(question) or ans.confidence != "high"):
            # A follow-up: search with the last question for context.
            query = f"{history[-1]} {question}"
            with_ctx = self._answer(searcher, question, query, k)
            if _REFERS.search(question) or _rank(with_ctx) > _rank(ans):
                ans = with_ctx
        return ans

    def _answer(self, searcher: Searcher, question: str, query: str, k: int) -> Answer:
        qv = searcher.embed_query(query)
        hits = searcher.search(query, k=max(k, 5), query_vector=qv)
        lang = language_of(question)
        if not hits:
            return Answer(
                question,
                compose([], "none", lang),
                "none",
                (),
                (),
                lang,
                query,
                lead=lead_text([], "none", lang),
            )
        quotes = choose_quotes(searcher, query, qv, hits, question)
        cross = language_of(hits[0].chunk.text) != lang
        type_ok = quotes.type_found
        mean, std = searcher.baseline(qv)
        z = (quotes.best_cosine - mean) / std
        confidence = judge(quotes.best_cosine, cross, type_ok, z)
        features = {
            "cosine": quotes.best_cosine,
            "z": z,
            "cross_language": cross,
            "type_ok": type_ok,
        }
        cites = (
            verified_citations(quotes.picked, searcher.loaded.notes) if confidence != "none" else []
        )
        if not cites and confidence != "none":
            confidence = "none"
        return Answer(
            question=question,
            text=compose(cites, confidence, lang),
            confidence=confidence,
            citations=tuple(cites),
            passages=tuple(hits[:k]),
            language=lang,
            query=query,
            features=features,
            lead=lead_text(cites, confidence, lang),
        )


def _rank(a: Answer) -> tuple[int, float]:
    return ({"high": 2, "low": 1, "none": 0}[a.confidence], a.features.get("cosine", 0.0))


def _safe(text: object) -> str:
    try:
        return clean_question(text)
    except QuestionError:
        return ""
