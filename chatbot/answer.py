"""Extractive answers: quote the note's best sentences, cite them, judge confidence.

From the top passages, each sentence is scored by how close it is to the
question (e5 cosine, scaled over the candidates) and how many of the
question's words it holds (IDF-weighted), plus its passage's fused score.
The best one to three sentences are quoted verbatim, each with a marker [n].
Every quote is checked against the note (`note[start:end] == quote`) before
it is returned; one that fails is dropped and logged (fail closed).
Leaves out: generating text of its own — notechat never says what the note
does not.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

import numpy as np

from index.chunking import split_sentences
from index.lexical import tokenize
from index.search import Hit, Searcher
from index.sections import PATH_SEP

log = logging.getLogger(__name__)

MAX_QUOTES = 3
SENTENCE_POOL = 4  # passages whose sentences compete for the answer
# Weights of a sentence's score: closeness, word overlap, passage score.
W_DENSE, W_LEX, W_PASSAGE = 0.45, 0.35, 0.20
SECOND_QUOTE_RATIO = 0.85  # a further quote must score this close to the best

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# Expected answer types: a duration, a date, or a count. A sentence that has
# no value of the asked type cannot be the answer, however close it is.
_ASKS_DURATION = re.compile(r"多久|多长时间|多少时间|多少秒|多少分钟|\bhow long\b", re.I)
_ASKS_DATE = re.compile(r"什么时候|何时|哪一?年|哪天|几月|\bwhen\b|\bwhat year\b", re.I)
_ASKS_COUNT = re.compile(r"多少|几[个位种次项家款名部台]|\bhow (?:many|much)\b", re.I)
_COUNT_NOUN = re.compile(r"(?:多少|几)[个位种次项家款名部台]?([\u4e00-\u9fff]{2})")
# A quantity, not a digit inside a name ("GPT-4", "3D", "Magic3D").
_NUMBER = re.compile(
    r"(?<![A-Za-z\d])(?<![A-Za-z]-)\d+(?:\.\d+)?(?![A-Za-z\d])"
    r"|[一二两三四五六七八九十百千万亿]+[个位种次年月日天分秒项家款倍名部台%％]|几十|几百|几千|数十|数百"
)
_DURATION = re.compile(
    r"(?:\d+|[一二两三四五六七八九十百千几数半]+)\s*(?:秒|分钟|小时|天|周|个月|年|seconds?|minutes?|hours?|days?|weeks?|months?|years?)",
    re.I,
)
_DATE = re.compile(r"\d{4}\s*年|\d{1,2}\s*月|\d{1,2}\s*日|\b(?:19|20)\d{2}\b")
HEADING_WEIGHT = 0.85
SHORT_SENTENCE = 12  # shorter sentences are headings or lead-ins ("两个阶段："), rarely answers


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


def language_of(text: str) -> str:
    return "zh" if _CJK.search(text) else "en"


@dataclass(frozen=True)
class _Sentence:
    hit: Hit
    start: int  # in the note
    end: int
    text: str
    heading: bool = False


def _candidates(hits: list[Hit], notes: dict[str, str]) -> list[_Sentence]:
    """Sentences of the top passages, and each passage's own heading.

    Headings count because notes often say the key fact only there
    ("文字生成：腾讯推出自动化新闻撰稿机器人Dreamwriter").
    """
    out = []
    seen_headings = set()
    for h in hits[:SENTENCE_POOL]:
        c = h.chunk
        heading = c.section.split(PATH_SEP)[-1]
        text = notes.get(c.note, "")
        at = text.rfind(heading, 0, c.start) if heading else -1
        if at >= 0 and (c.note, at) not in seen_headings:
            seen_headings.add((c.note, at))
            out.append(_Sentence(h, at, at + len(heading), heading, heading=True))
        for s, e in split_sentences(c.text):
            out.append(_Sentence(h, c.start + s, c.start + e, c.text[s:e]))
    return out


def word_coverage(query_terms: list[str], text: str, idf: dict[str, float]) -> float:
    """IDF-weighted share of the question's words that occur in `text` (0…1)."""
    terms = set(query_terms)
    if not terms:
        return 0.0
    low = text.lower()
    total = sum(idf.get(t, 1.0) for t in terms)
    got = sum(idf.get(t, 1.0) for t in terms if t in low)
    return got / total if total else 0.0


def has_answer_type(question: str, text: str) -> bool:
    """Does `text` hold a value of the type the question asks for (if any)?

    >>> has_answer_type("它生成一个模型要多久？", "Magic3D能够在40分钟内生成3D网格模型")
    True
    >>> has_answer_type("GPT-4有多少个参数？", "GPT-4只用了2秒左右的时间")
    False
    """
    if _ASKS_DURATION.search(question):
        return bool(_DURATION.search(text))
    if _ASKS_DATE.search(question):
        return bool(_DATE.search(text))
    if _ASKS_COUNT.search(question):
        noun = _COUNT_NOUN.search(question)
        return bool(_NUMBER.search(text)) and (noun is None or noun.group(1) in text)
    return True


@dataclass(frozen=True)
class Quotes:
    picked: list[tuple[_Sentence, float]]
    best_cosine: float  # the closest candidate sentence to the question
    type_found: bool  # a picked sentence holds the kind of value asked for


def choose_quotes(
    searcher: Searcher, query: str, query_vector: np.ndarray, hits: list[Hit], question: str = ""
) -> Quotes:
    cands = _candidates(hits, searcher.loaded.notes)
    if not cands:
        return Quotes([], 0.0, False)
    question = question or query
    vecs = searcher.embed_texts([c.text for c in cands])
    cos = vecs @ query_vector
    lo, hi = float(cos.min()), float(cos.max())
    dense = (cos - lo) / (hi - lo) if hi > lo else np.ones_like(cos)
    terms = tokenize(query)
    idf = searcher.idf(terms)
    top = max(h.score for h in hits) or 1.0
    scores = []
    for c, d in zip(cands, dense, strict=True):
        sc = W_DENSE * float(d) + W_LEX * word_coverage(terms, c.text, idf)
        sc += W_PASSAGE * c.hit.score / top
        sc *= min(1.0, len(c.text) / SHORT_SENTENCE)
        if c.text.endswith(("：", ":")):  # a lead-in to a list, not a statement
            sc *= 0.7
        if c.heading:  # quoted only when it says more than the sentences below it
            sc *= HEADING_WEIGHT
        if not has_answer_type(question, c.text):
            sc *= 0.8
        scores.append(sc)
    order = sorted(range(len(cands)), key=lambda i: -scores[i])
    best = scores[order[0]]
    picked = [order[0]]
    for i in order[1:]:
        if len(picked) >= MAX_QUOTES or scores[i] < SECOND_QUOTE_RATIO * best:
            break
        if any(_overlaps(cands[i], cands[j]) for j in picked):
            continue
        picked.append(i)
    chosen = [(cands[i], scores[i]) for i in picked]
    return Quotes(
        chosen, float(cos.max()), any(has_answer_type(question, c.text) for c, _ in chosen)
    )


def _overlaps(a: _Sentence, b: _Sentence) -> bool:
    return a.hit.chunk.note == b.hit.chunk.note and a.start < b.end and b.start < a.end


def verified_citations(
    picked: list[tuple[_Sentence, float]], notes: dict[str, str]
) -> list[Citation]:
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
        out.append(
            Citation(
                n=len(out) + 1,
                quote=sent.text,
                note=c.note,
                section=c.section,
                line=text.count("\n", 0, sent.start) + 1,
                start=sent.start,
                end=sent.end,
                score=round(float(score), 4),
            )
        )
    return out


def lead_text(citations: list[Citation], confidence: str, language: str) -> str:
    """The words before the quotes, in the question's language."""
    zh = language == "zh"
    if confidence == "none" or not citations:
        return (
            "笔记中没有找到与这个问题相关的内容。"
            if zh
            else "The notes do not seem to say anything about this."
        )
    if confidence == "low":
        return (
            "笔记中似乎没有直接答案。最接近的内容是："
            if zh
            else "The note does not seem to say this. The closest passages say: "
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
