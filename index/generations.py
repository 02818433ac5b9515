"""An index folder on disk, and the one step that makes a build live.

Layout::

    CURRENT          name of the live generation ("gen-000007"), replaced atomically
    gen-000007/      manifest.json, chunks.json, dense.faiss, sentences.npz
    sources.json     the notes the index was last built from, kept outside the
                     generations so that damage to one cannot lose the list
    LOCK             held by the build that is writing the folder (index.lock)
    cache/           embedding cache (index.cache)

A build writes a whole new generation, then replaces CURRENT: a reader, or a
build killed at any point, sees the old generation or the new one, never a mix.
What killed builds leave behind (temp files, generations never made live) is
removed by the next build. The manifest and sources.json carry a sha256 of
their own content, so a flipped bit is detected, not believed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
from pathlib import Path

from .atomic import atomic_write_bytes

log = logging.getLogger(__name__)

CURRENT = "CURRENT"
SOURCES = "sources.json"
MANIFEST = "manifest.json"
_GEN = re.compile(r"^gen-(\d{6})$")


def current_generation(folder: str | os.PathLike) -> Path | None:
    """The folder CURRENT names, or None when CURRENT is missing or not a generation name."""
    folder = Path(folder)
    try:
        name = (folder / CURRENT).read_bytes().decode("ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return folder / name if _GEN.match(name) else None


def generations(folder: str | os.PathLike) -> list[Path]:
    """Every generation folder, newest first (complete or not)."""
    try:
        found = [p for p in Path(folder).iterdir() if _GEN.match(p.name) and p.is_dir()]
    except OSError:
        return []
    return sorted(found, key=lambda p: p.name, reverse=True)


def has_index(folder: str | os.PathLike) -> bool:
    """Was an index ever built here? (Then it is never silently replaced by a fresh one.)"""
    folder = Path(folder)
    return (
        os.path.lexists(folder / CURRENT)
        or os.path.lexists(folder / SOURCES)
        or bool(generations(folder))
    )


def _digest(body: dict) -> str:
    # ASCII JSON with sorted keys: the same bytes for the same content on any
    # machine, and any file name (even one that is not UTF-8) can be encoded.
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode("ascii")).hexdigest()


def sealed_json(body: dict) -> bytes:
    """JSON of `body` with a checksum of its content, for `open_sealed` to verify.

    >>> open_sealed(sealed_json({"a": 1}))
    {'a': 1}
    """
    return json.dumps({**body, "checksum": _digest(body)}, indent=1).encode("ascii")


def open_sealed(data: bytes) -> dict:
    """Parse what `sealed_json` wrote; raises ValueError when it is damaged.

    A file written before checksums existed (no "checksum" key) is accepted.
    """
    body = json.loads(data.decode("utf-8"))
    if not isinstance(body, dict):
        raise ValueError("not a JSON object")
    checksum = body.pop("checksum", None)
    if checksum is not None and checksum != _digest(body):
        raise ValueError("its checksum differs from its content")
    return body


def read_sources(folder: str | os.PathLike) -> list[str] | None:
    """The notes recorded in sources.json, or None when it is missing or damaged."""
    path = Path(folder) / SOURCES
    try:
        sources = open_sealed(path.read_bytes())["sources"]
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError) as exc:
        log.info("%s unreadable: %s", path, exc)
        return None
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        return None
    return sources or None


def write_sources(folder: Path, sources: list[str]) -> None:
    atomic_write_bytes(folder / SOURCES, sealed_json({"sources": sources}))


def switch_current(folder: Path, name: str) -> None:
    """Make generation `name` the live one: one atomic rename, so old or new, never half."""
    atomic_write_bytes(folder / CURRENT, f"{name}\n".encode("ascii"))
    fsync_dir(folder)


def commit_generation(folder: Path, blobs: dict[str, bytes], manifest: dict) -> list[str]:
    """Write a new generation, make it live and remove the older ones.

    Raises OSError only while the new generation is not yet live (CURRENT
    still names the old one, which is untouched). What fails after the switch
    is returned as warnings: the new index is complete and in use.
    """
    numbers = [int(p.name[4:]) for p in generations(folder)]
    name = f"gen-{max(numbers, default=0) + 1:06d}"
    gen = folder / name
    gen.mkdir()
    try:
        for fname, data in blobs.items():
            atomic_write_bytes(gen / fname, data)
        atomic_write_bytes(gen / MANIFEST, sealed_json(manifest))
        fsync_dir(gen)
        atomic_write_bytes(folder / CURRENT, f"{name}\n".encode("ascii"))
    except BaseException:
        shutil.rmtree(gen, ignore_errors=True)  # give the space back
        raise
    warnings = []
    try:
        fsync_dir(folder)
    except OSError as exc:
        warnings.append(f"{folder}: could not sync the folder ({exc.strerror})")
    for old in generations(folder):  # older generations and leftovers of killed builds
        if old.name != name:
            try:
                remove_generation(old)
            except OSError as exc:
                warnings.append(f"{old}: could not remove the old index ({exc.strerror})")
    return warnings


def remove_generation(gen: Path) -> None:
    shutil.rmtree(gen)


def fsync_dir(path: Path) -> None:
    """Make a rename in `path` durable (a no-op where folders cannot be opened)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
