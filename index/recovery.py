"""Open an index folder in whatever state it is, never rebuilding it from other notes.

What `open_index` does, by the state of the folder:

- whole and up to date: loads it;
- nothing ever built there: builds it from the default notes;
- built another way (model, chunking): rebuilds it from its own recorded
  notes (the model at hand cannot search it);
- its notes changed or went: updates it from its own recorded notes; if that
  cannot be done (a read-only folder, another build holding the lock, a full
  disk), answers from the old index with a warning, leaving out the
  passages that are no longer word for word in the notes;
- `CURRENT` or the live generation damaged: goes back to the newest generation
  whose files all verify (and points `CURRENT` at it again); if there is
  none, rebuilds from its own recorded notes (`sources.json`, kept outside
  the generations); if that list is lost too, refuses (IndexLost) and says
  which command rebuilds it. Never from a default list: that would replace
  the user's index with another one and answer every question wrong.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

from .errors import IndexBusy, IndexCorrupt, IndexLost, IndexMissing, IndexProblem, IndexStale
from .generations import (
    current_generation,
    generations,
    has_index,
    read_sources,
    switch_current,
)
from .loading import (
    IndexSettings,
    LoadedIndex,
    load_generation,
    load_index,
    read_generation_manifest,
    verify_generation,
)
from .lock import build_lock


def recorded_sources(folder: str | os.PathLike) -> list[str] | None:
    """The notes `folder` was last built from, or None when no record survives.

    sources.json first (the newest wish: written just before each commit),
    then the manifest of the live generation, then of any other generation.
    """
    folder = Path(folder)
    if srcs := read_sources(folder):
        return srcs
    for gen in [current_generation(folder), *generations(folder)]:
        if gen is None:
            continue
        try:
            srcs = read_generation_manifest(gen).get("sources")
        except IndexCorrupt:
            continue
        if isinstance(srcs, list) and srcs and all(isinstance(s, str) for s in srcs):
            return srcs
    return None


def lost_message(folder: Path) -> str:
    return (
        f"the list of notes the index in {folder} was built from is lost; "
        f"build it again with: python -m chatbot index PATH... --index-dir {folder}"
    )


def sources_of(folder: str | os.PathLike, default: Sequence[str]) -> list[str]:
    """The notes to (re)build `folder` from: its own, or `default` if nothing was built there.

    Raises IndexLost when there is an index whose list of notes is lost.
    """
    srcs = recorded_sources(folder)
    if srcs is not None:
        return srcs
    if has_index(folder):
        raise IndexLost(lost_message(Path(folder)))
    return list(default)


def recover_generation(folder: Path, say: Callable[[str], None]) -> Path | None:
    """The newest generation whose files all verify, made live again; None if none is whole."""
    for gen in generations(folder):
        try:
            verify_generation(gen)
        except IndexCorrupt:
            continue
        try:
            with build_lock(folder):  # a build running now will write CURRENT itself
                switch_current(folder, gen.name)
        except (OSError, IndexBusy) as exc:  # read-only or busy: use it all the same
            say(f"could not point {folder / 'CURRENT'} at {gen.name} again: {describe(exc)}")
        return gen
    return None


def describe(exc: BaseException) -> str:
    """One line for why a build could not run (OSError's str() hides its file in quotes)."""
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.filename}: {exc.strerror}" if exc.filename else exc.strerror
    return str(exc)


def open_index(
    folder: str | os.PathLike,
    settings: IndexSettings,
    build: Callable[[list[str]], object],
    sources: Callable[[], list[str]],
    say: Callable[[str], None],
) -> LoadedIndex:
    """Load `folder`, recovering or rebuilding it as the module docstring says.

    `build(paths)` builds the index; `sources()` names the notes to build from
    (normally `sources_of`); `say` tells the user what is being done and why.
    """
    folder = Path(folder)
    try:
        loaded = load_index(folder, settings, stale_ok=True)
    except IndexMissing:
        srcs = sources()
        say(f"no index in {folder} yet; building it from {', '.join(srcs)}")
        return _build_and_load(folder, settings, build, srcs)
    except IndexStale as exc:  # built another way: this model cannot search it
        return _rebuild(folder, settings, build, sources, say, exc)
    except IndexCorrupt as exc:
        gen = recover_generation(folder, say)
        if gen is None:
            try:
                srcs = sources()
            except IndexLost as lost:
                raise IndexLost(f"{exc}; {lost}") from None
            say(f"{exc}; rebuilding the index from its own list of notes: {', '.join(srcs)}")
            return _build_and_load(folder, settings, build, srcs)
        say(f"{exc}; recovered the index from its last complete generation, {gen.name}")
        try:
            loaded = load_generation(folder, gen, settings, stale_ok=True)
        except IndexStale as stale:
            return _rebuild(folder, settings, build, sources, say, stale)
    if loaded.stale:
        return _refresh(folder, settings, build, sources, say, loaded)
    return loaded


def _build_and_load(folder, settings, build, srcs: list[str]) -> LoadedIndex:
    build(srcs)
    return load_index(folder, settings)


def _rebuild(folder, settings, build, sources, say, why: IndexStale) -> LoadedIndex:
    """An index made another way must be rebuilt: this model cannot search it."""
    say(f"{why}; building the index now")
    try:
        return _build_and_load(folder, settings, build, sources())
    except OSError as exc:
        raise IndexStale(f"{why}; could not rebuild it: {describe(exc)}") from None


def _refresh(folder, settings, build, sources, say, loaded: LoadedIndex) -> LoadedIndex:
    """Notes changed since the build: update the index, or answer from the old one."""
    more = f" (and {len(loaded.stale) - 1} more)" if len(loaded.stale) > 1 else ""
    say(f"{loaded.stale[0]}{more}; updating the index now")
    try:
        return _build_and_load(folder, settings, build, sources())
    except (OSError, IndexProblem) as exc:  # read-only, another build, disk full, notes gone
        say(
            f"notes changed since the index was built; could not update it: {describe(exc)}; "
            "answering from the old index (passages that changed are left out)"
        )
        return loaded
