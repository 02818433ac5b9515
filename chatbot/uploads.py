"""Notes added through the UI: checked, given a safe name, written only into the upload folder.

Only the types `index` reads (.md, .markdown, .txt, .pdf, .html, .htm, .docx),
at most 5 MB, text or a readable document (binary and broken files refused),
within the build's limits on lines and texts per note; the name is reduced to a plain base
name, so nothing is ever written outside the folder, and a name that had to be
changed carries a short hash of the original, so two different names never
collapse into one file. Every check and the embedding of the note's text
happen before the upload lock is taken: the lock is held only to put the
vectors into the cache, write the file and run the (now quick) re-index, so a
small upload is never stuck behind the embedding of a big one. Leaves out:
deleting notes from the UI.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
import unicodedata
import uuid
from pathlib import Path
from typing import NamedTuple

from index import NoteError
from index.notes import NOTE_SUFFIXES, parse_note
from index.prepare import PreparedNote, commit_vectors, prepare_note

from .engine import Engine

UPLOAD_SUFFIXES = NOTE_SUFFIXES
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# Uploads prepared (checked and embedded) at once; the lock serialises only the quick part.
UPLOAD_CONCURRENCY = 4


class UploadError(ValueError):
    """An upload that is refused (type, size, name); says why."""


class Added(NamedTuple):
    added: list[str]  # names now in the index
    refused: list[str]  # why each refused file was refused
    notices: list[str]  # added, with something worth knowing (front matter ignored, …)


def safe_name(name: str) -> str:
    """A safe base name for an uploaded note; raises UploadError for other types.

    A stem that had to change gets 8 hex digits of the original name, so two
    names that sanitise alike ("读书:笔记", "读书?笔记") stay two notes, and
    re-uploading the same name still replaces the earlier copy.

    >>> safe_name("../../evil.md")
    'evil.md'
    >>> safe_name("C:\\\\notes\\\\读书 笔记.MD"), safe_name("读书:笔记.md")
    ('读书 笔记.md', '读书_笔记-5e7660c8.md')
    """
    base = re.split(r"[\\/]", unicodedata.normalize("NFC", str(name)))[-1]
    stem, dot, suffix = base.rpartition(".")
    suffix = f".{suffix.lower()}" if dot else ""
    if suffix not in UPLOAD_SUFFIXES:
        raise UploadError(f"{base or name!r}: only {', '.join(UPLOAD_SUFFIXES)} notes can be added")
    safe = re.sub(r"[^\w\-. ]+", "_", stem).strip("._ ")[:100] or "note"
    if safe != stem:
        safe += "-" + hashlib.sha256(stem.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return safe + suffix


def _read_upload(src: str | os.PathLike, target_name: str) -> bytes:
    size = os.path.getsize(src)
    if size > MAX_UPLOAD_BYTES:
        raise UploadError(f"{target_name}: {size / 2**20:.1f} MB, larger than the 5 MB limit")
    with open(src, "rb") as fh:
        data = fh.read(MAX_UPLOAD_BYTES + 1)  # the file may have grown since
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadError(f"{target_name}: larger than the 5 MB limit")
    return data


def _write(folder: Path, name: str, data: bytes) -> Path:
    target = folder / name
    if target.parent != folder:  # pragma: no cover - safe_name leaves no separators
        raise UploadError(f"{name!r}: not a plain file name")
    tmp = folder / f".{name}.{uuid.uuid4().hex}.part"
    tmp.write_bytes(data)
    os.replace(tmp, target)  # atomic: the indexer never reads half a note
    return target


def prepare_upload(engine: Engine, src: str | os.PathLike, name: str) -> PreparedNote:
    """Check an upload like the build would and embed its text; writes nothing but the cache's RAM.

    Raises UploadError (type, size) or NoteError (binary, lines, texts) with the note's name.
    """
    target_name = safe_name(name)
    data = _read_upload(src, target_name)
    folder = Path(engine.settings.upload_dir).resolve()
    try:
        return prepare_note(
            data,
            str(folder / target_name),
            engine.settings.index_dir,
            engine.embedder,
            engine.index_settings(),
        )
    except NoteError as exc:  # name the note as the user called it, not by server path
        raise UploadError(str(exc).replace(str(folder / target_name), target_name)) from None


def save_upload(src: str | os.PathLike, name: str, upload_dir: str | os.PathLike) -> Path:
    """Copy an uploaded file into `upload_dir` under a safe name; returns the new path.

    Refuses other types, files over MAX_UPLOAD_BYTES, binary files and notes
    over the line limit; the result is always directly inside `upload_dir`.
    (`add_notes` also checks the texts per note, with the index's chunking.)
    """
    target_name = safe_name(name)
    data = _read_upload(src, target_name)
    try:
        parse_note(data, target_name)
    except NoteError as exc:
        raise UploadError(str(exc)) from None
    folder = Path(upload_dir).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    return _write(folder, target_name, data)


def add_notes(engine: Engine, files: list | None, lock: threading.Lock) -> Added:
    """Check, embed, save and index uploaded notes; returns (added, refused, notices)."""
    refused: list[str] = []
    prepared: list[PreparedNote] = []
    for f in files or []:
        path = getattr(f, "name", f)  # a path string, or a tempfile wrapper
        try:
            prepared.append(prepare_upload(engine, path, Path(str(path)).name))
        except (UploadError, OSError) as exc:
            refused.append(str(exc))
    if not prepared:
        return Added([], refused, [])
    folder = Path(engine.settings.upload_dir).resolve()
    settings = engine.index_settings()
    with lock:  # one re-index at a time: each writes a whole index generation
        for p in prepared:
            commit_vectors(engine.settings.index_dir, settings, p.vectors)
        folder.mkdir(parents=True, exist_ok=True)
        paths = [_write(folder, Path(p.note.path).name, p.data) for p in prepared]
        report = engine.reindex()
    names = [p.name for p in paths]
    refused += [e for e in report.errors if any(n in e for n in names)]
    notices = [w.replace(str(folder) + os.sep, "") for p in prepared for w in p.note.warnings]
    return Added([n for n in names if not any(n in e for e in refused)], refused, notices)
