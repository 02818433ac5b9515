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
