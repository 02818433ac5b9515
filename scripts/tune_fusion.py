"""Choose index.search.SENTENCE_WEIGHT: how much a passage's closest sentence counts.

Retrieval only (hit@1, hit@5, MRR@10 of the answer's passage) on the shared
sets: CMRC 2018 trial and SQuAD 2.0 dev (half the articles indexed, answerable
questions, as `eval --squad`), and the seed note's dev questions. The weight is
chosen on the TRAIN split (by article, as scripts/fit_confidence.py) by mean
MRR@10 over the corpora; the validation figures are printed beside it.

Usage: python scripts/tune_fusion.py [--weights 0,0.25,0.5,0.75,1]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from fit_confidence import SHARED, WORK, _engine  # noqa: E402
from fit_records import fold_of  # noqa: E402


def _val(name: str) -> bool:
    return fold_of(name) == 0  # one fold of five held out, as in fit_confidence


def _rank(searcher, question: str, relevant) -> int | None:
    s = searcher.score(question)
    order = np.argsort(-searcher.fuse(s), kind="stable")[:10]
    for i, j in enumerate(order, 1):
        if relevant(searcher.chunks[int(s.rows[j])]):
            return i
    return None


def corpora(model: str):
    """(name, searcher, [(is_validation, question, relevant(chunk))])."""
    from chatbot import squad
    from chatbot.evaluate import holds_evidence, load_questions

    for name in ("cmrc2018-trial.json", "squad2-dev.json"):
        indexed, withheld = squad.split(squad.load_articles(SHARED / name))
        stem = name.split(".")[0]
        engine = _engine(
            squad.write_notes(indexed, WORK / f"{stem}-notes"), WORK / f"{stem}-index", model
        )
        qs = squad.questions_by_kind(indexed, withheld, None)["answerable"]
        yield (
            stem,
            engine._searcher(),
            [
                (
                    _val(stem + q.note),
                    q.question,
                    lambda c, q=q: (
                        Path(c.note).name == q.note and squad.holds_evidence(c.text, q.answers)
                    ),
                )
                for q in qs
                if q.question.strip()
            ],
        )
    engine = _engine(WORK / "seed-notes", WORK / "seed-index", model)
    qs = [
        q
        for f in ("dev-questions.jsonl", "dev-questions-2.jsonl")
        for q in load_questions(SHARED / f)
        if q.evidence and not q.history
    ]
    yield (
        "seed",
        engine._searcher(),
        [(_val(q.id), q.question, lambda c, q=q: holds_evidence(c.text, q.evidence)) for q in qs],
    )


def main() -> int:
    from chatbot.evaluate import metrics

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--weights", default="0,0.25,0.5,0.75,1")
    ap.add_argument("--model", default="e5-small")
    args = ap.parse_args()
    weights = [float(w) for w in args.weights.split(",")]
    table: dict[tuple[float, bool], list[float]] = {}
    for name, searcher, qs in corpora(args.model):
        for w in weights:
            searcher.sentence_weight = w
            for split in (False, True):
                m = metrics([_rank(searcher, q, rel) for v, q, rel in qs if v == split])
                table.setdefault((w, split), []).append(m.mrr10)
                tag = "validation" if split else "train"
                print(f"{name:<14} w={w:.2f} {tag:<10} {m.row()}", flush=True)
    best = max(weights, key=lambda w: np.mean(table[(w, False)]))
    for w in weights:
        mark = " ← chosen (train)" if w == best else ""
        print(
            f"w={w:.2f} mean MRR@10 train {np.mean(table[(w, False)]):.4f} "
            f"validation {np.mean(table[(w, True)]):.4f}{mark}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
