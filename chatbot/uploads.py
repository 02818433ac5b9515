"""Notes added through the UI: checked, given a safe name, written only into the upload folder.

Only .md, .markdown and .txt, at most 5 MB, no binary; the name is reduced to
a plain base name, so nothing is ever written outside the folder. After
saving, the index is updated incrementally and the new note is answerable at
once. Leaves out: deleting notes from the UI.
"""

from __future__ import annotations

import os
import re
import threading
import unicodedata
import uuid
from pathlib import Path

from .engine import Engine

UPLOAD_SUFFIXES = (".md", ".markdown", ".txt")
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class UploadError(ValueError):
    """An upload that is refused (type, size, name); says why."""


def safe_name(name: str) -> str:
    """A safe base name for an uploaded note; raises UploadError for other types.

    >>> safe_name("../../evil.md")
    'evil.md'
    >>> safe_name("C:\\\\notes\\\\读书 笔记.MD")
    '读书_笔记.md'
    """
    base = re.split(r"[\\/]", unicodedata.normalize("NFC", str(name)))[-1]
    stem, dot, suffix = base.rpartition(".")
    suffix = f".{suffix.lower()}" if dot else ""
    if suffix not in UPLOAD_SUFFIXES:
        raise UploadError(f"{base or name!r}: only {', '.join(UPLOAD_SUFFIXES)} notes can be added")
    stem = re.sub(r"[^\w\-.]+", "_", stem).strip("._")[:100] or "note"
    return stem + suffix


def save_upload(src: str | os.PathLike, name: str, upload_dir: str | os.PathLike) -> Path:
    """Copy an uploaded file into `upload_dir` under a safe name; returns the new path.

    Refuses other types, files over MAX_UPLOAD_BYTES and binary files. The
    result is always directly inside `upload_dir`; the same name replaces the
    earlier upload (re-uploading an edited note updates it).
    """
    target_name = safe_name(name)
    size = os.path.getsize(src)
    if size > MAX_UPLOAD_BYTES:
        raise UploadError(f"{target_name}: {size / 2**20:.1f} MB, larger than the 5 MB limit")
    data = Path(src).read_bytes()
    if b"\x00" in data[:8192]:
        raise UploadError(f"{target_name}: not a text file")
    folder = Path(upload_dir).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / target_name
    if target.parent != folder:  # pragma: no cover - safe_name leaves no separators
        raise UploadError(f"{name!r}: not a plain file name")
    tmp = folder / f".{target_name}.{uuid.uuid4().hex}.part"
    tmp.write_bytes(data)
    os.replace(tmp, target)  # atomic: the indexer never reads half a note
    return target


def add_notes(
    engine: Engine, files: list | None, lock: threading.Lock
) -> tuple[list[str], list[str]]:
    """Save uploaded notes and re-index; returns (added names, refusals)."""
    added, refused = [], []
    with lock:  # one re-index at a time: each writes a whole index generation
        for f in files or []:
            path = getattr(f, "name", f)  # a path string, or a tempfile wrapper
            try:
                added.append(
                    save_upload(path, Path(str(path)).name, engine.settings.upload_dir).name
                )
            except (UploadError, OSError) as exc:
                refused.append(str(exc))
        if added:
            report = engine.reindex()
            refused += [e for e in report.errors if any(a in e for a in added)]
    return added, refused
