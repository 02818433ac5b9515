"""Build, save and load an index folder: chunks, FAISS vectors and a manifest.

Layout of an index folder::

    CURRENT            name of the live generation, swapped atomically
    gen-000007/        manifest.json, chunks.json, dense.faiss
    cache/             embedding cache (index.embed.EmbeddingCache)

A build writes a whole new generation, then replaces CURRENT: a reader (or a
build killed at any point) sees the old index or the new one, never a mix.
The manifest records the model, dimension, chunking settings, each note's
sha256 and each file's sha256, so a truncated or foreign file is detected on
load. Rebuilding reuses the chunks of unchanged notes and cached vectors of
unchanged text: only new or edited text is embedded.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from . import dense
from .atomic import atomic_write_bytes, atomic_write_text, clean_temp
from .chunking import DEFAULT_CHUNK_OVERLAP, DEFAULT_CHUNK_SIZE, Chunk, chunk_note
from .embed import Embedder, EmbeddingCache, text_key
from .finding import is_utf8_name
from .lexical import tokenize
from .notes import NoteError, find_notes, parse_note, read_note_bytes

log = logging.getLogger(__name__)

FORMAT_VERSION = 3  # 3: notes read under the limits and decoding of index.notes
_GEN = re.compile(r"^gen-(\d{6})$")


class IndexProblem(RuntimeError):
    """Base for index problems; the message says which folder and why."""


class IndexMissing(IndexProblem):
    pass


class IndexCorrupt(IndexProblem):
    pass


class IndexStale(IndexProblem):
    pass


@dataclass(frozen=True)
class IndexSettings:
    model_id: str
    dim: int
    chunk_size: int = DEFAULT_CHUNK_SIZE
    chunk_overlap: int = DEFAULT_CHUNK_OVERLAP
    approx_threshold: int = dense.APPROX_THRESHOLD


@dataclass
class LoadedIndex:
    folder: Path
    manifest: dict
    chunks: list[Chunk]
    terms: list[list[str]]
    faiss_index: object
    notes: dict[str, str]  # note path → full text, for verbatim checks
    sentences: dict[str, np.ndarray] = field(default_factory=dict)  # text hash → vector


@dataclass
class BuildReport:
    chunks: int = 0
    notes: int = 0
    embedded: int = 0  # texts that were not in the cache
    reused_notes: int = 0
    seconds: float = 0.0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # indexed anyway: what was guessed/ignored


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def current_generation(folder: Path) -> Path | None:
    try:
        name = (folder / "CURRENT").read_text("utf-8").strip()
    except OSError:
        return None
    return folder / name if _GEN.match(name) else None


def read_manifest(folder: str | os.PathLike) -> dict:
    folder = Path(folder)
    gen = current_generation(folder)
    if gen is None:
        raise IndexMissing(f"no index in {folder} (build one with: python -m chatbot index)")
    try:
        manifest = json.loads((gen / "manifest.json").read_text("utf-8"))
        if not isinstance(manifest, dict):
            raise ValueError("not an object")
    except (OSError, ValueError) as exc:
        raise IndexCorrupt(f"{gen / 'manifest.json'}: unreadable ({exc})") from None
    return manifest


def check_settings(manifest: dict, settings: IndexSettings) -> None:
    """Raise IndexStale when the index was built with other settings."""
    want = {
        "format_version": FORMAT_VERSION,
        "model_id": settings.model_id,
        "dim": settings.dim,
        "chunk_size": settings.chunk_size,
        "chunk_overlap": settings.chunk_overlap,
    }
    have = {k: manifest.get(k) for k in want}
    diff = [f"{k} {have[k]!r} → {v!r}" for k, v in want.items() if have[k] != v]
    if diff:
        raise IndexStale("index built with other settings: " + ", ".join(diff))


def load_index(folder: str | os.PathLike, settings: IndexSettings | None = None) -> LoadedIndex:
    """Load and verify the live generation; raises IndexMissing/Corrupt/Stale."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    gen = current_generation(folder)
    assert gen is not None
    if settings is not None:
        check_settings(manifest, settings)
    blobs = {}
    for name, digest in (manifest.get("files") or {}).items():
        try:
            data = (gen / name).read_bytes()
        except OSError as exc:
            raise IndexCorrupt(f"{gen / name}: unreadable ({exc.strerror})") from None
        if _sha(data) != digest:
            raise IndexCorrupt(f"{gen / name}: damaged (checksum differs from the manifest)")
        blobs[name] = data
    if set(blobs) != {"chunks.json", "dense.faiss", "sentences.npz"}:
        raise IndexCorrupt(f"{gen}: manifest does not list the index files")
    try:
        rows = json.loads(blobs["chunks.json"].decode("utf-8"))["chunks"]
        chunks = [Chunk(**{k: r[k] for k in Chunk.__dataclass_fields__}) for r in rows]
        terms = [list(r["terms"]) for r in rows]
        faiss_index = dense.from_bytes(blobs["dense.faiss"])
        sentences = _read_vectors(blobs["sentences.npz"])
    except Exception as exc:  # JSON, key and FAISS errors all mean the same here
        raise IndexCorrupt(f"{gen}: cannot load ({type(exc).__name__}: {exc})") from None
    if faiss_index.ntotal != len(chunks) or faiss_index.d != manifest.get("dim"):
        raise IndexCorrupt(f"{gen}: {faiss_index.ntotal} vectors for {len(chunks)} chunks")
    notes = {}
    for entry in manifest.get("notes", []):
        try:
            data = Path(entry["path"]).read_bytes()
        except OSError:
            raise IndexStale(f"note {entry['path']} is gone since the index was built") from None
        if _sha(data) != entry["sha256"]:
            raise IndexStale(f"note {entry['path']} changed since the index was built")
        try:
            notes[entry["path"]] = parse_note(data, entry["path"]).text
        except NoteError as exc:  # indexed under older rules (e.g. binary): rebuild
            raise IndexStale(str(exc)) from None
    return LoadedIndex(folder, manifest, chunks, terms, faiss_index, notes, sentences)


def _previous(
    folder: Path, settings: IndexSettings
) -> tuple[dict[str, list[tuple[Chunk, list[str]]]], dict]:
    """Chunks of the live generation by note sha256, if it was built the same way."""
    try:
        manifest = read_manifest(folder)
        check_settings(manifest, settings)
        gen = current_generation(folder)
        assert gen is not None
        rows = json.loads((gen / "chunks.json").read_text("utf-8"))["chunks"]
    except (IndexProblem, OSError, ValueError, KeyError, TypeError):
        return {}, {}
    by_path: dict[str, list[tuple[Chunk, list[str]]]] = {}
    for r in rows:
        try:
            c = Chunk(**{k: r[k] for k in Chunk.__dataclass_fields__})
        except (KeyError, TypeError):
            return {}, {}
        by_path.setdefault(c.note, []).append((c, list(r.get("terms", []))))
    shas = {e["path"]: e["sha256"] for e in manifest.get("notes", []) if "path" in e}
    return by_path, shas


def build_index(
    sources: Iterable[str | os.PathLike],
    folder: str | os.PathLike,
    embedder: Embedder,
    settings: IndexSettings,
    progress: Callable[[str, int, int], None] | None = None,
    follow_links: bool = False,
) -> BuildReport:
    """(Re)build the index of every note under `sources` into `folder`."""
    t0 = time.perf_counter()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    clean_temp(folder)
    report = BuildReport()
    found = find_notes(sources, follow_links)
    report.skipped = found.skipped
    report.errors.extend(found.errors)
    report.warnings.extend(found.warnings)
    report.errors.extend(f"{p}: no such file or folder" for p in found.missing)
    old_chunks, old_shas = _previous(folder, settings)

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
        sha = _sha(data)
        if old_shas.get(path) == sha and path in old_chunks:
            pairs = old_chunks[path]
            report.reused_notes += 1
        else:
            try:
                note = parse_note(data, path)
                new = chunk_note(note, settings.chunk_size, settings.chunk_overlap)
            except NoteError as exc:
                report.errors.append(str(exc))
                continue
            report.warnings.extend(note.warnings)
            pairs = [(c, tokenize(c.context)) for c in new]
        chunks.extend(c for c, _ in pairs)
        terms.extend(t for _, t in pairs)
        notes_meta.append({"path": path, "sha256": sha, "chunks": len(pairs)})
    report.notes, report.chunks = len(notes_meta), len(chunks)

    cache = EmbeddingCache(folder / "cache", settings.model_id, settings.dim)
    texts = [c.context for c in chunks]
    done = [0]
    before = len(cache)
    # Sentences and headings are embedded now so that answering a question
    # needs one embedding (the question's), not one per candidate sentence.
    quotables = list(dict.fromkeys(q for c in chunks for q in c.quotables()))
    total = len(texts) + len(quotables)

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
        "sentences.npz": _vectors_bytes([text_key(q) for q in quotables], sentence_vecs),
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
        "files": {name: _sha(b) for name, b in blobs.items()},
    }
    _commit_generation(folder, blobs, manifest)
    cache.save(keep={text_key(t) for t in texts + quotables})
    report.seconds = time.perf_counter() - t0
    return report


def _vectors_bytes(keys: list[str], vecs: np.ndarray) -> bytes:
    import io

    bio = io.BytesIO()
    np.savez(bio, keys=np.array(keys, dtype="U64"), vecs=np.asarray(vecs, np.float32))
    return bio.getvalue()


def _read_vectors(data: bytes) -> dict[str, np.ndarray]:
    import io

    with np.load(io.BytesIO(data), allow_pickle=False) as z:
        keys, vecs = z["keys"].tolist(), z["vecs"]
    if len(keys) != len(vecs):
        raise ValueError("sentence keys and vectors differ in number")
    return dict(zip(keys, vecs, strict=True))


def _commit_generation(folder: Path, blobs: dict[str, bytes], manifest: dict) -> None:
    gens = sorted(int(m.group(1)) for p in folder.iterdir() if (m := _GEN.match(p.name)))
    name = f"gen-{(gens[-1] + 1 if gens else 1):06d}"
    gen = folder / name
    gen.mkdir()
    try:
        for fname, data in blobs.items():
            atomic_write_bytes(gen / fname, data)
        atomic_write_text(gen / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
        _fsync_dir(gen)
        atomic_write_text(folder / "CURRENT", name + "\n")  # the switch: old or new, never half
    except BaseException:
        shutil.rmtree(
            gen, ignore_errors=True
        )  # give the space back; CURRENT still names the old one
        raise
    _fsync_dir(folder)
    for p in folder.iterdir():  # older generations and leftovers of killed builds
        if _GEN.match(p.name) and p.name != name:
            shutil.rmtree(p, ignore_errors=True)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
