"""Retrieval metrics over question sets: hit@k and MRR@10, overall and per kind.

A passage is relevant when it holds at least half of one evidence string as a
contiguous substring (and, for multi-note sets, comes from the named note).
Also reported, apart: the same figures when a passage's own heading (the last of
its section path, shown with it) counts as part of it, since a note's answer is
sometimes a heading ("### 百度：全栈布局AI技术…") that no passage text holds.
Questions without evidence ("unanswerable") are left out of the retrieval
figures and scored on confidence instead.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from index.sections import PATH_SEP


class QuestionFileError(ValueError):
    """A question file that cannot be read; names the file and line."""


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    kind: str = "question"
    evidence: tuple[str, ...] = ()
    history: tuple[str, ...] = ()
    note: str | None = None  # for multi-note sets: the note that holds the answer


def load_questions(path: str | Path) -> list[Question]:
    out = []
    try:
        lines = Path(path).read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise QuestionFileError(f"{path}: cannot read ({exc})") from None
    for no, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            out.append(
                Question(
                    id=str(d.get("id", no)),
                    question=str(d["question"]),
                    kind=str(d.get("kind", "question")),
                    evidence=tuple(d.get("evidence") or ()),
                    history=tuple(d.get("history") or ()),
                    note=d.get("note"),
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise QuestionFileError(f"{path}:{no}: not a question object ({exc})") from None
    return out


def holds_evidence(text: str, evidence: Iterable[str]) -> bool:
    """True when `text` holds at least half of one evidence string, contiguously.

    >>> holds_evidence("百度推出的数字人平台", ["百度推出的数字人平台—曦灵"])
    True
    >>> holds_evidence("曦灵", ["百度推出的数字人平台—曦灵"])
    False
    """
    for ev in evidence:
        n = math.ceil(len(ev) / 2)
        if n and any(ev[i : i + n] in text for i in range(len(ev) - n + 1)):
            return True
    return False


def relevant(passage: dict, q: Question, headed: bool = False) -> bool:
    """Holds the evidence; with `headed`, in its text or in its own heading."""
    if q.note is not None and Path(passage["note"]).name != Path(q.note).name:
        return False
    if holds_evidence(passage["text"], q.evidence):
        return True
    return headed and holds_evidence(own_heading(passage), q.evidence)


def own_heading(passage: dict) -> str:
    """The last heading of the passage's section path ("" at a note's top)."""
    return str(passage.get("section") or "").split(PATH_SEP)[-1]


@dataclass
class Metrics:
    n: int = 0
    hit1: float = 0.0
    hit5: float = 0.0
    mrr10: float = 0.0
    ranks: list[int | None] = field(default_factory=list)

    def row(self) -> str:
        return (
            f"n={self.n:<4} hit@1={self.hit1:.3f}  hit@5={self.hit5:.3f}  MRR@10={self.mrr10:.3f}"
        )


def first_relevant_rank(passages: list[dict], q: Question, headed: bool = False) -> int | None:
    for p in passages[:10]:
        if relevant(p, q, headed):
            return int(p["rank"])
    return None


def metrics(ranks: list[int | None]) -> Metrics:
    n = len(ranks)
    if not n:
        return Metrics()
    return Metrics(
        n=n,
        hit1=sum(r == 1 for r in ranks) / n,
        hit5=sum(r is not None and r <= 5 for r in ranks) / n,
        mrr10=sum(1 / r for r in ranks if r is not None and r <= 10) / n,
        ranks=ranks,
    )


def score_results(
    questions: list[Question], results: list[dict], headed: bool = False
) -> dict[str, Metrics]:
    """Metrics per kind and under "answerable" for questions that have evidence."""
    by_kind: dict[str, list[int | None]] = defaultdict(list)
    for q, res in zip(questions, results, strict=True):
        if not q.evidence:
            continue
        r = first_relevant_rank(res["passages"], q, headed)
        by_kind[q.kind].append(r)
        by_kind["answerable"].append(r)
    return {k: metrics(v) for k, v in by_kind.items()}


def confidence_report(questions: list[Question], results: list[dict]) -> dict[str, float]:
    pairs = list(zip(questions, results, strict=True))
    answerable = [q for q, _ in pairs if q.evidence]
    ans = [r for q, r in pairs if q.evidence]
    una = [r for q, r in pairs if not q.evidence]
    first_cite = [
        bool(r["citations"]) and holds_evidence(r["citations"][0]["quote"], q.evidence)
        for q, r in zip(answerable, ans, strict=True)
    ]
    out = {}
    if ans:
        out["answerable: high"] = sum(r["confidence"] == "high" for r in ans) / len(ans)
        out["answerable: first citation holds evidence"] = sum(first_cite) / len(ans)
        # said to be silent though the notes answer: the promise's other half broken
        out["answerable: none"] = sum(r["confidence"] == "none" for r in ans) / len(ans)
    kinds = sorted({q.kind for q in answerable})
    if len(kinds) > 1:  # each kind of answerable question apart (paraphrase, crosslingual…)
        for kind in kinds:
            rs = [(r, ok) for q, r, ok in zip(answerable, ans, first_cite) if q.kind == kind]
            out[f"{kind}: high"] = sum(r["confidence"] == "high" for r, _ in rs) / len(rs)
            out[f"{kind}: first citation holds evidence"] = sum(ok for _, ok in rs) / len(rs)
    if una:
        out["unanswerable: not high"] = sum(r["confidence"] != "high" for r in una) / len(una)
        out["unanswerable: none"] = sum(r["confidence"] == "none" for r in una) / len(una)
    return out


def format_report(per_kind: dict[str, Metrics], extra: dict[str, float] | None = None) -> str:
    lines = []
    order = sorted(k for k in per_kind if k != "answerable") + ["answerable"]
    for k in order:
        if k in per_kind:
            lines.append(f"{k:<14} {per_kind[k].row()}")
    for k, v in (extra or {}).items():
        lines.append(f"{k}: {v:.3f}")
    return "\n".join(lines)


def report(questions: list[Question], results: list[dict]) -> str:
    """The retrieval and confidence figures; then, if they differ, those with headings counted."""
    per_kind = score_results(questions, results)
    out = format_report(per_kind, confidence_report(questions, results))
    headed = score_results(questions, results, headed=True)
    if "answerable" in headed and headed != per_kind:
        row = headed["answerable"].row()
        out += f"\n{'with headings':<14} {row}  (a passage's own heading counted as part of it)"
    return out
