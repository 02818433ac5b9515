"""The quote picker: gradient-boosted trees over a question's candidate sentences.

The linear ranker (chatbot.calibration) weighs each feature alone, but what
makes a sentence the answer is often a combination: a close sentence that also
holds the question's rare words, a heading only when nothing under it is
close. scripts/fit_picker.py fits scikit-learn's HistGradientBoostingClassifier
on every candidate (right sentence or not), reading each feature three ways:
as it is, against the question's best candidate, and against their mean
(`relative`), so that a tree sees "the closest of these" as well as "close".
The fitted trees are stored as plain arrays in the calibration JSON and walked
here with numpy; no scikit-learn at run time. Out of fold, picking by the trees
instead of the ranker took quote right from 0.844 to 0.853 (CMRC) and 0.847 to
0.861 (SQuAD 2.0), the means of three fits: docs/results.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def relative(rows: np.ndarray) -> np.ndarray:
    """Each feature as it is, minus the question's best value, and minus its mean.

    >>> relative(np.array([[1.0], [3.0]])).tolist()
    [[1.0, -2.0, -1.0], [3.0, 0.0, 1.0]]
    """
    rows = np.asarray(rows, np.float64)
    if not len(rows):
        return np.zeros((0, rows.shape[1] * 3 if rows.ndim == 2 else 0))
    return np.hstack([rows, rows - rows.max(0), rows - rows.mean(0)])


@dataclass(frozen=True)
class Trees:
    """Binary trees of one boosted model, stacked: node arrays of shape (trees, nodes).

    A node goes left when its feature ≤ its threshold (or is NaN and
    `missing_left`); a leaf's value adds to the log-odds.
    """

    names: tuple[str, ...]  # the sentence features `relative` is applied to
    baseline: float
    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    leaf: np.ndarray
    missing_left: np.ndarray
    value: np.ndarray

    def score(self, rows: np.ndarray) -> np.ndarray:
        """Log-odds that each candidate (a row of sentence features) is the answer."""
        x = relative(rows)
        n = len(x)
        t = np.arange(self.feature.shape[0])[:, None]  # (trees, 1)
        node = np.zeros((len(t), n), np.int64)
        cand = np.arange(n)[None, :]
        for _ in range(self.feature.shape[1]):  # a tree is never deeper than its node count
            inner = ~self.leaf[t, node]
            if not inner.any():
                break
            v = x[cand, self.feature[t, node]]
            go_left = np.where(
                np.isnan(v), self.missing_left[t, node], v <= self.threshold[t, node]
            )
            nxt = np.where(go_left, self.left[t, node], self.right[t, node])
            node = np.where(inner, nxt, node)
        return self.baseline + self.value[t, node].sum(0)

    @classmethod
    def from_json(cls, d: dict, names: tuple[str, ...]) -> Trees:
        if tuple(d["names"]) != names:
            raise ValueError(f"picker features {tuple(d['names'])} differ from the code's {names}")
        trees = d["trees"]
        width = max(len(tr["feature"]) for tr in trees)

        def stack(key: str, dtype, fill) -> np.ndarray:
            out = np.full((len(trees), width), fill, dtype)
            for i, tr in enumerate(trees):
                out[i, : len(tr[key])] = tr[key]
            return out

        return cls(
            names=names,
            baseline=float(d["baseline"]),
            feature=stack("feature", np.int64, 0),
            threshold=stack("threshold", np.float64, 0.0),
            left=stack("left", np.int64, 0),
            right=stack("right", np.int64, 0),
            leaf=stack("leaf", bool, True),
            missing_left=stack("missing_left", bool, True),
            value=stack("value", np.float64, 0.0),
        )
