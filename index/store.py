"""Build an index folder: notes → chunks → vectors → a new generation made live.

Rebuilding reuses the chunks of unchanged notes and cached vectors of
unchanged text: only new or edited text is embedded. The folder's layout and
the switch to the new generation are `index.generations`; loading and
verifying is `index.loading` (its names are re-exported here).
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import dense
from .atomic import clean_temp
from .cache import EmbeddingCache, model_key, text_key
from .chunking import Chunk, chunk_note, embed_texts
from .embed import Embedder
from .errors import (  # noqa: F401 - re-exported
    IndexCorrupt,
    IndexMissing,
    IndexProblem,
    IndexStale,
    NothingToIndex,
)
from .finding import is_utf8_name
from .generations import (  # noqa: F401 - current_generation re-exported
    commit_generation,
    current_generation,
    write_sources,
)
from .hans import language_of
from .lexical import index_terms
from .loading import (  # noqa: F401 - re-exported
    FORMAT_VERSION,
    IndexSettings,
    LoadedIndex,
    check_settings,
    live_generation,
    load_index,
    read_generation_manifest,
    read_manifest,
    sha256,
    vectors_bytes,
)
from .lock import build_lock
from .notes import NoteError, find_notes, parse_note, read_note_bytes
from .scope import note_tags

log = logging.getLogger(__name__)


@dataclass
class BuildReport:
    chunks: int = 0
    notes: int = 0
    embedded: int = 0  # texts that were not in the cache
    reused_notes: int = 0
    seconds: float = 0.0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)  # notes that could not be indexed
    warnings: list[str] = field(default_factory=list)  # the index is complete, but…


def _previous(
    folder: Path, settings: IndexSettings
) -> tuple[dict[str, list[tuple[Chunk, list[str]]]], dict]:
    """The live generation's chunks and manifest entries by note path, if built the same way."""
    try:
        gen = live_generation(folder)
        manifest = read_generation_manifest(gen)
        check_settings(manifest, settings)
        rows = json.loads((gen / "chunks.json").read_text("utf-8"))["chunks"]
    except (IndexProblem, OSError, ValueError, KeyError, TypeError):
        return {}, {}
    by_path: dict[str, list[tuple[Chunk, list[str]]]] = {}
    for r in rows:
        try:
            c = Chunk(**{k: r[k] for k in Chunk.__dataclass_fields__ if k in r})
        except (KeyError, TypeError):
            return {}, {}
        by_path.setdefault(c.note, []).append((c, list(r.get("terms", []))))
    entries = {e["path"]: e for e in manifest.get("notes", []) if "path" in e}
    return by_path, entries


def build_index(
    sources: Iterable[str | os.PathLike],
    folder: str | os.PathLike,
    embedder: Embedder,
    settings: IndexSettings,
    progress: Callable[[str, int, int], None] | None = None,
    follow_links: bool = False,
    *,
    wait: Callable[[str], None] | None = None,
) -> BuildReport:
    """(Re)build the index of every note under `sources` into `folder`.

    One build at a time per folder (index.lock): when another holds it this
    raises IndexBusy, or with `wait` given, says so through it and waits.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        with build_lock(folder, wait):
            return _build(
                [os.fspath(s) for s in sources], folder, embedder, settings, progress, follow_links
            )
    except OSError as exc:
        if not exc.filename:  # e.g. a full disk: say where
            exc.filename = str(folder)
        raise


def _build(
    sources: list[str],
    folder: Path,
    embedder: Embedder,
    settings: IndexSettings,
    progress: Callable[[str, int, int], None] | None,
    follow_links: bool = False,
) -> BuildReport:
    t0 = time.perf_counter()
    for place in (folder, folder / "cache"):  # what killed builds left half written
        clean_temp(place)
    report = BuildReport()
    found = find_notes(sources, follow_links)
    report.skipped = found.skipped
    report.errors.extend(found.errors)
    report.warnings.extend(found.warnings)
    report.errors.extend(f"{p}: no such file or folder" for p in found.missing)
    old_chunks, old_notes = _previous(folder, settings)

    chunks: list[Chunk] = []
    terms: list[list[str]] = []
    notes_meta = []
    # Absolute paths: the index must load the same from any working folder.
    for path in (os.path.abspath(f) for f in found.files):
        try:
            data = read_note_bytes(path)
        except NoteError as exc:
            report.errors.append(str(exc))
            continue
        except OSError as exc:
            report.errors.append(f"{path}: cannot read ({exc.strerror})")
            continue
        sha = sha256(data)
        old = old_notes.get(path, {})
        if old.get("sha256") == sha and path in old_chunks:
            pairs, tags = old_chunks[path], old.get("tags", [])
            report.reused_notes += 1
        else:
            try:
                note = parse_note(data, path)
                new = chunk_note(note, settings.chunk_size, settings.chunk_overlap)
            except NoteError as exc:
                report.errors.append(str(exc))
                continue
            report.warnings.extend(note.warnings)
            pairs = [(c, index_terms(c.context, language_of(c.text) == "en")) for c in new]
            tags = note_tags(note.meta)
        chunks.extend(c for c, _ in pairs)
        terms.extend(t for _, t in pairs)
        notes_meta.append({"path": path, "sha256": sha, "chunks": len(pairs), "tags": tags})
    report.notes, report.chunks = len(notes_meta), len(chunks)
    if not notes_meta:  # an empty index would replace the user's without a word
        why = f" ({report.errors[0]})" if report.errors else ""
        raise NothingToIndex(
            f"no notes found in {', '.join(map(str, sources))}{why}; "
            f"the index in {folder} is left as it was"
        )

    cache = EmbeddingCache(folder / "cache", settings.model_id, settings.dim)
    if cache.problem:
        report.warnings.append(cache.problem)
    texts = [c.context for c in chunks]
    done = [0]
    before = len(cache)
    # Sentences and headings are embedded now so that answering a question
    # needs one embedding (the question's), not one per candidate sentence.
    quotables = embed_texts(chunks)[len(chunks) :]  # the same texts an upload prepares
    total = cache.missing(texts + quotables)  # what progress counts: texts embedded, not reused

    def step(n: int) -> None:
        done[0] += n
        if progress:
            progress("embed", done[0], total)

    vectors = cache.embed(texts, embedder, progress=step)
    sentence_vecs = cache.embed(quotables, embedder, progress=step)
    report.embedded = len(cache) - before
    cache.save()  # vectors survive even if writing the index below fails

    index = dense.build_dense(vectors, settings.approx_threshold)
    chunk_rows = [dict(asdict(c), terms=t) for c, t in zip(chunks, terms, strict=True)]
    blobs = {
        "chunks.json": json.dumps({"chunks": chunk_rows}, ensure_ascii=False).encode("utf-8"),
        "dense.faiss": dense.to_bytes(index),
        "sentences.npz": vectors_bytes([text_key(q) for q in quotables], sentence_vecs),
    }
    manifest = {
        "format_version": FORMAT_VERSION,
        "model_id": settings.model_id,
        "dim": settings.dim,
        "chunk_size": settings.chunk_size,
        "chunk_overlap": settings.chunk_overlap,
        "dense_index": dense.kind(index),
        "sources": [os.path.abspath(s) for s in sources if is_utf8_name(os.fspath(s))],
        "notes": notes_meta,
        "chunk_count": len(chunks),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "files": {name: sha256(b) for name, b in blobs.items()},
    }
    # Recorded outside the generation: if a generation is damaged, the index
    # can still be rebuilt from the notes it was made of, and from no others.
    write_sources(folder, manifest["sources"])
    # From here on the new index is live: what fails is a warning, not an error.
    report.warnings.extend(commit_generation(folder, blobs, manifest))
    try:
        cache.save(keep={model_key(t) for t in texts + quotables})
    except OSError as exc:
        report.warnings.append(
            f"{exc.filename or cache.path}: could not prune the embedding cache ({exc.strerror})"
        )
    report.seconds = time.perf_counter() - t0
    return report
