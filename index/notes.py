"""Read notes from disk: bytes → decoded text and front matter, within size limits.

A `Note` holds the decoded text of the whole file; every offset elsewhere in the
project is a character offset into `Note.text`, so `note.text[start:end]` is
always the exact quoted text. Decoding is `index.decoding` (UTF-8, GB18030,
UTF-16, binary refused), front matter is `index.front_matter` (YAML on a
budget), finding note files is `index.finding`. PDF, HTML and Word documents
are read as the text `index.extract` draws from them, and a note in an
Obsidian vault as the text Obsidian shows (`index.vault`): that text is the
note's text, and every limit applies to it too. `meta["tags"]` holds the
note's tags (`index.tags`), sorted, when it has any. What was guessed or
ignored on the way is in `Note.warnings`; a note that cannot be read, or is
over a limit, raises NoteError naming the file and the limit.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .decoding import BinaryData, TooManyLines, count_lines, decode
from .extract import ExtractError, extract, kind_of
from .finding import NOTE_SUFFIXES, FoundNotes, find_notes
from .front_matter import MAX_TITLE_CHARS, parse_front_matter, plain_text
from .tags import note_tags
from .vault import MARKDOWN_SUFFIXES, render, vault_root

__all__ = [
    "MAX_LINE_CHARS",
    "MAX_NOTE_BYTES",
    "MAX_NOTE_LINES",
    "NOTE_SUFFIXES",
    "FoundNotes",
    "Note",
    "NoteError",
    "decode_bytes",
    "find_notes",
    "parse_note",
    "read_note",
    "read_note_bytes",
]

MAX_NOTE_BYTES = 20 * 1024 * 1024  # a note larger than this is refused, not read
# Lines are cheap to read but each becomes at least one sentence to embed:
# 265,000 short lines asked for 286,000 embeddings, about two hours.
MAX_NOTE_LINES = 100_000
# A "line" longer than this is data (minified JS, base64, a dump), not prose:
# chunking and embedding it would take the better part of an hour.
MAX_LINE_CHARS = 200_000


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
    warnings: tuple[str, ...] = field(default=(), compare=False)  # each names the note


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode note bytes; returns (text, encoding).

    >>> decode_bytes("笔记".encode("gbk"))
    ('笔记', 'gb18030')
    """
    decoded = decode(data)
    return decoded.text, decoded.encoding


_HEADING_LINE = re.compile(r"^#{1,6}[ \t]+(.+)$", re.M)


def _first_heading(text: str) -> str | None:
    # rstrip, not a lazy `(.+?)[ \t#]*$`: that backtracks quadratically on "# # # … x".
    m = _HEADING_LINE.search(text)
    return (m.group(1).rstrip(" \t#").strip() or None) if m else None


def _size(n: int) -> str:
    return f"{n / 2**20:.1f} MB"


def _too_many_lines(path: str, lines: int) -> NoteError:
    return NoteError(
        f"{path}: {lines:,} lines, more than the limit of {MAX_NOTE_LINES:,} per note; "
        "split it into smaller notes. Not indexed"
    )


def _check_text(path: str, text: str) -> None:
    if (lines := count_lines(text)) > MAX_NOTE_LINES:
        raise _too_many_lines(path, lines)
    if len(text) > MAX_LINE_CHARS and max(map(len, text.split("\n"))) > MAX_LINE_CHARS:
        raise NoteError(
            f"{path}: has a line over {MAX_LINE_CHARS:,} characters; not a note, not indexed"
        )


def _document(data: bytes, path: str, kind: str) -> Note:
    """A PDF, HTML or Word document as a note of its extracted text."""
    try:
        doc = extract(kind, data)
    except ExtractError as exc:
        raise NoteError(f"{path}: {exc}; not indexed") from None
    # Compressed formats can hold far more text than their size: the same cap as a text note.
    if len(doc.text) > MAX_NOTE_BYTES:
        raise NoteError(
            f"{path}: {len(doc.text):,} characters of text, more than the limit of "
            f"{MAX_NOTE_BYTES:,}; not indexed"
        )
    text = doc.text.replace("\x00", "\ufffd")
    _check_text(path, text)
    title = plain_text(doc.title or _first_heading(text) or Path(path).stem, MAX_TITLE_CHARS)
    return Note(
        path=path,
        text=text,
        body_start=0,
        title=title or "note",
        meta=dict(doc.meta),
        sha256=hashlib.sha256(data).hexdigest(),
        encoding=kind,
        warnings=tuple(f"{path}: {w}" for w in doc.warnings),
    )


def parse_note(data: bytes, path: str) -> Note:
    """Decode and check a note's bytes; raises NoteError naming `path` and the limit."""
    if len(data) > MAX_NOTE_BYTES:
        raise NoteError(
            f"{path}: {_size(len(data))}, larger than the limit of {_size(MAX_NOTE_BYTES)}; "
            "not indexed"
        )
    if kind := kind_of(path):
        return _document(data, path, kind)
    try:
        decoded = decode(data, MAX_NOTE_LINES)
    except BinaryData as exc:
        raise NoteError(f"{path}: not a text file ({exc}); not indexed") from None
    except TooManyLines as exc:
        raise _too_many_lines(path, exc.lines) from None
    text = decoded.text
    _check_text(path, text)
    text = text.replace("\x00", "\ufffd")  # NUL breaks C tokenizers downstream
    fm = parse_front_matter(text)
    if str(path).lower().endswith(MARKDOWN_SUFFIXES) and vault_root(path) is not None:
        text = render(text, fm.body_start)
    meta = dict(fm.meta)
    tags = note_tags(meta.get("tags"), text[fm.body_start :])
    if tags or "tags" in meta:
        meta["tags"] = tags
    # The title is copied into every chunk's context: one short line, whatever its source.
    title = plain_text(
        fm.meta.get("title") or _first_heading(text[fm.body_start :]) or Path(path).stem,
        MAX_TITLE_CHARS,
    )
    return Note(
        path=path,
        text=text,
        body_start=fm.body_start,
        title=title or "note",
        meta=meta,
        sha256=hashlib.sha256(data).hexdigest(),
        encoding=decoded.encoding,
        warnings=tuple(f"{path}: {w}" for w in decoded.warnings + fm.warnings),
    )


def read_note_bytes(path: str | os.PathLike) -> bytes:
    """The bytes of a note, never more than MAX_NOTE_BYTES + 1 of them (NoteError beyond).

    Reads at most one byte past the limit, so a huge (or endless) file costs no memory.
    """
    p = Path(path)
    try:
        with p.open("rb") as fh:
            data = fh.read(MAX_NOTE_BYTES + 1)
    except FileNotFoundError:
        raise NoteError(f"{p}: no such note") from None
    except IsADirectoryError:
        raise NoteError(f"{p}: is a folder, not a note") from None
    if len(data) > MAX_NOTE_BYTES:
        raise NoteError(f"{p}: larger than the limit of {_size(MAX_NOTE_BYTES)}; not indexed")
    return data


def read_note(path: str | os.PathLike) -> Note:
    try:
        data = read_note_bytes(path)
    except OSError as exc:
        raise NoteError(f"{path}: cannot read note ({exc.strerror or exc})") from None
    return parse_note(data, str(path))
