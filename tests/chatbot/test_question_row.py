"""The question's row for the judge: the kind asked, and how clearly one passage leads."""

from __future__ import annotations

import numpy as np
import pytest

from chatbot.features import QUESTION_FEATURES, SENTENCE_FEATURES, Analysis, question_row

S = {n: i for i, n in enumerate(SENTENCE_FEATURES)}
Q = {n: i for i, n in enumerate(QUESTION_FEATURES)}


def _analysis(passages: list[tuple[int, float]], asked: str | None, offers: int = 0) -> Analysis:
    """One candidate per (passage rank, fused score over the best's); the first offers or not."""
    rows = np.zeros((len(passages), len(SENTENCE_FEATURES)), np.float32)
    for i, (rank, share) in enumerate(passages):
        rows[i, S["inv_rank"]] = 1 / rank
        rows[i, S["passage"]] = share
    rows[0, S["offers"]] = offers
    return Analysis([], rows, rows[:, S["cos"]], 0.5, False, asked, 3, 0.8)


def _row(a: Analysis, best: int = 0) -> dict[str, float]:
    r = question_row(a, np.arange(len(a.rows), 0, -1, dtype=np.float32), best)
    assert r.shape == (len(QUESTION_FEATURES),)
    return {n: float(r[i]) for n, i in Q.items()}


def test_lead_is_the_first_passages_margin_over_the_second():
    clear = _row(_analysis([(1, 1.0), (2, 0.25), (3, 0.2)], None))
    close = _row(_analysis([(1, 1.0), (2, 0.95), (3, 0.9)], None))
    assert clear["lead"] == pytest.approx(0.75)
    assert close["lead"] == pytest.approx(0.05)
    assert clear["lead_top"] == pytest.approx(0.75)  # the chosen sentence is in the first
    lower = _row(_analysis([(1, 1.0), (2, 0.25)], None), best=1)
    assert lower["lead_top"] == pytest.approx(0.375)
    alone = _row(_analysis([(1, 1.0), (3, 0.5)], None))
    assert alone["lead"] == 1.0  # no sentence of a second passage competes


@pytest.mark.parametrize(
    ("asked", "exact"),
    [("date", 1.0), ("number", 1.0), ("duration", 1.0), ("language", 1.0)]
    + [("person", 0.0), ("place", 0.0), ("organisation", 0.0), (None, 0.0)],
)
def test_exact_kinds_are_those_patterns_find_whole(asked, exact):
    row = _row(_analysis([(1, 1.0), (2, 0.5)], asked, offers=1))
    assert row["exact"] == exact
    assert row["exact_offers"] == exact
    assert _row(_analysis([(1, 1.0), (2, 0.5)], asked, offers=0))["exact_offers"] == 0.0
