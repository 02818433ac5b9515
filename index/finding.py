"""Find the note files under the folders and files a user names.

Folders are walked recursively, in sorted order. Skipped and counted: hidden
files and folders, files of other types, folder links that lead back into a
folder already walked (loops), and — unless `follow_links` is set — any link
whose target lies outside the folders being indexed (`passwd.md → /etc/passwd`,
a folder link to `/`): a notes folder must not become a way to quote the rest
of the disk. Links that stay inside the folders are followed. A file or folder
name that is not valid UTF-8 (e.g. GBK names from an unzipped archive) is not
indexed and is reported with a readable form of its name: such a name cannot
be written into the index, shown in the browser or printed. In an Obsidian
vault its templates folder is skipped too (`.obsidian/` and `.trash/` are
hidden folders already; see index.vault). Leaves out: hard links
(indistinguishable from the file itself).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .extract import EXTRACTED_SUFFIXES
from .vault import MARKER, templates_folder, vault_root

NOTE_SUFFIXES = (".md", ".markdown", ".txt") + EXTRACTED_SUFFIXES
RENAME_HINT = "rename it to UTF-8 (e.g. convmv -f gbk -t utf-8 -r --notest FOLDER)"


@dataclass
class FoundNotes:
    files: list[str]
    skipped: int = 0  # hidden files, other types, links that loop or lead outside
    missing: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # files not indexed, with why
    warnings: list[str] = field(default_factory=list)
    outside_links: list[tuple[str, str]] = field(default_factory=list)  # (link, target)


def is_utf8_name(path: str) -> bool:
    """False when `path` holds bytes that are not UTF-8 (Python keeps them as surrogates)."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def display_name(path: str) -> str:
    """A printable form of a path whose bytes are not UTF-8, with its name read as GBK if it can be.

    >>> display_name(os.fsdecode("读书.md".encode("gbk")))
    '\\\\xb6\\\\xc1\\\\xca\\\\xe9.md (name as GBK: 读书.md)'
    """
    raw = os.fsencode(path)
    shown = raw.decode("utf-8", "backslashreplace")
    try:
        gbk = os.path.basename(raw).decode("gb18030")
    except UnicodeDecodeError:
        return shown
    return f"{shown} (name as GBK: {gbk})" if gbk.isprintable() else shown


def _inside(real: str, roots: list[str]) -> bool:
    return any(real == r or real.startswith(r.rstrip(os.sep) + os.sep) for r in roots)


def find_notes(paths: Iterable[str | os.PathLike], follow_links: bool = False) -> FoundNotes:
    """Expand files and folders (recursively) into note files, sorted.

    Files named directly are taken as they are (the user chose them, links
    included); what a folder walk meets is checked as described above.
    """
    found = FoundNotes(files=[])
    paths = [os.fspath(p) for p in paths]
    named = [p for p in paths if is_utf8_name(p)]
    # Inside = under a folder being indexed, or a file the user named.
    roots = [os.path.realpath(p) for p in named if os.path.isdir(p) or os.path.isfile(p)]
    seen: set[str] = set()
    for p in paths:
        if not is_utf8_name(p):
            found.errors.append(f"{display_name(p)}: name is not valid UTF-8; {RENAME_HINT}")
            continue
        if os.path.isfile(p):
            key = os.path.realpath(p)
            if key not in seen:
                seen.add(key)
                found.files.append(p)
            continue
        if not os.path.isdir(p):
            found.missing.append(p)
            continue
        _walk(p, roots, follow_links, seen, found)
    if found.outside_links:
        (link, target), n = found.outside_links[0], len(found.outside_links)
        more = f" and {n - 1} more" if n > 1 else ""
        found.warnings.append(
            f"{n} link(s) lead outside the indexed folders and were skipped ({link} → "
            f"{target}{more}); --follow-links (NOTECHAT_FOLLOW_LINKS=1) would include them"
        )
    return found


def _walk(
    top: str, roots: list[str], follow_links: bool, seen: set[str], found: FoundNotes
) -> None:
    visited_dirs: set[str] = set()
    vault = vault_root(top)  # `top` may lie inside a vault, or hold one further down
    templates = {os.path.realpath(t) for t in [vault and templates_folder(vault)] if t}
    for root, dirs, files in os.walk(top, followlinks=True):
        real = os.path.realpath(root)
        if real in visited_dirs:  # symlink loop
            found.skipped += 1
            dirs[:] = []
            continue
        visited_dirs.add(real)
        if MARKER in dirs and (t := templates_folder(Path(root))):
            templates.add(os.path.realpath(t))
        keep = []
        for d in sorted(dirs):
            full = os.path.join(root, d)
            if d.startswith(".") or os.path.realpath(full) in templates:
                found.skipped += 1
            elif not is_utf8_name(d):
                found.errors.append(
                    f"{display_name(full)}: folder name is not valid UTF-8, its notes are "
                    f"not indexed; {RENAME_HINT}"
                )
            elif not follow_links and not _inside(target := os.path.realpath(full), roots):
                found.skipped += 1
                found.outside_links.append((full, target))
            else:
                keep.append(d)
        dirs[:] = keep
        for name in sorted(files):
            full = os.path.join(root, name)
            if name.startswith(".") or not name.lower().endswith(NOTE_SUFFIXES):
                found.skipped += 1
                continue
            if not is_utf8_name(name):
                found.errors.append(
                    f"{display_name(full)}: file name is not valid UTF-8, not indexed; "
                    f"{RENAME_HINT}"
                )
                continue
            key = os.path.realpath(full)
            if not follow_links and not _inside(key, roots):
                found.skipped += 1
                found.outside_links.append((full, key))
                continue
            if key in seen or not os.path.isfile(full):
                found.skipped += 1
                continue
            seen.add(key)
            found.files.append(full)
