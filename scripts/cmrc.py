"""Turn the CMRC 2018 trial set into a folder of notes and a question file.

Every article becomes one note, `<article id>.md`, headed by its title, with
its paragraphs as the body. Each question keeps its answers as evidence and
names its article's file in "note", so `python -m chatbot eval` scores a
passage as relevant only when it comes from that article.

Usage: python scripts/cmrc.py [CMRC.json] [OUT_DIR]
       (defaults: ../shared/eval/cmrc2018-trial.json, build/cmrc)
Writes OUT_DIR/notes/*.md and OUT_DIR/questions.jsonl.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = ROOT.parent / "shared" / "eval" / "cmrc2018-trial.json"
DEFAULT_OUT = ROOT / "build" / "cmrc"


def export(
    source: Path = DEFAULT_SOURCE, out: Path = DEFAULT_OUT, limit: int | None = None
) -> tuple[Path, Path]:
    """Write the notes and questions; `limit` keeps only the first articles (quick runs)."""
    data = json.loads(Path(source).read_text("utf-8"))["data"][:limit]
    notes = out / "notes"
    notes.mkdir(parents=True, exist_ok=True)
    rows = []
    for art in data:
        name = f"{art['id']}.md"
        body = "\n\n".join(p["context"].strip() for p in art["paragraphs"])
        text = f"# {art['title']}\n\n{body}\n"
        path = notes / name
        if not path.exists() or path.read_text("utf-8") != text:
            path.write_text(text, "utf-8")
        for p in art["paragraphs"]:
            for qa in p["qas"]:
                rows.append(
                    {
                        "id": qa["id"],
                        "kind": "cmrc",
                        "question": qa["question"],
                        "evidence": [a["text"] for a in qa["answers"]],
                        "note": name,
                    }
                )
    questions = out / "questions.jsonl"
    questions.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return notes, questions


if __name__ == "__main__":
    args = sys.argv[1:]
    notes, questions = export(
        Path(args[0]) if args else DEFAULT_SOURCE, Path(args[1]) if len(args) > 1 else DEFAULT_OUT
    )
    print(f"notes in {notes}, questions in {questions}")
