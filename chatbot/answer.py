"""Extractive answers: the chosen sentences quoted verbatim, cited, and composed.

The candidates and their scores come from chatbot.features and the fitted
ranker (chatbot.calibration); `pick` takes the best sentence and up to two
more that score nearly as well, joining neighbours into one quote. Every
quote is checked against the note (`note[start:end] == quote`) before it is
returned; one that fails is dropped and logged (fail closed). Leaves out:
generating text of its own — notechat never says what the note does not.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np

from index.search import Hit

from .beside import adjacent, with_neighbours
from .extent import reach
from .features import Candidate
from .links import open_link, page_of

log = logging.getLogger(__name__)

MAX_QUOTES = 3
SECOND_QUOTE_GAP = 1.0  # a further quote's ranker score (log-odds) may trail the best by this

Picked = tuple[Candidate, float]


@dataclass(frozen=True)
class Citation:
    n: int
    quote: str
    note: str
    section: str
    line: int
    start: int
    end: int
    score: float
    page: int | None = None  # a PDF's page (chatbot.links)
    open: str = ""  # the link that opens the source there (chatbot.links)
    # the chosen sentence's [start, end) in the note, when sentences beside it are quoted too
    focus: tuple[int, int] | None = None


@dataclass(frozen=True)
class Answer:
    question: str
    text: str
    confidence: str  # "high" | "low" | "none"
    citations: tuple[Citation, ...]
    passages: tuple[Hit, ...]
    language: str  # "zh" | "en"
    query: str = ""  # what was searched (the question, or with the conversation)
    features: dict = field(default_factory=dict, compare=False)
    # The words before the quotes ("根据笔记：", or the whole reply to a greeting);
    # `text` is `lead` followed by the quotes with their markers.
    lead: str = ""
    kind: str = "answer"  # "answer" | "greeting" (a reply about notechat itself, no quote)
    suggestions: tuple[str, ...] = ()  # example questions offered with the reply


def pick(
    cands: list[Candidate], scores: np.ndarray, notes: dict[str, str], question: str = ""
) -> list[Picked]:
    """The best sentence, and up to two more that score nearly as well.

    Each reaches as far as the question needs (chatbot.extent: a reason's
    cause, a description's next sentences); the best is quoted with the
    sentences beside it while that stays short (chatbot.beside). Picked
    sentences that stand side by side in a note become one quote, so an answer
    that runs over two sentences is quoted whole.
    """
    if not cands:
        return []
    quotes = [reach(c, notes, question) for c in cands]
    picks = chosen(scores, lambda i, j: _overlaps(cands[i], cands[j]))
    first = with_neighbours(picks[0], quotes, scores, notes)
    out: list[Picked] = [(first, float(scores[picks[0]]))]
    for i in picks[1:]:
        c, sc = quotes[i], float(scores[i])
        for k, (o, osc) in enumerate(out):
            if (joined := adjacent(o, c, notes)) is not None:
                out[k] = (joined, max(osc, sc))
                break
        else:
            out.append((c, sc))
    return out


def chosen(scores: np.ndarray, overlap=lambda i, j: False) -> list[int]:
    """The candidates `pick` quotes, best first: the best, and up to MAX_QUOTES − 1 more
    within SECOND_QUOTE_GAP of it that `overlap` none chosen before (for fitting too).

    >>> chosen(np.array([0.2, 3.0, 2.5, -1.0]))
    [1, 2]
    """
    order = sorted(range(len(scores)), key=lambda i: -float(scores[i]))
    best = float(scores[order[0]])
    out = [order[0]]
    for i in order[1:]:
        if len(out) >= MAX_QUOTES or float(scores[i]) < best - SECOND_QUOTE_GAP:
            break
        if not any(overlap(i, j) for j in out):
            out.append(i)
    return out


def _overlaps(a: Candidate, b: Candidate) -> bool:
    return a.hit.chunk.note == b.hit.chunk.note and a.start < b.end and b.start < a.end


def verified_citations(picked: list[Picked], notes: dict[str, str]) -> list[Citation]:
    """Citations whose quote is exactly the note's text at [start, end); others dropped."""
    out: list[Citation] = []
    for sent, score in picked:
        c = sent.hit.chunk
        text = notes.get(c.note)
        if text is None or text[sent.start : sent.end] != sent.text:
            log.error(
                "dropped a quote that is not verbatim in %s at [%d, %d)",
                c.note,
                sent.start,
                sent.end,
            )
            continue
        line = text.count("\n", 0, sent.start) + 1
        page = page_of(c.note, text, sent.start)
        out.append(
            Citation(
                n=len(out) + 1,
                quote=sent.text,
                note=c.note,
                section=c.section,
                line=line,
                start=sent.start,
                end=sent.end,
                score=round(float(score), 4),
                page=page,
                open=open_link(c.note, line, page),
                focus=_focus(sent),
            )
        )
    return out


def _focus(sent: Candidate) -> tuple[int, int] | None:
    """The chosen sentence inside `sent`'s quote, when it is a part of it."""
    f = sent.focus
    if f is None or not sent.start <= f[0] < f[1] <= sent.end or f == (sent.start, sent.end):
        return None
    return f


def lead_text(citations: list[Citation], confidence: str, language: str) -> str:
    """The words before the quotes, in the question's language."""
    zh = language == "zh"
    if confidence == "none" or not citations:
        return "笔记中没有找到这个问题的答案。" if zh else "The notes do not seem to answer this."
    if confidence == "low":
        return (
            "不确定笔记是否直接回答了这个问题。最相关的内容是："
            if zh
            else "Not sure the notes answer this directly. The closest passages say: "
        )
    return "根据笔记：" if zh else "According to the note: "


def compose(citations: list[Citation], confidence: str, language: str) -> str:
    """The answer as plain text: the lead, then quotes with markers."""
    lead = lead_text(citations, confidence, language)
    if confidence == "none" or not citations:
        return lead
    if language == "zh":
        return lead + "".join(f"“{c.quote}”[{c.n}]" for c in citations)
    return lead + " ".join(f"“{c.quote}” [{c.n}]" for c in citations)


def to_dict(a: Answer, id: str | None = None) -> dict:
    """The JSON object of `ask --json` / `--jsonl` and of the UI's API."""
    return {
        "id": id,
        "question": a.question,
        "answer": a.text,
        "lead": a.lead,
        "kind": a.kind,
        "suggestions": list(a.suggestions),
        "confidence": a.confidence,
        "citations": [
            {
                "n": c.n,
                "quote": c.quote,
                "note": c.note,
                "section": c.section,
                "line": c.line,
                "start": c.start,
                "end": c.end,
                "score": c.score,
                "page": c.page,
                "open": c.open,
                "focus": list(c.focus) if c.focus else None,
            }
            for c in a.citations
        ],
        "passages": [
            {
                "rank": h.rank,
                "text": h.chunk.text,
                "note": h.chunk.note,
                "section": h.chunk.section,
                "start": h.chunk.start,
                "end": h.chunk.end,
                "line": h.chunk.line,
                "score": round(h.score, 4),
                "scores": {
                    "lexical": round(h.lexical, 4),
                    "dense": round(h.dense, 4),
                    "fused": round(h.score, 4),
                },
            }
            for h in a.passages
        ],
    }
