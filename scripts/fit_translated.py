"""The shared questions asked in the other language (data/fit/README.md), for
scripts/fit_confidence.py: an English question of a CMRC article, a Chinese one of a SQuAD
article, with the original's article, answers and kind.
"""

from __future__ import annotations

from pathlib import Path

TRANSLATED = Path(__file__).resolve().parents[1] / "data" / "fit"


def translated(stem: str) -> dict[str, list[tuple[str, str]]]:
    """Questions of the corpus `stem` as asked in the other language, by question id:
    (language, question), from data/fit/<stem>.<language>.jsonl (data/fit/README.md)."""
    from chatbot.squad import asked_as

    out: dict[str, list[tuple[str, str]]] = {}
    for path in sorted(TRANSLATED.glob(f"{stem}.*.jsonl")):
        lang = path.name.split(".")[-2]
        for qid, question in asked_as(path).items():
            out.setdefault(qid, []).append((lang, question))
    return out


def translated_record(r: dict) -> bool:
    """Asked in the other language (corpus "cmrc2018-trial-en"). Such questions teach the
    ranker and the picker which sentence to quote. The judges, the thresholds and the floor
    leave them out: with them in, same-language answers lost, and no threshold across
    languages reached the target precision (docs/results.md, 2026-12-08)."""
    return r["corpus"].rsplit("-", 1)[-1] in ("en", "zh")
