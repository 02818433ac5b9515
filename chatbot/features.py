"""Features of a question's candidate sentences, for choosing the quote and judging it.

Candidates are the sentences of the top passages and each passage's heading.
Each gets one row of `SENTENCE_FEATURES`; the question as a whole (with the
ranker's scores) gets one row of `QUESTION_FEATURES`. Both tell "the notes say
it" from "the notes talk about something like it": closeness (e5 cosine, and
how far it stands out from the notes' background), the share of the
question's words — above all its rare ones: names, numbers, terms — in the
sentence and its passage, whether the sentence offers the kind of value asked
for, and the language pair. The models that weigh them are fitted by
scripts/fit_confidence.py (chatbot.calibration).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from index.hans import language_of
from index.lexical import offered_terms, tokenize
from index.lexical import words as words_of
from index.search import Hit, Searcher

from .answer_type import asked_type, offers
from .candidates import MAX_POOL, POOL_SENTENCES, SENTENCE_POOL, Candidate, candidates  # noqa: F401
from .negation import negated_alone
from .other_numbers import another_number
from .overlap import coverage, grams, local_coverage, longest_run, rare_terms

SHORT_SENTENCE = 12  # shorter ones are headings or lead-ins ("两个阶段："), rarely answers

SENTENCE_FEATURES = (
    "cos",  # e5 cosine, question · sentence
    "cos_gap",  # cosine minus the best candidate's (≤ 0)
    "z",  # cosine against the notes' background, in standard deviations
    "cov",  # IDF-weighted share of the question's words in the sentence
    "cov_gap",  # ... minus the best candidate's
    "grams",  # share of the question's character bigrams (CJK) and word stems in the sentence
    "grams_gap",  # ... minus the best candidate's
    "local",  # share of the question's bigrams/stems in the sentence, each weighted by how
    # rare it is among the candidates (the article's subject is in all of them)
    "local_gap",  # ... minus the best candidate's
    "first",  # the first sentence of its passage
    "lcs",  # longest run of the question's text found in the sentence, over the question's length
    "cos_rank",  # 1 / the sentence's rank by cosine among the candidates
    "cov_ctx",  # ... in the sentence's passage with its heading path
    "rare",  # share of the question's rarest words in the sentence
    "passage",  # the passage's fused retrieval score over the best passage's
    "inv_rank",  # 1 / the passage's rank
    "offers",  # holds a value of the asked kind the question does not
    "misses",  # a kind is asked and the sentence holds none
    "new",  # share of the sentence's words that are not the question's
    "log_len",
    "short",  # shorter than SHORT_SENTENCE
    "heading",
    "lead_in",  # ends with a colon: introduces a list, says little itself
    "negated",  # the question negates and the sentence does not (chatbot.negation)
    "other_number",  # numbers of its own, a number of the question's nowhere (other_numbers)
)
QUESTION_FEATURES = (
    "top",  # the ranker's score of the chosen sentence
    "margin",  # ... minus the runner-up's
    "best_cos",
    "best_z",
    "known",  # IDF-weighted share of the question's words found in the notes at all
    "top_dense",  # the best passage's cosine
    "top_cov",  # the chosen sentence's own features
    "top_rare",
    "top_ctx",
    "top_local",
    "top_lcs",
    "top_grams",
    "top_passage",  # 1 / its passage's rank
    "top_new",
    "top_cos_gap",  # 0 when the chosen sentence is also the closest, else below
    "top_local_gap",  # 0 when it also holds the most of the question's rare grams
    "top_cos_rank",
    "asked",  # the question asks for a kind of value
    "top_offers",
    "cross",  # question and notes in different languages
    "zh",  # the question is Chinese
    "n_terms",  # log of the question's content words
    "exact",  # the kind asked is one that patterns find whole: date, duration, number, language
    "exact_offers",  # ... and the chosen sentence offers it
    "lead",  # 1 - the second passage's fused score over the first's: one clear place, or many
    "lead_top",  # ... when the chosen sentence is in the first passage (times 1 / its rank)
    "top_negated",
    "top_other_number",
)
# kinds that patterns find whole; POS-tagged names are found less surely
EXACT_KINDS = ("date", "duration", "money", "number", "language")


@dataclass(frozen=True)
class Analysis:
    """One question's candidates, their features and the question's context."""

    cands: list[Candidate]
    rows: np.ndarray  # len(cands) × len(SENTENCE_FEATURES)
    cosines: np.ndarray
    known: float
    cross: bool
    asked: str | None
    n_terms: int
    top_dense: float
    language: str = "zh"  # the question's
    days: tuple[str, ...] = ()  # the days it names that the notes hold (index.dates)


def analyse(
    searcher: Searcher,
    question: str,
    query: str,
    query_vector: np.ndarray,
    hits: list[Hit],
    cross: bool,
) -> Analysis:
    cands = candidates(hits, searcher.loaded.notes)
    terms = tokenize(query)
    idf = searcher.idf(terms)
    rare = rare_terms(terms, idf, searcher.lexical.stem_df)
    kind = asked_type(question)
    q_words = set(tokenize(question))
    days = tuple(searcher.dated.held(query))
    known = _known(searcher.lexical.known_share(terms) if terms else 0.0, idf, len(days))
    top_dense = max((h.dense for h in hits), default=0.0)
    lang = language_of(question)
    if not cands:
        empty = np.zeros((0, len(SENTENCE_FEATURES)), np.float32)
        return Analysis(
            [], empty, np.zeros(0), known, cross, kind, len(terms), top_dense, lang, days
        )
    cos = searcher.embed_texts([c.hit.chunk.in_context(c.text) for c in cands]) @ query_vector
    mean, std = searcher.baseline(query_vector)
    top_score = max(h.score for h in hits) or 1.0
    asked = set(words_of(query))
    english: dict[int, bool] = {}  # each passage's language, and its words, read once
    chunk_words: dict[int, set[str]] = {}
    for c in cands:
        if id(c.hit.chunk) not in chunk_words:
            english[id(c.hit.chunk)] = language_of(c.hit.chunk.text) == "en"
            chunk_words[id(c.hit.chunk)] = offered_terms(
                c.hit.chunk.context, english[id(c.hit.chunk)], asked
            )
    if means := searcher.languages.means(query_vector):  # notes of both languages
        # each sentence's cosine as if in the first passage's language (index.bilingual),
        # its z-score from that language's mean; the spread stays all the notes' (a
        # language of a few sentences would give a narrow one, and z-scores too high)
        ref = english[id(hits[0].chunk)]
        cos = cos + np.array([means[ref] - means[english[id(c.hit.chunk)]] for c in cands])
        mean = means[ref]
    best_cos = float(cos.max())
    cand_words = [offered_terms(c.text, english[id(c.hit.chunk)], asked) for c in cands]
    covs = np.array([coverage(terms, c.text, idf, w) for c, w in zip(cands, cand_words)])
    q_grams = grams(query)
    cand_grams = [
        grams(c.text, None if english[id(c.hit.chunk)] else asked) & q_grams for c in cands
    ]
    shared = np.array([len(g) / max(1, len(q_grams)) for g in cand_grams])
    local = local_coverage(q_grams, cand_grams)
    cos_rank = np.empty(len(cands))
    cos_rank[np.argsort(-cos, kind="stable")] = np.arange(1, len(cands) + 1)
    rows = []
    for i, (c, cs) in enumerate(zip(cands, cos, strict=True)):
        words = cand_words[i]
        has = offers(question, c.text, kind) if kind else False
        rows.append(
            (
                float(cs),
                float(cs) - best_cos,
                (float(cs) - mean) / std,
                covs[i],
                covs[i] - covs.max(),
                shared[i],
                shared[i] - shared.max(),
                local[i],
                local[i] - local.max(),
                float(c.start == c.hit.chunk.start),
                longest_run(question, c.text),
                1.0 / cos_rank[i],
                coverage(terms, c.hit.chunk.context, idf, chunk_words[id(c.hit.chunk)]),
                coverage(rare, c.text, idf, words) if rare else 0.0,
                c.hit.score / top_score,
                1.0 / c.hit.rank,
                float(has),
                float(kind is not None and not has),
                len(words - q_words) / len(words) if words else 0.0,
                math.log1p(len(c.text)),
                float(len(c.text) < SHORT_SENTENCE),
                float(c.heading),
                float(c.text.endswith(("：", ":"))),
                float(negated_alone(question, c.text)),
                float(
                    another_number(question, c.text, f"{c.hit.chunk.section} {c.hit.chunk.note}")
                ),
            )
        )
    return Analysis(
        cands,
        np.asarray(rows, np.float32),
        np.asarray(cos, np.float32),
        known,
        cross,
        kind,
        len(terms),
        top_dense,
        lang,
        days,
    )


def _known(known: float, idf: dict[str, float], days: int) -> float:
    """The IDF-weighted share `known` of the question's words the notes hold, with each of
    the `days` it names that a passage holds (index.dates: "Nov 16th" for a heading
    "2026-11-16") counted as one more known word, of the question's mean weight."""
    if not days:
        return known
    total = sum(idf.values())
    w = total / len(idf) if idf else 1.0
    return (known * total + w * days) / (total + w * days)


def question_row(a: Analysis, scores: np.ndarray, best: int) -> np.ndarray:
    """QUESTION_FEATURES for the candidate `best`, given the ranker's `scores`."""
    f = dict(zip(SENTENCE_FEATURES, a.rows[best].tolist(), strict=True))
    runner_up = np.partition(scores, -2)[-2] if len(scores) > 1 else scores[best] - 1.0
    exact, lead = float(a.asked in EXACT_KINDS), _lead(a.rows)
    return np.asarray(
        (
            float(scores[best]),
            float(scores[best] - runner_up),
            float(a.cosines.max()),
            float(a.rows[:, SENTENCE_FEATURES.index("z")].max()),
            a.known,
            a.top_dense,
            f["cov"],
            f["rare"],
            f["cov_ctx"],
            f["local"],
            f["lcs"],
            f["grams"],
            f["inv_rank"],
            f["new"],
            f["cos_gap"],
            f["local_gap"],
            f["cos_rank"],
            float(a.asked is not None),
            f["offers"],
            float(a.cross),
            float(a.language == "zh"),
            math.log1p(a.n_terms),
            exact,
            exact * f["offers"],
            lead,
            lead * f["inv_rank"],
            f["negated"],
            f["other_number"],
        ),
        np.float32,
    )


def _lead(rows: np.ndarray) -> float:
    """How far the first passage stands above the second (1 when no second competes)."""
    second = rows[np.isclose(rows[:, SENTENCE_FEATURES.index("inv_rank")], 0.5)]
    return 1.0 - float(second[:, SENTENCE_FEATURES.index("passage")].max()) if len(second) else 1.0
