"""Trust figures on a SQuAD-style file: is the quote right, and is "high" deserved?

`run` indexes half of the articles (chatbot.squad), asks each kind of
question and scores every answer:

- quote = first citation right / answerable;
- coverage = high and right / answerable;
- precision = right / high, on answerable questions;
- abstain-off, abstain-adv = not high / asked, on off-notes and adversarial;
- hit@1, hit@5, MRR@10 of the passages, on answerable questions.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import squad
from .answer import to_dict
from .evaluate import metrics


@dataclass
class TrustReport:
    asked: dict[str, int] = field(default_factory=dict)
    figures: dict[str, float] = field(default_factory=dict)
    ms_per_question: float = 0.0

    def format(self) -> str:
        lines = [f"{k}: {v} questions" for k, v in self.asked.items()]
        lines += [f"{k:<12} {v:.3f}" for k, v in self.figures.items()]
        lines.append(f"{self.ms_per_question:.0f} ms per question")
        return "\n".join(lines)


def score(results: dict[str, list[tuple[squad.SquadQuestion, dict]]]) -> TrustReport:
    rep = TrustReport(asked={k: len(v) for k, v in results.items()})
    f = rep.figures
    ans = results.get("answerable", [])
    if ans:
        right = [squad.quote_right(r, q) for q, r in ans]
        high = [r["confidence"] == "high" for _, r in ans]
        n = len(ans)
        f["quote"] = sum(right) / n
        f["coverage"] = sum(a and b for a, b in zip(right, high, strict=True)) / n
        f["precision"] = (
            sum(a and b for a, b in zip(right, high, strict=True)) / sum(high) if any(high) else 0.0
        )
        m = metrics([squad.passage_rank(r, q) for q, r in ans])
        f["hit@1"], f["hit@5"], f["MRR@10"] = m.hit1, m.hit5, m.mrr10
    for kind, name in (("off-notes", "abstain-off"), ("adversarial", "abstain-adv")):
        if results.get(kind):
            rows = results[kind]
            f[name] = sum(r["confidence"] != "high" for _, r in rows) / len(rows)
    return rep


def engine_for(notes: Path, index_dir: Path, model: str | None, say: Callable[[str], None]):
    """An engine over the notes in `notes`, its index in `index_dir` brought up to date."""
    from .config import settings_from
    from .engine import Engine

    settings = settings_from(index_dir=str(index_dir), model=model, notes=[str(notes)])
    engine = Engine(settings, say=say)
    engine.build([str(notes)])
    return engine.open()


def run(
    path: str | Path,
    model: str | None = None,
    n: int | None = 300,
    seed: int = 0,
    index_dir: str | Path | None = None,
    top_k: int = 10,
    say: Callable[[str], None] = print,
    asked_as: str | Path | None = None,
) -> tuple[TrustReport, dict[str, list[tuple[squad.SquadQuestion, dict]]]]:
    """Index half the articles, ask each kind (only those `asked_as` holds, as it asks
    them: squad.asked_as), score."""
    from .engine import QuestionError

    articles = squad.load_articles(path)
    indexed, withheld = squad.split(articles)
    with tempfile.TemporaryDirectory(prefix="notechat-squad-") as tmp:
        ix = Path(index_dir) if index_dir else Path(tmp) / "index"
        notes = squad.write_notes(indexed, ix.parent / f"{ix.name}-notes")
        engine = engine_for(notes, ix, model, say)
        other = squad.asked_as(asked_as) if asked_as else None
        asked = squad.questions_by_kind(indexed, withheld, n, seed, other)
        results: dict[str, list[tuple[squad.SquadQuestion, dict]]] = {}
        t0, count = time.perf_counter(), 0
        for kind, qs in asked.items():
            rows = []
            for q in qs:
                try:
                    res = to_dict(engine.ask(q.question, top_k=top_k))
                except QuestionError:  # an empty question: counted, as not answered
                    res = {"confidence": "none", "citations": [], "passages": []}
                rows.append((q, res))
                count += 1
            results[kind] = rows
        report = score(results)
        report.ms_per_question = (time.perf_counter() - t0) * 1000 / max(1, count)
    return report, results
