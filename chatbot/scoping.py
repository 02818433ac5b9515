"""The page's scope selector: its choices from the index, and the scope each choice means.

A choice's value is "" (all notes), "folder:" + the folder's absolute path,
or "tag:" + the tag; its label shows the folder from the indexed folder's
name down ("notes/work") or the tag ("#project"). `signature` changes when the
indexed notes do, so the page redraws the notes list and the choices only then.
Leaves out: choosing several scopes at once.
"""

from __future__ import annotations

import hashlib
import json
import os
import weakref

from index.scope import Scope
from index.search import Searcher

ALL = ""
ALL_LABEL = "All notes · 全部笔记"
MAX_CHOICES = 500  # folders and tags offered; any other can still be asked through /ask
_signatures: weakref.WeakKeyDictionary[Searcher, str] = weakref.WeakKeyDictionary()


def _shown(folder: str, sources: list[str]) -> str:
    for s in sorted(sources, key=len, reverse=True):
        root = os.path.abspath(s)
        if folder == root or folder.startswith(root + os.sep):
            return os.path.relpath(folder, os.path.dirname(root))
    return folder


def choices(searcher: Searcher) -> list[tuple[str, str]]:
    """(label, value) pairs for the selector: all notes, then each folder, then each tag."""
    folders, tags = searcher.catalog()
    sources = [s for s in searcher.loaded.manifest.get("sources", []) if isinstance(s, str)]
    out = [(ALL_LABEL, ALL)]
    out += [(f"📁 {_shown(f, sources)}", f"folder:{f}") for f in folders]
    out += [(f"# {t}", f"tag:{t}") for t in tags]
    return out[: MAX_CHOICES + 1]


def scope_of(choice: object) -> Scope | None:
    """The scope a selector value means (None: all notes).

    >>> scope_of("tag:ai"), scope_of("folder:/n/work"), scope_of("")
    (Scope(folder=None, tag='ai'), Scope(folder='/n/work', tag=None), None)
    """
    kind, _, value = str(choice or "").partition(":")
    if kind == "folder" and value:
        return Scope(folder=value)
    if kind == "tag" and value:
        return Scope(tag=value)
    return None


def checked_scope(engine, folder: str | None, tag: str | None) -> Scope | None:
    """The scope of `ask --in/--tag`, checked against the open index (ScopeError if it is empty)."""
    scope = Scope(folder, tag)
    if not scope:
        return None
    engine.searcher.scope_rows(scope)  # before any answer: one message, not one per line
    return scope


def signature(searcher: Searcher) -> str:
    """Changes whenever a note is added, changed, renamed or removed (its tags included)."""
    sig = _signatures.get(searcher)
    if sig is None:  # a searcher's index never changes: once per index, not per page tick
        notes = searcher.loaded.manifest.get("notes", [])
        sig = hashlib.sha256(json.dumps(notes, sort_keys=True).encode()).hexdigest()[:16]
        _signatures[searcher] = sig
    return sig
