"""Read notes from disk: decode bytes, split off YAML front matter, find note files.

A `Note` holds the decoded text of the whole file; every offset elsewhere in the
project is a character offset into `Note.text`, so `note.text[start:end]` is
always the exact quoted text. Decoding: UTF-8 (a BOM is dropped), else GB18030
(a superset of GBK/GB2312) when the bytes are valid GB18030, else the best guess
of charset-normalizer. Leaves out: other front matter dialects (TOML `+++`).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

NOTE_SUFFIXES = (".md", ".markdown", ".txt")
MAX_NOTE_BYTES = 20 * 1024 * 1024  # a note larger than this is refused, not read
# A "line" longer than this is data (minified JS, base64, a dump), not prose:
# chunking and embedding it would take the better part of an hour.
MAX_LINE_CHARS = 200_000

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)(?:\r?\n)---[ \t]*(?:\r?\n|\Z)", re.S)


class NoteError(ValueError):
    """A note that cannot be read or decoded; the message names the file."""


@dataclass(frozen=True)
class Note:
    path: str  # as given by the user (relative paths stay relative)
    text: str  # the whole decoded file; offsets index into this
    body_start: int  # first character after the front matter
    title: str
    meta: dict = field(default_factory=dict, compare=False, hash=False)
    sha256: str = ""
    encoding: str = "utf-8"


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode note bytes; returns (text, encoding).

    >>> decode_bytes("笔记".encode("gbk"))
    ('笔记', 'gb18030')
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None and best.encoding:
        return str(best), best.encoding
    # Undecodable bytes become U+FFFD: the rest of the note stays searchable.
    return data.decode("utf-8", errors="replace"), "utf-8-replace"


def _front_matter(text: str) -> tuple[dict, int]:
    """Parse YAML front matter with python-frontmatter; (meta, body_start).

    Broken YAML is logged and ignored; the fenced block is still not body text.
    """
    m = _FRONT_MATTER.match(text)
    if not m:
        return {}, 0
    import frontmatter

    try:
        meta = frontmatter.loads(text[: m.end()]).metadata
    except Exception as exc:  # the YAML library raises many kinds
        log.warning("front matter is not valid YAML, ignored: %s", str(exc).splitlines()[0])
        meta = {}
    return (meta if isinstance(meta, dict) else {}), m.end()


def _first_heading(text: str) -> str | None:
    m = re.search(r"^#{1,6}[ \t]+(.+?)[ \t#]*$", text, re.M)
    return m.group(1).strip() if m else None


def parse_note(data: bytes, path: str) -> Note:
    text, encoding = decode_bytes(data)
    if len(text) > MAX_LINE_CHARS and max(map(len, text.split("\n"))) > MAX_LINE_CHARS:
        raise NoteError(
            f"{path}: has a line over {MAX_LINE_CHARS:,} characters; not a note, not indexed"
        )
    text = text.replace("\x00", "\ufffd")  # NUL breaks C tokenizers downstream
    meta, body_start = _front_matter(text)
    title = str(meta.get("title") or "") or _first_heading(text[body_start:]) or Path(path).stem
    return Note(
        path=path,
        text=text,
        body_start=body_start,
        title=title.strip(),
        meta=meta,
        sha256=hashlib.sha256(data).hexdigest(),
        encoding=encoding,
    )


def read_note(path: str | os.PathLike) -> Note:
    p = Path(path)
    try:
        if p.stat().st_size > MAX_NOTE_BYTES:
            raise NoteError(f"{p}: larger than {MAX_NOTE_BYTES // (1024 * 1024)} MB, not indexed")
        data = p.read_bytes()
    except FileNotFoundError:
        raise NoteError(f"{p}: no such note") from None
    except IsADirectoryError:
        raise NoteError(f"{p}: is a folder, not a note") from None
    except OSError as exc:
        raise NoteError(f"{p}: cannot read note ({exc.strerror or exc})") from None
    return parse_note(data, str(path))


@dataclass
class FoundNotes:
    files: list[str]
    skipped: int = 0  # hidden files, other types, links that loop
    missing: list[str] = field(default_factory=list)


def find_notes(paths: Iterable[str | os.PathLike]) -> FoundNotes:
    """Expand files and folders (recursively) into note files, sorted.

    Hidden files and folders, files of other types and symlinked folders that
    lead back into a folder already walked are skipped and counted.
    """
    found = FoundNotes(files=[])
    seen: set[str] = set()
    for raw in paths:
        p = Path(raw)
        if p.is_file():
            key = os.path.realpath(p)
            if key not in seen:
                seen.add(key)
                found.files.append(str(p))
            continue
        if not p.is_dir():
            found.missing.append(str(p))
            continue
        visited_dirs: set[str] = set()
        for root, dirs, files in os.walk(p, followlinks=True):
            real = os.path.realpath(root)
            if real in visited_dirs:  # symlink loop
                found.skipped += 1
                dirs[:] = []
                continue
            visited_dirs.add(real)
            hidden = [d for d in dirs if d.startswith(".")]
            found.skipped += len(hidden)
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                full = os.path.join(root, name)
                if name.startswith(".") or not name.lower().endswith(NOTE_SUFFIXES):
                    found.skipped += 1
                    continue
                key = os.path.realpath(full)
                if key in seen or not os.path.isfile(full):
                    found.skipped += 1
                    continue
                seen.add(key)
                found.files.append(full)
    return found
