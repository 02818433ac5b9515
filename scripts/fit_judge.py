"""The confidence judges of scripts/fit_confidence.py: question features → the quote is right.

One logistic regression per question language, on the chosen sentence's
question features (chatbot.features.question_row); `judge_pool` decides
whether a language learns from its own questions or from all of them.
"""

from __future__ import annotations

import numpy as np


def fit_judge(records: list[dict]):
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    Xq = np.stack([r["qrow"] for r in records])
    yq = np.array([r["right"] for r in records])
    sq = StandardScaler().fit(Xq)
    sq.scale_[sq.scale_ == 0] = 1.0  # a feature constant within one language ("zh")
    return sq, LogisticRegression(C=1.0, max_iter=3000).fit(sq.transform(Xq), yq)


def judge_pool(train: list[dict], lang: str) -> list[dict]:
    """The questions a language's judge learns from: its own, or all when that judges it better.

    Decided inside `train` alone (an inner split by article), by the ranking
    quality (AUC) of held-out answers in `lang`, so no validation figure leaks in.
    """
    from sklearn.metrics import roc_auc_score

    own = [r for r in train if r["analysis"].language == lang]
    scores = {}
    for name, pool in (("own", own), ("all", train)):
        ys, ps = [], []
        for k in range(3):
            inner = [r for r in pool if (r["fold"] + k) % 3]  # folds are 0..4: 3 inner splits
            held = [r for r in train if not (r["fold"] + k) % 3 and r["analysis"].language == lang]
            if not inner or not held:
                continue
            sq, lq = fit_judge(inner)
            ps += lq.predict_proba(sq.transform(np.stack([r["qrow"] for r in held])))[:, 1].tolist()
            ys += [r["right"] for r in held]
        scores[name] = roc_auc_score(ys, ps) if len(set(ys)) == 2 else 0.0
    return train if scores["all"] > scores["own"] else own
