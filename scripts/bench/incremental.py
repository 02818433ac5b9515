"""3. Incremental re-index: 1,000 small synthetic notes, one edited; only its new
texts may be embedded, and where the rest of the time goes (cProfile).

`Engine.reindex()` is `build_index` + `load_index` + a new `Searcher`, as the
UI runs it after an upload. The real embedder's cache is filled by a first
build, so later runs time everything but embedding.
"""

from __future__ import annotations

import cProfile
import functools
import heapq
import os
import pstats
import random
import re
import shutil
import time
from pathlib import Path

from chatbot.config import Settings
from chatbot.engine import Engine
from index.chunking import chunk_note, embed_texts
from index.notes import parse_note
from index.store import IndexSettings

from .cmrc_trial import build_timed
from .common import ROOT, TimedEmbedder, ok, say, table


@functools.cache
def vocabulary(n: int = 3000) -> list[str]:
    """jieba's n most frequent Chinese words of two or more characters (deterministic)."""
    from index.lexical import _jieba

    freq = _jieba().dt.FREQ
    han = re.compile(r"[\u4e00-\u9fff]{2,}")
    words = (w for w, f in freq.items() if f > 0 and han.fullmatch(w))
    return heapq.nsmallest(n, words, key=lambda w: (-freq[w], w))


def synthetic_note(i: int, words: list[str], edit: int = 0) -> str:
    """A small Chinese-looking note: a heading and three sentences; `edit` changes one."""
    rng = random.Random(i)
    sents = ["".join(rng.choices(words, k=rng.randint(4, 8))) + "。" for _ in range(3)]
    if edit:
        sents[1] = "".join(random.Random(-i - 1000 * edit).choices(words, k=6)) + "。"
    return f"# 笔记{i:04d}\n\n" + "".join(sents) + "\n"


def note_texts(text: str, path: str, settings: IndexSettings) -> set[str]:
    chunks = chunk_note(
        parse_note(text.encode(), path), settings.chunk_size, settings.chunk_overlap
    )
    return set(embed_texts(chunks))


def top_functions(prof: cProfile.Profile, n: int = 15) -> list[dict]:
    """The n functions with the most cumulative time, project and library alike."""
    rows = []
    stdlib = os.path.dirname(os.__file__) + "/"
    for (file, line, func), (_cc, calls, own, cum, _callers) in pstats.Stats(prof).stats.items():
        where = file
        for base in (str(ROOT) + "/", "site-packages/", stdlib):
            if base in where:
                where = where.split(base, 1)[1]
        rows.append(
            {"function": f"{where}:{line}({func})", "calls": calls, "own_s": own, "cum_s": cum}
        )
    rows.sort(key=lambda r: -r["cum_s"])
    return [
        r for r in rows if not r["function"].startswith(("scripts/bench/", "~:0(<method 'disable"))
    ][:n]


def run(embedder, work: Path, n_notes: int = 1000) -> dict:
    """Re-index after editing one of `n_notes` notes; only its new texts must be embedded."""
    timed = embedder if isinstance(embedder, TimedEmbedder) else TimedEmbedder(embedder)
    notes_dir, index_dir = work / "notes", work / "index"
    words = vocabulary()
    notes_dir.mkdir(parents=True, exist_ok=True)
    for p in notes_dir.glob("*.md"):
        if int(p.stem[1:]) >= n_notes:
            p.unlink()
    paths = [notes_dir / f"n{i:04d}.md" for i in range(n_notes)]
    for i, p in enumerate(paths):
        p.write_text(synthetic_note(i, words), "utf-8")
    for gen in index_dir.glob("gen-*"):  # a full build each run; the cache stays warm
        shutil.rmtree(gen)
    settings = Settings(
        index_dir=index_dir, notes=(str(notes_dir),), upload_dir=work / "no-uploads"
    )
    engine = Engine(settings, embedder=timed, say=say)
    say(f"incremental: full build of {n_notes} notes …")
    out: dict = {"notes": n_notes, "full": build_timed(index_dir, str(notes_dir), timed)}
    engine.open()

    def reindex() -> dict:
        e0, n0 = timed.seconds, timed.texts
        t0 = time.perf_counter()
        r = engine.reindex()
        total = time.perf_counter() - t0
        emb = timed.seconds - e0
        return {
            "total_s": total,
            "build_s": r.seconds,
            "embed_s": emb,
            "texts_embedded": timed.texts - n0,
            "embedded": r.embedded,
            "reused_notes": r.reused_notes,
            "chunks": r.chunks,
            "total_minus_embed_s": total - emb,
            "build_minus_embed_s": r.seconds - emb,
        }

    say("incremental: re-index with nothing changed, then after editing one note …")
    out["unchanged"] = reindex()
    edited = n_notes // 2
    before = synthetic_note(edited, words)
    after = synthetic_note(edited, words, edit=1)
    isettings = engine.index_settings()
    out["expected_embedded"] = len(
        note_texts(after, str(paths[edited]), isettings)
        - note_texts(before, str(paths[edited]), isettings)
    )
    paths[edited].write_text(after, "utf-8")
    out["edit"] = reindex()
    # The same again under cProfile (another edit, so there is new text to embed).
    paths[edited].write_text(synthetic_note(edited, words, edit=2), "utf-8")
    prof = cProfile.Profile()
    prof.enable()
    out["profiled"] = reindex()
    prof.disable()
    out["profile"] = top_functions(prof)
    paths[edited].write_text(before, "utf-8")
    return out


def markdown(i: dict) -> list[str]:
    out = [
        "## 3. Incremental re-index",
        "",
        f"{i['notes']} synthetic notes (a heading and three sentences of common jieba words), "
        "real embedder with its cache filled by the first build. `Engine.reindex()` = "
        "`build_index` + `load_index` + a new `Searcher`, as the UI runs it after an upload.",
        "",
    ]
    f = i["full"]
    out += [
        f"Full build: {f['seconds']:.1f} s, {f['chunks']} chunks, {f['embedded']} texts embedded "
        f"(the first run embeds all {i['notes']} notes' texts; later runs find them in the cache).",
        "",
    ]
    rows = []
    for name, key in (
        ("nothing changed", "unchanged"),
        ("one note edited", "edit"),
        ("one note edited, under cProfile", "profiled"),
    ):
        s = i[key]
        rows.append(
            (
                name,
                s["total_s"],
                s["embed_s"],
                s["total_minus_embed_s"],
                s["build_minus_embed_s"],
                s["embedded"],
                s["reused_notes"],
            )
        )
    out += table(
        (
            "re-index",
            "total s",
            "embedding s",
            "total − embedding s",
            "build_index − embedding s",
            "texts embedded",
            "notes reused",
        ),
        rows,
    )
    ed = i["edit"]
    out += [
        f"Only the edited note's new texts were embedded: {ed['embedded']} (expected "
        f"{i['expected_embedded']}: its changed chunk and sentence) "
        f"{ok(ed['embedded'] == i['expected_embedded'], 1)}, and {ed['reused_notes']} of "
        f"{i['notes']} notes were reused {ok(ed['reused_notes'] == i['notes'] - 1, 1)}. "
        f"Re-index without embedding: {ed['total_minus_embed_s']:.2f} s, target ≤ 1 s "
        f"{ok(ed['total_minus_embed_s'], 1.0, higher=False)}.",
        "",
        "Where the time goes (cProfile of the profiled re-index, by cumulative time):",
        "",
    ]
    out += table(
        ("function", "calls", "own s", "cumulative s"),
        [(f"`{p['function']}`", p["calls"], p["own_s"], p["cum_s"]) for p in i["profile"]],
    )
    return out
