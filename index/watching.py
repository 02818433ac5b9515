"""Watch the indexed notes and re-index in the background when one is saved, renamed or deleted.

watchfiles (Rust `notify`: inotify, FSEvents, ReadDirectoryChangesW) reports
changes under the indexed folders (recursively) and beside the notes named
one by one. A burst of saves is one batch: a batch ends after WATCH_STEP_MS
without a change, or WATCH_DEBOUNCE_MS after it began, and changes that
arrive while a rebuild runs make one batch for the next. A batch only
triggers a rebuild when it touches the index: a note whose bytes differ from
the live index's record, a note added or gone, a folder created or removed.
Ignored, as the indexer ignores them (index.finding): other file types,
hidden files and folders (editors' swap files, `.obsidian/`), anything in the
index folder itself, and — unless `follow_links` — paths whose real place is
outside the indexed folders (a link to /etc is neither indexed nor watched).

`start` returns once the watches are in place, then checks every note once
against the index: what changed while nothing watched (between the build and
the start) is caught up with. The rebuild itself is the caller's
(`Engine.reindex`: incremental, under the index's build lock, so it waits for
an upload or an `index` run rather than fighting it, and swaps the searcher
only once the new index is loaded). A rebuild that fails, or that could not
read a changed note (half written, locked), is tried again after
RETRY_SECONDS; nothing here ends the watcher but `stop`. Leaves out: network
file systems without change events (no polling fallback is switched on).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from .finding import NOTE_SUFFIXES, find_notes
from .generations import current_generation
from .loading import read_generation_manifest, sha256

log = logging.getLogger(__name__)

WATCH_STEP_MS = 200  # quiet time that ends a burst of saves (editors write, then rename)
WATCH_DEBOUNCE_MS = 1600  # a burst longer than this is cut into batches
RETRY_SECONDS = (0.5, 1.0, 2.0, 4.0, 8.0)  # a note that could not be read, or a failed rebuild
READY_MS = 250  # how soon `start` learns that the watches are in place


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


class NoteFilter:
    """Which changed paths may concern the index (a `watch_filter` for watchfiles)."""

    def __init__(
        self, sources: Iterable[str], index_dir: str | os.PathLike, follow_links: bool = False
    ) -> None:
        paths = [os.path.abspath(os.fspath(s)) for s in sources]
        self.folders = [p for p in paths if os.path.isdir(p)]
        self.files = {p for p in paths if os.path.isfile(p)} | {
            os.path.realpath(p) for p in paths if os.path.isfile(p)
        }
        self.real_roots = [os.path.realpath(p) for p in self.folders] + sorted(self.files)
        self.index_dir = os.path.realpath(os.fspath(index_dir))
        self.follow_links = follow_links

    def __call__(self, change: object, path: str) -> bool:
        return self.concerns(path)

    def concerns(self, path: str) -> bool:
        path = os.path.abspath(path)
        real = os.path.realpath(path)
        if _inside(real, self.index_dir) or _inside(path, self.index_dir):
            return False
        if path in self.files:
            return True
        root = next((f for f in self.folders if _inside(path, f)), None)
        if root is None or path == root:
            return False
        if any(part.startswith(".") for part in Path(os.path.relpath(path, root)).parts):
            return False
        if not self.follow_links and not any(_inside(real, r) for r in self.real_roots):
            return False  # a link out of the folders: not indexed, so not watched
        return True

    def watch_targets(self) -> tuple[list[str], list[str]]:
        """(folders to watch recursively, folders to watch for the single notes named)."""
        parents = sorted({os.path.dirname(f) for f in self.files if os.path.isabs(f)})
        parents = [p for p in parents if not any(_inside(p, f) for f in self.folders)]
        return self.folders, [p for p in parents if os.path.isdir(p)]


def is_note_name(path: str) -> bool:
    return path.lower().endswith(NOTE_SUFFIXES)


def touches_index(changed: Iterable[str], index_dir: str | os.PathLike) -> bool:
    """Does any changed path differ from what the live index recorded?

    Reads only the changed notes (their sha256 against the manifest); a
    folder created or removed counts as a change when notes may be in it.
    """
    gen = current_generation(index_dir)
    try:
        notes = read_generation_manifest(gen).get("notes", []) if gen else None
    except Exception:  # damaged or missing: let the rebuild find out and say so
        return True
    if notes is None:
        return True
    recorded = {e["path"]: e["sha256"] for e in notes}
    for path in changed:
        if os.path.isdir(path):
            return True
        if not is_note_name(path):
            if not os.path.exists(path) and any(_inside(p, path) for p in recorded):
                return True  # a folder of notes removed or renamed away
            continue
        try:
            data = Path(path).read_bytes()
        except OSError:
            if path in recorded:
                return True  # deleted, or unreadable now: the rebuild decides
            continue
        if recorded.get(path) != sha256(data):
            return True
    return False


class Watcher:
    """Re-index in the background while notes change; `start()`, then `stop()`.

    `rebuild()` re-indexes and returns the build report (anything with an
    `errors` list of messages naming the notes not indexed).
    """

    def __init__(
        self,
        sources: Sequence[str],
        index_dir: str | os.PathLike,
        rebuild: Callable[[], object],
        say: Callable[[str], None] = lambda m: log.warning("%s", m),
        follow_links: bool = False,
        step_ms: int = WATCH_STEP_MS,
        debounce_ms: int = WATCH_DEBOUNCE_MS,
    ) -> None:
        self.filter = NoteFilter(sources, index_dir, follow_links)
        self.sources, self.follow_links = list(sources), follow_links
        self.index_dir = index_dir
        self.rebuild, self.say = rebuild, say
        self.step_ms, self.debounce_ms = step_ms, debounce_ms
        self._stop = threading.Event()
        self._changed = threading.Condition()
        self._pending: set[str] = set()
        self._threads: list[threading.Thread] = []
        self.rebuilds = 0  # rebuilds that completed (tests and benchmarks wait on it)
        self.batches = 0  # batches of changes received

    @property
    def folders(self) -> list[str]:
        recursive, flat = self.filter.watch_targets()
        return recursive + flat

    def start(self) -> Watcher:
        """Start watching; returns once every watch is in place, so no later change is missed.

        Notes changed before that (since the index was built) are checked at once.
        """
        recursive, flat = self.filter.watch_targets()
        for paths, deep in ((recursive, True), (flat, False)):
            if paths:
                ready = threading.Event()
                self._spawn(self._watch, paths, deep, ready)
                ready.wait()
        with self._changed:
            self._pending |= self._everything()
        self._spawn(self._build_loop)
        return self

    def _everything(self) -> set[str]:
        """Every note the index holds or a build would find: the catch-up after starting."""
        found = find_notes(self.sources, self.follow_links).files
        gen = current_generation(self.index_dir)
        try:
            notes = read_generation_manifest(gen).get("notes", []) if gen else []
        except Exception:  # damaged: the first rebuild finds out and says so
            notes = []
        return {os.path.abspath(f) for f in found} | {e["path"] for e in notes}

    def stop(self) -> None:
        """Stop watching; a rebuild under way is finished first (its index is whole either way)."""
        self._stop.set()
        with self._changed:
            self._changed.notify_all()
        for t in self._threads:
            t.join()

    def pending(self) -> set[str]:
        """Changed paths received and not yet re-indexed."""
        with self._changed:
            return set(self._pending)

    def _spawn(self, target, *args) -> None:
        t = threading.Thread(target=target, args=args, name="notechat-watch", daemon=True)
        t.start()
        self._threads.append(t)

    def _watch(self, paths: list[str], recursive: bool, ready: threading.Event) -> None:
        import watchfiles

        while not self._stop.is_set():
            try:
                for changes in watchfiles.watch(
                    *paths,
                    watch_filter=self.filter,
                    debounce=self.debounce_ms,
                    step=self.step_ms,
                    stop_event=self._stop,
                    # An empty batch now and then: the first says the watches are in place.
                    rust_timeout=READY_MS,
                    yield_on_timeout=True,
                    recursive=recursive,
                    raise_interrupt=False,
                    ignore_permission_denied=True,
                ):
                    ready.set()
                    if not changes:
                        continue
                    with self._changed:
                        self._pending.update(os.path.abspath(p) for _, p in changes)
                        self.batches += 1
                        self._changed.notify_all()
            except Exception as exc:  # a watched folder removed, a watch limit reached…
                ready.set()
                self.say(f"watching {', '.join(paths)} stopped ({exc}); trying again")
                self._stop.wait(RETRY_SECONDS[-1])
        ready.set()

    def _take(self, timeout: float | None) -> set[str]:
        with self._changed:
            if not self._pending and not self._stop.is_set():
                self._changed.wait(timeout)
            taken, self._pending = self._pending, set()
        return taken

    def _build_loop(self) -> None:
        retry: set[str] = set()  # changed paths whose rebuild must be tried again
        attempt = 0
        while not self._stop.is_set():
            wait = RETRY_SECONDS[attempt - 1] if retry else None
            changed = self._take(wait)
            if self._stop.is_set():
                return
            if changed:
                attempt = 0  # news: a fresh series of tries
            elif not retry:
                continue
            changed |= retry
            if not touches_index(changed, self.index_dir) and not retry:
                continue
            failed = self._rebuild_once(changed)
            if failed and attempt < len(RETRY_SECONDS):
                retry, attempt = failed, attempt + 1
            else:
                if failed:
                    self.say(
                        f"gave up re-indexing {', '.join(sorted(failed))} for now; "
                        "it is tried again when it changes"
                    )
                retry, attempt = set(), 0

    def _rebuild_once(self, changed: set[str]) -> set[str]:
        """Rebuild; the changed paths to try again (not read, or the rebuild failed)."""
        t0 = time.perf_counter()
        try:
            report = self.rebuild()
        except Exception as exc:  # never fatal: the old index keeps answering
            self.say(f"re-indexing after a change failed ({exc}); trying again")
            return changed
        self.rebuilds += 1
        embedded = getattr(report, "embedded", 0)
        self.say(
            f"notes changed; index updated in {time.perf_counter() - t0:.1f} s "
            f"({embedded} text(s) embedded)"
        )
        errors = list(getattr(report, "errors", []))
        return {p for p in changed if any(p in e for e in errors)}
