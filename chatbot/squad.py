"""SQuAD-style files (SQuAD 1.1/2.0, CMRC 2018, DRCD) as notes and trust questions.

Each article becomes one note: "# title", then its paragraphs separated by
blank lines. Articles sorted by title are split in two: every other one is
indexed (positions 0, 2, 4, …), the rest withheld. Three kinds of questions:

- answerable: a question with answers, on an indexed article;
- off-notes: any question on a withheld article (the notes cannot answer it);
- adversarial: SQuAD 2.0's `is_impossible` questions on indexed articles
  (on topic, but the article does not say).

Leaves out: SQuAD's answer offsets (a quote is judged by its text, see
`quote_right`), and articles without a title (numbered instead).
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, replace
from pathlib import Path

from .evaluate import holds_evidence

KINDS = ("answerable", "off-notes", "adversarial")


class SquadFileError(ValueError):
    """A file that is not SQuAD-shaped; names the file and what is missing."""


@dataclass(frozen=True)
class SquadQuestion:
    id: str
    question: str
    answers: tuple[str, ...]
    impossible: bool
    note: str  # file name of the article's note


@dataclass(frozen=True)
class Article:
    title: str
    note: str  # file name of the note written for it
    text: str
    questions: tuple[SquadQuestion, ...]


def _note_name(i: int, title: str) -> str:
    slug = re.sub(r"[^\w\u3400-\u9fff-]+", "_", title).strip("_")[:60] or "article"
    return f"{i:04d}-{slug}.md"


def load_articles(path: str | Path) -> list[Article]:
    """Articles sorted by title, each with its note text and questions."""
    try:
        data = json.loads(Path(path).read_text("utf-8"))["data"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SquadFileError(f"{path}: not a SQuAD-style JSON file ({exc})") from None
    titled = [(str(a.get("title") or f"article {i}"), a) for i, a in enumerate(data)]
    raw = sorted((t for t in titled if isinstance(t[1], dict)), key=lambda t: t[0])
    out = []
    for i, (title, art) in enumerate(raw):
        note = _note_name(i, title)
        paras = [str(p.get("context", "")).strip() for p in art.get("paragraphs", [])]
        text = f"# {title}\n\n" + "\n\n".join(p for p in paras if p) + "\n"
        qs = []
        for p in art.get("paragraphs", []):
            for qa in p.get("qas", []):
                texts = (a["text"] for a in qa.get("answers", []) if a["text"])
                answers = tuple(dict.fromkeys(texts))
                impossible = bool(qa.get("is_impossible")) or not answers
                qs.append(
                    SquadQuestion(str(qa["id"]), str(qa["question"]), answers, impossible, note)
                )
        out.append(Article(title, note, text, tuple(qs)))
    return out


def split(articles: list[Article]) -> tuple[list[Article], list[Article]]:
    """(indexed, withheld): every other article by title."""
    return articles[0::2], articles[1::2]


def write_notes(articles: list[Article], folder: Path) -> Path:
    """Write each article as a note (unchanged files are left alone, so re-indexing is cheap)."""
    folder.mkdir(parents=True, exist_ok=True)
    keep = {a.note for a in articles}
    for p in folder.glob("*.md"):
        if p.name not in keep:
            p.unlink()
    for a in articles:
        p = folder / a.note
        if not p.exists() or p.read_text("utf-8") != a.text:
            p.write_text(a.text, "utf-8")
    return folder


def questions_by_kind(
    indexed: list[Article],
    withheld: list[Article],
    n: int | None,
    seed: int = 0,
    asked_as: dict[str, str] | None = None,
) -> dict[str, list[SquadQuestion]]:
    """Up to `n` questions of each kind (all when n is None), sampled with `seed`; with
    `asked_as` (id → the question as asked otherwise, say in English), only those, so asked."""
    pools = {
        "answerable": [q for a in indexed for q in a.questions if not q.impossible],
        "off-notes": [q for a in withheld for q in a.questions],
        "adversarial": [q for a in indexed for q in a.questions if q.impossible],
    }
    rng = random.Random(seed)
    out = {}
    for kind in KINDS:
        pool = pools[kind]
        if asked_as is not None:
            pool = [replace(q, question=asked_as[q.id]) for q in pool if q.id in asked_as]
        if n is not None and len(pool) > n:
            pool = rng.sample(pool, n)
        if pool:
            out[kind] = pool
    return out


def asked_as(path: str | Path) -> dict[str, str]:
    """Questions as asked another way, by the id of the file's question: JSON lines of
    {"id", "question"} (data/fit holds English CMRC and Chinese SQuAD questions)."""
    out = {}
    try:
        for no, line in enumerate(Path(path).read_text("utf-8").splitlines(), 1):
            if line.strip():
                d = json.loads(line)
                out[str(d["id"])] = str(d["question"])
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise SquadFileError(f"{path}: not JSON lines of id and question ({exc})") from None
    return out


def quote_right(result: dict, q: SquadQuestion) -> bool:
    """The first citation comes from the question's article and holds half an answer."""
    cites = result.get("citations") or []
    if not cites or not q.answers:
        return False
    first = cites[0]
    return Path(first["note"]).name == q.note and holds_evidence(first["quote"], q.answers)


def passage_rank(result: dict, q: SquadQuestion) -> int | None:
    for p in (result.get("passages") or [])[:10]:
        if Path(p["note"]).name == q.note and holds_evidence(p["text"], q.answers):
            return int(p["rank"])
    return None
