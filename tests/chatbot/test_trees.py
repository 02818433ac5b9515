"""The quote picker's trees: walked as scikit-learn walks them, from plain JSON arrays."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from chatbot.features import SENTENCE_FEATURES
from chatbot.trees import Trees, relative

W = len(SENTENCE_FEATURES)


def _tree(feature: int, threshold: float, low: float, high: float, missing_left=True) -> dict:
    """One split: node 0 tests `feature`, leaves 1 (≤) and 2 (>)."""
    return {
        "feature": [feature, 0, 0],
        "threshold": [threshold, 0.0, 0.0],
        "left": [1, 0, 0],
        "right": [2, 0, 0],
        "leaf": [False, True, True],
        "missing_left": [missing_left, False, False],
        "value": [0.0, low, high],
    }


def test_each_tree_sends_a_row_left_at_or_below_its_threshold_and_leaves_add_up():
    cos = SENTENCE_FEATURES.index("cos")
    gap = W + cos  # the second reading: against the question's best candidate
    trees = Trees.from_json(
        {
            "names": list(SENTENCE_FEATURES),
            "baseline": -1.0,
            "trees": [_tree(cos, 0.5, 0.0, 2.0), _tree(gap, -0.1, -3.0, 0.5)],
        },
        SENTENCE_FEATURES,
    )
    rows = np.zeros((3, W))
    rows[:, cos] = [0.2, 0.5, 0.9]
    # 0.2: ≤ 0.5 (0.0), 0.7 below the best (-3.0); 0.5: exactly 0.5 goes left; 0.9: the best.
    assert trees.score(rows).tolist() == [-4.0, -4.0, 1.5]


def test_a_missing_value_goes_where_the_tree_learnt_to_send_it():
    rows = np.zeros((2, W))
    rows[0, 0] = np.nan
    for missing_left, expected in ((True, -1.0), (False, 1.0)):
        trees = Trees.from_json(
            {
                "names": list(SENTENCE_FEATURES),
                "baseline": 0.0,
                "trees": [_tree(0, 0.0, -1.0, 1.0, missing_left)],
            },
            SENTENCE_FEATURES,
        )
        assert trees.score(rows).tolist() == [expected, -1.0]
    assert np.isnan(relative(rows)[:, W]).all()  # the best of a column with NaN is NaN


def test_trees_of_different_sizes_stack_and_a_leaf_root_is_a_constant():
    leaf = {
        "feature": [0],
        "threshold": [0.0],
        "left": [0],
        "right": [0],
        "leaf": [True],
        "missing_left": [False],
        "value": [0.25],
    }
    trees = Trees.from_json(
        {
            "names": list(SENTENCE_FEATURES),
            "baseline": 0.0,
            "trees": [leaf, _tree(0, 0.0, -1.0, 1.0)],
        },
        SENTENCE_FEATURES,
    )
    rows = np.zeros((2, W))
    rows[1, 0] = 1.0
    assert trees.score(rows).tolist() == [-0.75, 1.25]
    assert trees.score(np.zeros((0, W))).shape == (0,)


def test_other_features_are_refused():
    with pytest.raises(ValueError, match="differ from the code"):
        Trees.from_json({"names": ["cos"], "baseline": 0.0, "trees": []}, SENTENCE_FEATURES)


def test_exported_trees_give_scikit_learns_own_scores():
    """scripts/fit_picker.py reads the fitted trees out of scikit-learn; they must agree."""
    path = Path(__file__).resolve().parents[2] / "scripts" / "fit_picker.py"
    spec = importlib.util.spec_from_file_location("fit_picker", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    rng = np.random.default_rng(0)
    records = []
    for _ in range(60):
        rows = rng.normal(size=(8, W))
        labels = np.zeros(8, bool)
        labels[int(np.argmax(rows[:, 0] + rows[:, 1] * rows[:, 2]))] = True  # an interaction
        records.append({"kind": "answerable", "rows": rows, "labels": labels})
    records.append(
        {"kind": "off-notes", "rows": rng.normal(size=(4, W)), "labels": np.zeros(4, bool)}
    )
    d = mod.fit_picker(records, rounds=20)
    trees = Trees.from_json(d, SENTENCE_FEATURES)
    assert len(d["trees"]) == 20
    picked = [bool(r["labels"][int(np.argmax(trees.score(r["rows"])))]) for r in records[:60]]
    assert np.mean(picked) > 0.5  # it learnt the interaction on its own questions
