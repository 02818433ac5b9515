"""The sentences beside the chosen one: quoted with it while the quote stays short.

The ranker's best sentence is often one off: of the wrong first quotes that
the judge rated `high` on the shared sets, most held the answer in the sentence
just before or after (docs/results.md, "The sentences beside the quote"). So
the first quote is the chosen sentence with the sentences beside it on its line,
the better-scored neighbour first, while the whole stays within BESIDE_WIDTH
columns (a CJK character takes two): about two sentences, read at a glance.
The chosen sentence stays marked inside it (`Citation.focus`). The judge is
fitted on these quotes (scripts/fit_confidence.py), so `high` speaks for them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import replace

from .features import Candidate

BESIDE_WIDTH = 260  # columns; extent.MAX_WIDE_CHARS's "readable at a glance", in columns


def width(text: str) -> int:
    """Columns `text` takes: two for a wide (CJK, full-width) character, one for others.

    >>> width("GPT-4"), width("百度"), width("ＡＢ")
    (5, 4, 4)
    """
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def adjacent(a: Candidate, b: Candidate, notes: dict[str, str]) -> Candidate | None:
    """a and b as one quote when they overlap or only white space on one line parts them."""
    if a.hit.chunk.note != b.hit.chunk.note or a.heading or b.heading:
        return None
    first, second = (a, b) if a.start < b.start else (b, a)
    text = notes.get(a.hit.chunk.note, "")
    gap = text[first.end : second.start]
    if gap.strip() or "\n" in gap:
        return None
    end = max(first.end, second.end)
    focus = a.focus or b.focus
    return replace(first, end=end, text=text[first.start : end], focus=focus)


def neighbours(
    best: int,
    scores: Sequence[float],
    alone: int,
    joined: Callable[[int], int | None],
) -> list[int]:
    """The candidates quoted beside `best`, best-scored first, while the quote fits.

    `alone` is the best quote's width; `joined(o)` the width of the best quote
    joined with candidate o's, or None when o is not beside it. The same rule
    serves `ask` (on the notes' text) and the fit (on its records).

    >>> beside_best = {0: 40, 2: 250}.get  # 0 and 2 stand beside candidate 1 (width 20)
    >>> neighbours(1, [0.5, 2.0, 1.0], 20, beside_best)  # 2 first; then 0 would make 270
    [2]
    >>> neighbours(1, [0.5, 2.0, 1.0], 20, {0: 30, 2: 60}.get)
    [2, 0]
    """
    out, total = [], alone
    for o in sorted(range(len(scores)), key=lambda i: -float(scores[i])):
        w = joined(o) if o != best else None
        if w is not None and total + w - alone <= BESIDE_WIDTH:
            out.append(o)
            total += w - alone
    return out


def with_neighbours(
    best: int, quotes: list[Candidate], scores: Sequence[float], notes: dict[str, str]
) -> Candidate:
    """The best quote joined with the quotes `neighbours` puts beside it."""
    c = quotes[best]

    def joined(o: int) -> int | None:
        j = adjacent(c, quotes[o], notes)
        return None if j is None else width(j.text)

    out = c
    for o in neighbours(best, scores, width(c.text), joined):
        out = adjacent(out, quotes[o], notes) or out
    return replace(out, focus=(c.start, c.end)) if out is not c else out
