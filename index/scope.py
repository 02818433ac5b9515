"""Scopes: ask within a folder or a tag, as the set of chunk rows they allow.

A scope names a folder (every note under it, at any depth) and/or a tag (the
notes carrying it or a tag nested under it: `project` takes `project/alpha`,
as Obsidian does; letter case is ignored); with both, a note must meet both.
`scope_rows` gives the rows a scope allows; search restricts both of its sides
to them before anything is ranked (index.search), so a scoped question never
gets a passage from outside its scope. A scope that matches no indexed note
raises ScopeError naming what is indexed. A note's tags are recorded in the
index's manifest when it is built (`note_tags`), so a scope needs no note to
be read again. Leaves out: several folders or tags at once, excluding a scope.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

MAX_LISTED = 12  # indexed folders or tags named in a ScopeError


class ScopeError(ValueError):
    """A scope that matches no indexed note, or none with text; says what is indexed."""


def clean_tag(tag: object) -> str:
    """A tag as stored: no leading '#', no surrounding space.

    >>> clean_tag(" #project/alpha "), clean_tag("##x")
    ('project/alpha', 'x')
    """
    return str(tag).strip().lstrip("#").strip()


def note_tags(meta: dict) -> list[str]:
    """A note's tags from its metadata (`Note.meta["tags"]`): sorted, unique, without '#'.

    >>> note_tags({"tags": ["b", "#a", "b", ""]}), note_tags({"tags": "x, #y"}), note_tags({})
    (['a', 'b'], ['x', 'y'], [])
    """
    tags = meta.get("tags") or []
    if isinstance(tags, str):
        tags = tags.split(",")
    if not isinstance(tags, list | tuple):
        return []
    return sorted({t for t in (clean_tag(x) for x in tags if isinstance(x, str)) if t})


def has_tag(tags: Iterable[str], wanted: str) -> bool:
    """Does a note with `tags` fall under tag `wanted` (itself or nested under it)?

    >>> has_tag(["Project/Alpha"], "project"), has_tag(["projects"], "project")
    (True, False)
    """
    w = clean_tag(wanted).casefold()
    return any(t.casefold() == w or t.casefold().startswith(w + "/") for t in tags)


@dataclass(frozen=True)
class Scope:
    folder: str | None = None
    tag: str | None = None

    def __bool__(self) -> bool:
        return bool(self.folder or self.tag)

    def label(self) -> str:
        """How the scope is named to the user.

        >>> Scope("notes/work", "ai").label()
        'folder notes/work, tag #ai'
        """
        parts = ([f"folder {self.folder}"] if self.folder else []) + (
            [f"tag #{clean_tag(self.tag)}"] if self.tag else []
        )
        return ", ".join(parts) or "all notes"


def _places(folder: str, sources: Sequence[str]) -> list[str]:
    """Where `folder` may point: itself (from the working folder) and under each indexed folder."""
    folder = os.path.expanduser(folder)
    places = [os.path.abspath(folder), os.path.realpath(folder)]
    if not os.path.isabs(folder):
        places += [os.path.abspath(os.path.join(s, folder)) for s in sources if os.path.isdir(s)]
    return list(dict.fromkeys(p.rstrip(os.sep) or os.sep for p in places))


def _under(path: str, places: list[str]) -> bool:
    return any(path == p or path.startswith(p.rstrip(os.sep) + os.sep) for p in places)


def scope_notes(manifest: dict, scope: Scope) -> set[str]:
    """Paths of the indexed notes within `scope`; raises ScopeError when there are none."""
    notes = [e for e in manifest.get("notes", []) if isinstance(e, dict) and "path" in e]
    picked = notes
    if scope.folder:
        places = _places(scope.folder, manifest.get("sources", []))
        picked = [e for e in picked if _under(e["path"], places)]
        if not picked:
            raise ScopeError(
                f"no indexed note in folder {scope.folder}; "
                f"indexed folders: {_listed(folders(manifest))}"
            )
    if scope.tag:
        if not clean_tag(scope.tag):
            raise ScopeError("the tag to ask within is empty")
        tagged = [e for e in picked if has_tag(e.get("tags", []), scope.tag)]
        if not tagged:
            where = f" in folder {scope.folder}" if scope.folder else ""
            known = tags(manifest)
            raise ScopeError(
                f"no indexed note{where} has the tag #{clean_tag(scope.tag)}; "
                f"tags: {_listed(known) if known else '(no note has tags)'}"
            )
        picked = tagged
    return {e["path"] for e in picked}


def scope_rows(chunk_notes: Sequence[str], manifest: dict, scope: Scope) -> np.ndarray:
    """Sorted rows of the chunks within `scope` (`chunk_notes[i]`: row i's note path).

    Raises ScopeError when the scope matches no note, or only notes without text.
    """
    paths = scope_notes(manifest, scope)
    rows = np.array([i for i, p in enumerate(chunk_notes) if p in paths], np.int64)
    if not len(rows):
        raise ScopeError(f"the notes in {scope.label()} have no text to search")
    return rows


def folders(manifest: dict) -> list[str]:
    """Every folder holding an indexed note, from each indexed folder down, sorted."""
    roots = [s for s in manifest.get("sources", []) if os.path.isdir(s)]
    out: set[str] = set()
    for e in manifest.get("notes", []):
        path = e.get("path", "") if isinstance(e, dict) else ""
        root = next((r for r in roots if _under(path, [os.path.abspath(r)])), None)
        if root is None:
            continue
        root = os.path.abspath(root)
        d = os.path.dirname(path)
        while _under(d, [root]):
            out.add(d)
            if d == root:
                break
            d = os.path.dirname(d)
    return sorted(out)


def tags(manifest: dict) -> list[str]:
    """Every tag of the indexed notes, and each parent of a nested one, sorted."""
    out: set[str] = set()
    for e in manifest.get("notes", []):
        for t in e.get("tags", []) if isinstance(e, dict) else []:
            parts = str(t).split("/")
            out.update("/".join(parts[: i + 1]) for i in range(len(parts)))
    return sorted(out, key=str.casefold)


def _listed(items: list[str]) -> str:
    if not items:
        return "(none)"
    more = f" and {len(items) - MAX_LISTED} more" if len(items) > MAX_LISTED else ""
    return ", ".join(items[:MAX_LISTED]) + more
