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
from .notes import NoteError, parse_note

# 4: sentences under their heading; 5: each note's tags; 6: "U.S." ends no sentence;
# 7: Traditional text split into words as Simplified; 8: and embedded as Simplified, and
# full-width letters and digits read as ASCII; 9: English words as their Snowball stems;
# 10: a table's row embedded under its header row; 11: stems in English chunks only;
# 12: a Word document's tables as Markdown tables; 13: a chunk repeated inside the one before
# placed at its own occurrence (index.chunking._locate); 14: an ordered list's number ("2.")
# ends no sentence
FORMAT_VERSION = 14
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
    stale: list[str] = field(default_factory=list)  # notes changed or gone since the build


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
        manifest = open_sealed((gen / MANIFEST).read_bytes())
        _check_shape(manifest)
    except (OSError, ValueError) as exc:
        raise IndexCorrupt(f"{gen / MANIFEST}: unreadable ({exc})") from None
    return manifest


def _check_shape(manifest: dict) -> None:
    """The fields loading relies on, so a hand-edited manifest is 'damaged', not a KeyError."""
    notes, files = manifest.get("notes", []), manifest.get("files", {})
    if not isinstance(notes, list) or not all(
        isinstance(e, dict) and isinstance(e.get("path"), str) and isinstance(e.get("sha256"), str)
        for e in notes
    ):
        raise ValueError('"notes" is not a list of {"path", "sha256"}')
    if not isinstance(files, dict) or not all(isinstance(v, str) for v in files.values()):
        raise ValueError('"files" is not a map of file names to sha256')


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


def load_index(
    folder: str | os.PathLike, settings: IndexSettings | None = None, *, stale_ok: bool = False
) -> LoadedIndex:
    """Load and verify the live generation; raises IndexMissing/Corrupt/Stale.

    `stale_ok`: notes that changed or went since the build do not raise;
    they are listed in `LoadedIndex.stale` and only the chunks still word for
    word in the notes as they are now are kept (see `load_generation`).
    """
    folder = Path(folder)
    return load_generation(folder, live_generation(folder), settings, stale_ok=stale_ok)


def load_generation(
    folder: Path, gen: Path, settings: IndexSettings | None = None, *, stale_ok: bool = False
) -> LoadedIndex:
    """Load and verify one generation folder of `folder`."""
    manifest = read_generation_manifest(gen)
    if settings is not None:
        check_settings(manifest, settings)
    chunks, terms, faiss_index, sentences = _read_files(gen, manifest)
    notes: dict[str, str] = {}
    stale: list[str] = []
    for entry in manifest.get("notes", []):
        path = entry["path"]
        try:
            data = Path(path).read_bytes()
        except OSError:
            stale.append(f"note {path} is gone since the index was built")
        else:
            if sha256(data) != entry["sha256"]:
                stale.append(f"note {path} changed since the index was built")
            try:
                notes[path] = parse_note(data, path).text
            except NoteError:
                stale.append(f"note {path} cannot be read any more")
        if stale and not stale_ok:
            raise IndexStale(stale[0])
    if stale:
        chunks, terms, faiss_index = _verbatim_only(chunks, terms, faiss_index, notes)
    return LoadedIndex(folder, manifest, chunks, terms, faiss_index, notes, sentences, stale)


def _verbatim_only(chunks: list[Chunk], terms: list[list[str]], faiss_index, notes: dict):
    """The chunks still word for word at their offsets in the notes as they are now.

    A stale index served as it is would quote text the note no longer has;
    the rest of it still answers. FAISS rows follow the kept chunks.
    """
    keep = [i for i, c in enumerate(chunks) if notes.get(c.note, "")[c.start : c.end] == c.text]
    vecs = (
        faiss_index.reconstruct_n(0, faiss_index.ntotal)
        if faiss_index.ntotal
        else np.zeros((0, faiss_index.d), np.float32)
    )
    return [chunks[i] for i in keep], [terms[i] for i in keep], dense.build_dense(vecs[keep])


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
        chunks = [Chunk(**{k: r[k] for k in Chunk.__dataclass_fields__ if k in r}) for r in rows]
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
