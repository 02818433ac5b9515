"""The `high` thresholds of scripts/fit_confidence.py, read off held-out probabilities.

Each record is one question with its out-of-fold probability `p`, its `kind`
("answerable", "off-notes", "adversarial") and whether its quote is `right`.
"""

from __future__ import annotations

import numpy as np

MIN_ANSWERS = 20  # held-out answers at or above a threshold before their share right counts


def high_threshold(val: list[dict], target: float, off_rate: float) -> float:
    """Lowest p where answers at or above it are right ≥ `target`, ≤ `off_rate` off-notes above."""
    ans = sorted((r for r in val if r["kind"] == "answerable"), key=lambda r: -r["p"])
    off = np.array([r["p"] for r in val if r["kind"] == "off-notes"])
    best, right = 1.0, 0
    for i, r in enumerate(ans, 1):
        right += r["right"]
        rate = float((off >= r["p"]).mean()) if len(off) else 0.0
        if i >= MIN_ANSWERS and right / i >= target and rate <= off_rate:
            best = r["p"]
    return float(best)


def borrowed(high: dict[str, float], by_pair: dict[str, list[dict]]) -> dict[str, float]:
    """Thresholds for the pairs too small to set their own (English questions on Chinese notes).

    Such a pair takes the strictest threshold of the pairs that could set one, when every one
    of its own held-out answers at or above it is right and none of its questions that the
    notes do not answer reaches it; otherwise it stays without `high`.
    """
    measured = [v for v in high.values() if v < 1.0]
    out = {}
    for key, rs in by_pair.items():
        if high[key] < 1.0 or not measured:
            continue
        strict = max(measured)
        above = [r for r in rs if r["p"] >= strict]
        if above and all(r["right"] for r in above):  # the unanswered are never right
            out[key] = strict
    return out
