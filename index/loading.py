"""Load an index generation and prove it whole: every file's sha256, the notes' too.

The manifest records the model, dimension, chunking settings, each note's
sha256 and each file's sha256, so a truncated or foreign file is detected on
load (IndexCorrupt), as is an index built another way or from notes that have
changed since (IndexStale).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import dense
from .chunking import DEFAULT_CHUNK_OVERLAP, DEFAULT_CHUNK_SIZE, Chunk
from .errors import IndexCorrupt, IndexMissing, IndexStale
from .generations import CURRENT, MANIFEST, current_generation, has_index, open_sealed
from .notes import parse_note

FORMAT_VERSION = 2
FILES = {"chunks.json", "dense.faiss", "sentences.npz"}


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


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def live_generation(folder: Path) -> Path:
    """The generation CURRENT names; raises IndexMissing or IndexCorrupt."""
    gen = current_generation(folder)
    if gen is not None:
        return gen
    if has_index(folder):
        what = "damaged" if os.path.lexists(folder / CURRENT) else "missing"
        raise IndexCorrupt(f"{folder / CURRENT}: {what} (it names no complete index)")
    raise IndexMissing(f"no index in {folder} (build one with: python -m chatbot index)")


def read_generation_manifest(gen: Path) -> dict:
    try:
        return open_sealed((gen / MANIFEST).read_bytes())
    except (OSError, ValueError) as exc:
        raise IndexCorrupt(f"{gen / MANIFEST}: unreadable ({exc})") from None


def read_manifest(folder: str | os.PathLike) -> dict:
    return read_generation_manifest(live_generation(Path(folder)))


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
    return load_generation(folder, live_generation(folder), settings)


def load_generation(folder: Path, gen: Path, settings: IndexSettings | None = None) -> LoadedIndex:
    """Load and verify one generation folder of `folder`."""
    manifest = read_generation_manifest(gen)
    if settings is not None:
        check_settings(manifest, settings)
    chunks, terms, faiss_index, sentences = _read_files(gen, manifest)
    notes = {}
    for entry in manifest.get("notes", []):
        try:
            data = Path(entry["path"]).read_bytes()
        except OSError:
            raise IndexStale(f"note {entry['path']} is gone since the index was built") from None
        if sha256(data) != entry["sha256"]:
            raise IndexStale(f"note {entry['path']} changed since the index was built")
        notes[entry["path"]] = parse_note(data, entry["path"]).text
    return LoadedIndex(folder, manifest, chunks, terms, faiss_index, notes, sentences)


def verify_generation(gen: Path) -> dict:
    """The manifest of a generation whose files are all present and whole; else IndexCorrupt."""
    manifest = read_generation_manifest(gen)
    _read_files(gen, manifest)
    return manifest


def _read_files(gen: Path, manifest: dict):
    blobs = {}
    for name, digest in (manifest.get("files") or {}).items():
        try:
            data = (gen / name).read_bytes()
        except OSError as exc:
            raise IndexCorrupt(f"{gen / name}: unreadable ({exc.strerror})") from None
        if sha256(data) != digest:
            raise IndexCorrupt(f"{gen / name}: damaged (checksum differs from the manifest)")
        blobs[name] = data
    if set(blobs) != FILES:
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
    return chunks, terms, faiss_index, sentences


def vectors_bytes(keys: list[str], vecs: np.ndarray) -> bytes:
    bio = io.BytesIO()
    np.savez(bio, keys=np.array(keys, dtype="U64"), vecs=np.asarray(vecs, np.float32))
    return bio.getvalue()


def _read_vectors(data: bytes) -> dict[str, np.ndarray]:
    with np.load(io.BytesIO(data), allow_pickle=False) as z:
        keys, vecs = z["keys"].tolist(), z["vecs"]
    if len(keys) != len(vecs):
        raise ValueError("sentence keys and vectors differ in number")
    return dict(zip(keys, vecs, strict=True))
