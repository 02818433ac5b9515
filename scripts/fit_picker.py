"""Fit the quote picker (chatbot.trees) and write it as plain arrays, for fit_confidence.py.

scikit-learn's HistGradientBoostingClassifier, on every candidate sentence of
the answerable questions (right or not), each feature read three ways
(chatbot.trees.relative), 300 rounds. Its fitted trees are read from the model
(`_predictors`, the arrays scikit-learn's own predict walks) and checked: the
exported trees must give the model's own decision_function, or the fit fails.
"""

from __future__ import annotations

import numpy as np

DEPTH, ROUNDS, RATE = 4, 300, 0.05  # a shallow tree; tuning by inner folds did no better
# All rounds on all rows, with no early stopping: its random held-out tenth made each fit
# depend on a seed (out of fold, SQuAD coverage 0.410 to 0.454 for seeds 0 to 2); without it
# the same records give the same trees.


def fit_picker(records: list[dict], rounds: int = ROUNDS) -> dict:
    """The picker's JSON, fitted on the answerable records with candidates."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    from chatbot.features import SENTENCE_FEATURES
    from chatbot.trees import Trees, relative

    recs = [r for r in records if r["kind"] == "answerable" and len(r["rows"])]
    x = np.concatenate([relative(r["rows"]) for r in recs])
    y = np.concatenate([r["labels"] for r in recs])
    model = HistGradientBoostingClassifier(
        max_depth=DEPTH, max_iter=rounds, learning_rate=RATE, early_stopping=False
    ).fit(x, y)
    trees = []
    for (pred,) in model._predictors:  # one tree per round for two classes
        n = pred.nodes
        trees.append(
            {
                "feature": n["feature_idx"].tolist(),
                "threshold": n["num_threshold"].tolist(),
                "left": n["left"].tolist(),
                "right": n["right"].tolist(),
                "leaf": n["is_leaf"].astype(bool).tolist(),
                "missing_left": n["missing_go_to_left"].astype(bool).tolist(),
                "value": n["value"].tolist(),
            }
        )
    out = {
        "names": list(SENTENCE_FEATURES),
        "baseline": float(np.ravel(model._baseline_prediction)[0]),
        "trees": trees,
    }
    trees = Trees.from_json(out, SENTENCE_FEATURES)
    for r in recs[:50]:
        if not np.allclose(trees.score(r["rows"]), model.decision_function(relative(r["rows"]))):
            raise RuntimeError("exported trees differ from scikit-learn's own prediction")
    return out
