"""The features scripts/fit_confidence.py collects (`collect_one`), cached as one .npz.

No pickle.

Asking for all 9,442 records (4,765 questions, most asked twice) takes minutes; refitting
from the cache, seconds.
A cache collected for other SENTENCE_FEATURES is ignored (collected again).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

FOLDS = 5


def fold_of(group: str) -> int:
    """The fold of an article (or of a seed-note question), from a hash of its name."""
    return int(hashlib.sha256(group.encode("utf-8")).hexdigest()[:8], 16) % FOLDS


_SCALARS = ("known", "cross", "n_terms", "top_dense")


def collect_one(engine, question: str, right) -> tuple[np.ndarray, np.ndarray, dict]:
    """Candidate rows and labels of one question, and what the judge needs.

    A sentence is right when the quote made of it is, reaching as far as `ask`
    quotes it (chatbot.extent.reach), so the ranker learns to pick what will be quoted.
    `joins` are the pairs of sentences whose quotes `pick` would join into one (side by
    side on a line), with whether the joined quote is right and its width; `widths`,
    each sentence's quote's (chatbot.beside).
    """
    from dataclasses import replace

    from chatbot.beside import adjacent, width
    from chatbot.extent import reach

    _, a = engine.analyse(question)
    notes = engine.searcher.loaded.notes  # analyse() has opened it
    quotes = [reach(c, notes, question) for c in a.cands]
    labels = np.array([right(q) for q in quotes], bool)
    joins = [
        (i, j, bool(right(joined)), width(joined.text))
        for i in range(len(quotes))
        for j in range(i + 1, len(quotes))
        if (joined := adjacent(quotes[i], quotes[j], notes)) is not None
    ]
    texts = [c.hit.chunk.in_context(c.text) for c in a.cands]  # as the model reads them
    extra = {"texts": texts, "joins": joins, "widths": [width(q.text) for q in quotes]}
    return a.rows, labels, {"analysis": replace(a, cands=[])} | extra


def save_records(records: list[dict], path: Path) -> None:
    """The collected features as one .npz (no pickle), to refit without re-asking."""
    from chatbot.features import SENTENCE_FEATURES

    sizes = np.array([len(r["rows"]) for r in records])
    width = len(SENTENCE_FEATURES)
    rows = [r["rows"].reshape(-1, width) for r in records]
    np.savez_compressed(
        path,
        names=np.array(SENTENCE_FEATURES),
        rows=np.concatenate(rows) if rows else np.zeros((0, width)),
        labels=np.concatenate([r["labels"] for r in records]),
        sizes=sizes,
        meta=np.array(
            [json.dumps({k: r[k] for k in ("corpus", "kind", "group", "q")}) for r in records]
        ),
        scalars=np.array([[getattr(r["analysis"], k) for k in _SCALARS] for r in records], float),
        asked=np.array([r["analysis"].asked or "" for r in records]),
        # each candidate as the model reads it (heading and sentence), for a reader model
        texts=np.array([t for r in records for t in r.get("texts", [""] * len(r["rows"]))]),
        # the sentence pairs `pick` joins into one quote: record, i, j, right, width
        joins=np.array(
            [(n, *join) for n, r in enumerate(records) for join in r.get("joins", ())],
            dtype=np.int64,
        ).reshape(-1, 5),
        widths=np.array([w for r in records for w in r["widths"]], dtype=np.int64),
    )


def load_records(path: Path) -> list[dict] | None:
    from chatbot.features import SENTENCE_FEATURES, Analysis
    from index.hans import language_of

    if not path.exists():
        return None
    with np.load(path, allow_pickle=False) as npz:
        z = {k: npz[k] for k in npz.files}  # each npz[k] would read the file again
    if tuple(z["names"].tolist()) != SENTENCE_FEATURES or "widths" not in z:
        return None  # collected for other features, or before joined quotes were
    joins: dict[int, list] = {}
    for n, i, j, ok, w in z["joins"].tolist():
        joins.setdefault(n, []).append((i, j, bool(ok), w))
    out, pos = [], 0
    for n, (size, meta, sc, asked) in enumerate(
        zip(z["sizes"], z["meta"], z["scalars"], z["asked"], strict=True)
    ):
        rows, labels = z["rows"][pos : pos + size], z["labels"][pos : pos + size]
        texts = z["texts"][pos : pos + size].tolist() if "texts" in z else []
        widths = z["widths"][pos : pos + size].tolist()
        pos += size
        known, cross, n_terms, top_dense = sc.tolist()
        a = Analysis(
            [],
            rows,
            rows[:, 0] if size else np.zeros(0),
            known,
            bool(cross),
            str(asked) or None,
            int(n_terms),
            top_dense,
            language_of(json.loads(str(meta))["q"]),
        )
        m = json.loads(str(meta))
        m["fold"] = fold_of(m.get("group") or m["q"])  # older caches have no group: by question
        rec = {"rows": rows, "labels": labels, "analysis": a, "texts": texts}
        out.append(m | rec | {"joins": joins.get(n, []), "widths": widths})
    return out


def quoted_right(record: dict, picks: list[int], choice: np.ndarray) -> bool:
    """Is the first quote `pick` makes right: the best sentence's, with the sentences
    chatbot.beside puts beside it by the picker's scores `choice`, and any other of
    `picks` that stands beside it (`ask` quotes them as one)."""
    from chatbot.beside import neighbours

    best = picks[0]
    if record["labels"][best]:
        return True
    pairs = {(i if j == best else j): (ok, w) for i, j, ok, w in record["joins"] if best in (i, j)}
    widths = record["widths"]
    joined = neighbours(best, choice, widths[best], lambda o: pairs.get(o, (0, None))[1])
    return any(pairs[o][0] for o in set(joined) | (set(picks[1:]) & set(pairs)))
