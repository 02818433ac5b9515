"""The sentences that compete to be quoted: those of a question's top passages, and each
passage's heading (for chatbot.features)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from index.chunking import split_sentences
from index.dates import days, only_days
from index.search import Hit
from index.sections import PATH_SEP

# The passages whose sentences compete for the answer: the first SENTENCE_POOL, and more, up to
# MAX_POOL, while fewer than POOL_SENTENCES sentences compete. Notes of short paragraphs (SQuAD's:
# two sentences a passage) get as many candidates as notes of long ones (docs/results.md).
SENTENCE_POOL = 4
POOL_SENTENCES = 12
MAX_POOL = 5  # the engine searches at least this many passages


@dataclass(frozen=True)
class Candidate:
    hit: Hit
    start: int  # in the note
    end: int
    text: str
    heading: bool = False
    focus: tuple[int, int] | None = None  # the chosen sentence, in a quote joined beside it


def candidates(hits: list[Hit], notes: dict[str, str]) -> list[Candidate]:
    """Sentences of the top passages, and each passage's own heading.

    Headings count because notes often say the key fact only there
    ("文字生成：腾讯推出自动化新闻撰稿机器人Dreamwriter").
    """
    out = []
    seen = set()
    for i, h in enumerate(hits[:MAX_POOL]):
        if i >= SENTENCE_POOL and len(out) >= POOL_SENTENCES:
            break
        c = h.chunk
        heading = c.section.split(PATH_SEP)[-1]
        text = notes.get(c.note, "")
        at = text.rfind(heading, 0, c.start) if heading else -1
        if at >= 0 and (c.note, at) not in seen:
            seen.add((c.note, at))
            out.append(Candidate(h, at, at + len(heading), heading, heading=True))
        for s, e in split_sentences(c.text):
            if (c.note, c.start + s) in seen:  # overlapping passages share sentences
                continue
            seen.add((c.note, c.start + s))
            out.append(Candidate(h, c.start + s, c.start + e, c.text[s:e]))
    return out


def past_bare_days(choice: np.ndarray, cands: list[Candidate], question: str) -> np.ndarray:
    """`choice` with the headings that are only a day the question names put last: quoted,
    "## 2026-11-16" repeats "What happened on November 16?" and says nothing of it."""
    asked = set(days(question))
    if not asked:
        return choice
    bare = [
        i
        for i, c in enumerate(cands)
        if c.heading and only_days(c.text) and set(days(c.text)) <= asked
    ]
    if not bare or len(bare) == len(cands):
        return choice
    out = np.array(choice, np.float64)
    out[bare] = out.min() - 1.0
    return out
