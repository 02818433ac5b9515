"""The printed comparison of `eval --compare`: a Markdown table of recipes, ratios, kinds.

The first run is notechat; each ratio is notechat's figure divided by the
recipe's (above 1: notechat finds more or, for time, takes longer).
"""

from __future__ import annotations

from .compare import CHUNK_OVERLAP, CHUNK_SIZE, TOP_K, RecipeRun
from .evaluate import metrics


def _ratio(a: float, b: float) -> str:
    if b == 0:
        return "—" if a == 0 else "∞"
    return f"{a / b:.3g}×"


def format_table(runs: list[RecipeRun]) -> str:
    """A Markdown table; ratio columns are notechat ÷ recipe (the first run is notechat)."""
    base = runs[0]
    bm = base.metrics
    head = ["recipe", "hit@1", "hit@5", "MRR@10", "ms/question"]
    head += [f"{h} ratio" for h in ("hit@1", "hit@5", "MRR@10", "ms")]
    lines = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    for r in runs:
        m = r.metrics
        cells = [r.name, f"{m.hit1:.3f}", f"{m.hit5:.3f}", f"{m.mrr10:.3f}"]
        cells.append(f"{r.ms_per_question:.1f}")
        if r is base:
            cells += [""] * 4
        else:
            cells += [
                _ratio(bm.hit1, m.hit1),
                _ratio(bm.hit5, m.hit5),
                _ratio(bm.mrr10, m.mrr10),
                _ratio(base.ms_per_question, r.ms_per_question),
            ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def format_kinds(runs: list[RecipeRun]) -> str:
    """hit@5 per question kind, one column a kind; empty when there is one kind."""
    kinds = list(dict.fromkeys(runs[0].kinds))
    if len(kinds) < 2:
        return ""
    counts = {k: runs[0].kinds.count(k) for k in kinds}
    lines = [
        "| hit@5 by kind | " + " | ".join(f"{k} (n={counts[k]})" for k in kinds) + " |",
        "|---|" + "---:|" * len(kinds),
    ]
    for r in runs:
        by_kind = {
            k: [x for x, kind in zip(r.ranks, r.kinds, strict=True) if kind == k] for k in kinds
        }
        cells = [f"{metrics(by_kind[k]).hit5:.3f}" for k in kinds]
        lines.append(f"| {r.name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def report(runs: list[RecipeRun], title: str) -> str:
    n = len(runs[0].ranks)
    builds = "; ".join(
        f"{r.name} {r.build_seconds:.1f} s for {r.chunks} chunks ({CHUNK_SIZE}/{CHUNK_OVERLAP})"
        for r in runs[1:]
        if r.chunks
    )
    parts = [
        f"compared on {n} answerable questions of {title}, top {TOP_K} passages each "
        f"(notechat: {runs[0].chunks} chunks in its index)",
        "",
        format_table(runs),
        "",
        "ratios are notechat ÷ recipe: above 1 notechat finds more (or, for ms, takes longer)",
        f"baseline index build (model already loaded): {builds}",
    ]
    if kinds := format_kinds(runs):
        parts += ["", kinds]
    return "\n".join(parts)
