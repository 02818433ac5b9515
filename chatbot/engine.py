"""The question-answering engine: an index kept up to date, and `ask`.

`Engine.open` loads the index, or builds it when it is missing, and rebuilds
it from its own notes (saying why) when it is stale, damaged or made with
another model; `index.recovery` decides which.
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

import numpy as np

from index import (
    BuildReport,
    IndexSettings,
    Searcher,
    build_index,
    load_embedder,
    load_index,
)
from index.crosslingual import bridge
from index.embed import Embedder
from index.hans import language_of
from index.recovery import open_index, sources_of
from index.scope import Scope
from index.search import Hit
from index.synonyms import expand

from . import calibration
from .answer import Answer, compose, lead_text, pick, verified_citations
from .answer_type import names_none
from .candidates import past_bare_days
from .config import MAX_QUESTION_CHARS, Settings
from .contacts import lacks_contact
from .features import MAX_POOL, Analysis, analyse, question_row
from .other_numbers import another_number
from .periods import contradicts
from .smalltalk import REPLIES, asks, has_content, refers_back, small_talk
from .targets import quotes_a_target

log = logging.getLogger(__name__)


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
        # The index's own notes; the configured ones only where nothing was built.
        srcs = sources_of(self.settings.index_dir, self.settings.notes)
        up = str(self.settings.upload_dir)
        if Path(up).is_dir() and up not in srcs:
            srcs.append(up)
        return srcs

    def open(self) -> Engine:
        """Load the index, recovering or rebuilding it when needed (see index.recovery)."""
        loaded = open_index(
            self.settings.index_dir, self.index_settings(), self.build, self.sources, self.say
        )
        with self._lock:
            self.searcher = Searcher(loaded, self.embedder)
        return self

    def build(self, sources: Sequence[str], progress=None, wait: bool = False) -> BuildReport:
        """Build the index of `sources`.

        Another build of the same folder raises IndexBusy, or with `wait` is
        waited for: an upload must not be lost to an `index` that is running.
        """
        report = build_index(
            sources,
            self.settings.index_dir,
            self.embedder,
            self.index_settings(),
            progress,
            follow_links=self.settings.follow_links,
            wait=self.say if wait else None,
        )
        for msg in report.errors + report.warnings:
            self.say(msg)
        return report

    def reindex(self, sources: Sequence[str] | None = None) -> BuildReport:
        """Re-index (only changed text is embedded) and swap the live searcher."""
        report = self.build(list(sources) if sources else self.sources(), wait=True)
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

    def ask(
        self,
        question: str,
        history: Sequence[str] = (),
        top_k: int | None = None,
        scope: Scope | None = None,
    ) -> Answer:
        """Answer from the notes, or from those within `scope` only (ScopeError if none)."""
        question = clean_question(question)
        # One index for the scope and the search, even if a re-index swaps it meanwhile.
        scoped = self._searcher().within(scope) if scope else None
        lang = language_of(question)
        if (talk := small_talk(question)) is not None:
            return self._reply(question, talk, lang)
        if not has_content(question):
            lead = lead_text([], "none", lang)
            return Answer(question, lead, "none", (), (), lang, question, lead=lead)
        history = [h for h in (_safe(h) for h in history[-3:]) if h]
        k = max(1, min(int(top_k or self.settings.top_k), 50))
        searcher = scoped or self._searcher()
        if history and refers_back(question):  # "它…": only the question with its context
            return self._answer(searcher, question, f"{history[-1]} {question}", k)
        ans = self._answer(searcher, question, question, k)
        if history and ans.confidence != "high":
            # Perhaps a follow-up without a pronoun ("截至2023年2月打造了多少位？").
            with_ctx = self._answer(searcher, question, f"{history[-1]} {question}", k)
            if _rank(with_ctx) > _rank(ans):
                ans = with_ctx
        return ans

    def _reply(self, question: str, talk: str, lang: str) -> Answer:
        """A greeting or thanks: what notechat does, and questions to try; no quote."""
        lead = REPLIES[talk][lang]
        suggestions = tuple(self.settings.examples) if talk == "greeting" else ()
        return Answer(
            question,
            lead,
            "none",
            (),
            (),
            lang,
            question,
            lead=lead,
            kind="greeting",
            suggestions=suggestions,
        )

    def analyse(
        self, question: str, query: str | None = None, k: int = 5
    ) -> tuple[list[Hit], Analysis]:
        """Passages and candidate sentences with their features (for `ask` and fitting)."""
        return self._analyse(self._searcher(), question, query or question, k)

    def _analyse(
        self, searcher: Searcher, question: str, query: str, k: int
    ) -> tuple[list[Hit], Analysis]:
        qv = searcher.embed_query(searcher.recased(query))  # e5 reads case: "aigc" as "AIGC"
        # English words in the notes' Chinese, for BM25 and the overlap features; the
        # question's vector stays its own (index.crosslingual).
        query = bridge(query, searcher.lexical)
        # and, for BM25 alone, the notes' synonyms of Chinese words they lack (index.synonyms)
        hits = searcher.search(expand(query, searcher.lexical), k=max(k, MAX_POOL), query_vector=qv)
        cross = bool(hits) and language_of(hits[0].chunk.text) != language_of(question)
        return hits, analyse(searcher, question, query, qv, hits, cross)

    def _answer(self, searcher: Searcher, question: str, query: str, k: int) -> Answer:
        hits, analysis = self._analyse(searcher, question, query, k)
        lang, cross = language_of(question), analysis.cross
        cal = calibration.load(searcher.embedder.model_id)
        confidence, probability, cites = "none", 0.0, []
        if analysis.cands:
            scores = cal.ranker.score(analysis.rows)  # what the judge reads
            choice = past_bare_days(cal.choose(analysis.rows), analysis.cands, question)
            best = int(np.argmax(choice))
            row = question_row(analysis, scores, best)
            probability = cal.probability(row, lang)
            confidence = cal.label(probability, calibration.pair(lang, cross), analysis.known)
            if confidence == "none" and analysis.days:  # the notes have the day it names
                confidence = "low"
            if confidence == "high" and not asks(question):  # a bare topic ("数字人")
                confidence = "low"
            if confidence != "none":
                picked = pick(analysis.cands, choice, searcher.loaded.notes, question)
                cites = verified_citations(picked, searcher.loaded.notes)
            if not cites:
                confidence = "none"
            elif confidence == "high" and _qualified_otherwise(question, cites):
                confidence = "low"
        return Answer(
            question=question,
            text=compose(cites, confidence, lang),
            confidence=confidence,
            citations=tuple(cites),
            passages=tuple(hits[:k]),
            language=lang,
            query=query,
            features={"probability": round(probability, 4), "cross_language": cross},
            lead=lead_text(cites, confidence, lang),
        )


def _qualified_otherwise(question: str, cites: Sequence) -> bool:
    """Does the quote name another month, year or number than the question's, give a
    target's number to a question about what came of it (chatbot.periods,
    chatbot.other_numbers, chatbot.targets), name nobody to an English "who"
    (answer_type.names_none), write no phone number, email or link asked for
    (chatbot.contacts), or ask a question itself ("Open question: who signs off?", an open
    task "- [ ] Ask Sam whether…")?"""
    quote = " ".join(c.quote for c in cites)
    context = " ".join(c.section for c in cites)
    return (
        contradicts(question, quote, context)
        or quotes_a_target(question, quote)
        or another_number(question, quote, " ".join([context, *(c.note for c in cites)]))
        or names_none(question, quote)
        or lacks_contact(question, quote)
        or _asks_itself(cites[0].quote)
    )


# an open task to find out: "- [ ] 問 HR 明年有沒有 return offer", "- [ ] Ask Sam whether…"
_OPEN_ASK = re.compile(
    r"^\s*[-*+]\s*\[ \]\s*(?:问|問|(?:ask|check|find out|confirm)\b).*?"
    r"(?:\b(?:whether|if)\b|有没有|有沒有|是否|能不能|能否|会不会|會不會|吗|嗎)",
    re.I | re.S,
)


def _asks_itself(quote: str) -> bool:
    """Is the quote a question itself, or an open task to ask one?"""
    return quote.rstrip().endswith(("?", "？")) or bool(_OPEN_ASK.search(quote))


def _rank(a: Answer) -> tuple[int, float]:
    return ({"high": 2, "low": 1, "none": 0}[a.confidence], a.features.get("probability", 0.0))


def _safe(text: object) -> str:
    try:
        return clean_question(text)
    except QuestionError:
        return ""
