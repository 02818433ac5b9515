"""Measure retrieval for chunk sizes and fusion weights (dev questions, CMRC trial).

Usage: python scripts/tune.py [--cmrc] [--sizes 150/30,200/40] [--weights 0.3,0.5]
Prints hit@1/hit@5/MRR@10 for each setting; used to pick the defaults.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chatbot.compare import row_passages, top_rows  # noqa: E402
from chatbot.evaluate import Question, first_relevant_rank, load_questions, metrics  # noqa: E402
from index import IndexSettings, Searcher, build_index, load_embedder, load_index  # noqa: E402
from index.search import fuse  # noqa: E402

SHARED = ROOT.parent / "shared"
KNOWN = True


def cmrc_corpus(out: Path, limit: int | None = None) -> list[Question]:
    data = json.loads((SHARED / "eval" / "cmrc2018-trial.json").read_text("utf-8"))["data"]
    qs = []
    out.mkdir(parents=True, exist_ok=True)
    for art in data[:limit]:
        fname = f"{art['id']}.md"
        text = f"# {art['title']}\n\n" + "\n\n".join(p["context"] for p in art["paragraphs"]) + "\n"
        (out / fname).write_text(text, "utf-8")
        for p in art["paragraphs"]:
            for qa in p["qas"]:
                ev = tuple(a["text"] for a in qa["answers"])
                qs.append(Question(qa["id"], qa["question"], "cmrc", ev, (), fname))
    return qs


def run(qs, searcher, weights):
    rows = {}
    for w in weights:
        ranks = []
        for q in qs:
            s = searcher.score(q.question, vecs[q.id])
            f = fuse(s.lexical, s.dense, w, s.known if KNOWN else 1.0)
            found = [int(s.rows[j]) for j in top_rows(f)]
            ranks.append(first_relevant_rank(row_passages(searcher, found), q))
        rows[w] = ranks
    return rows


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--cmrc", action="store_true")
    ap.add_argument("--limit", type=int)
    ap.add_argument("--sizes", default="200/40")
    ap.add_argument("--weights", default="0,0.3,0.4,0.5,0.6,0.7,1")
    a = ap.parse_args()
    emb = load_embedder()
    tmp = Path(tempfile.mkdtemp())
    if a.cmrc:
        qs = cmrc_corpus(tmp / "notes", a.limit)
        src = [tmp / "notes"]
    else:
        qs = [q for q in load_questions(SHARED / "eval" / "dev-questions.jsonl") if q.evidence]
        src = [ROOT / "data" / "notes"]
    vecs = {q.id: emb.embed_query(q.question) for q in qs}
    for sz in a.sizes.split(","):
        size, ov = map(int, sz.split("/"))
        st = IndexSettings(emb.model_id, emb.dim, size, ov)
        ix = ROOT / "build" / ("tune-cmrc" if a.cmrc else "tune-dev")
        rep = build_index(src, ix, emb, st)
        s = Searcher(load_index(ix), emb)
        for w, ranks in run(qs, s, [float(x) for x in a.weights.split(",")]).items():
            kinds = {}
            for q, r in zip(qs, ranks):
                kinds.setdefault(q.kind, []).append(r)
            per = " ".join(f"{k}:{metrics(v).hit5:.2f}" for k, v in kinds.items())
            print(
                f"{size}/{ov} chunks={rep.chunks} w={w:.2f} {metrics(ranks).row()}  hit5 {per}",
                flush=True,
            )
