"""Keeping the index live: `index --watch` and the watcher `serve` runs (index.watching).

`serve` re-indexes through `Engine.reindex`, which swaps the searcher once
the new index is loaded; `index --watch` only builds. Both stop on Ctrl-C,
after the rebuild under way (if any) has finished.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

from index.watching import Watcher

from .engine import Engine


def engine_watcher(engine: Engine, say: Callable[[str], None]) -> Watcher:
    """A watcher of the engine's notes that swaps in each new index (not started)."""
    s = engine.settings
    return Watcher(engine.sources(), s.index_dir, engine.reindex, say, s.follow_links)


def watch_until_interrupted(engine: Engine, sources: list[str], say: Callable[[str], None]) -> int:
    """Re-index each change of `sources` until Ctrl-C; 0, since stopping is the normal end."""
    s = engine.settings
    watcher = Watcher(
        sources, s.index_dir, lambda: engine.build(sources, wait=True), say, s.follow_links
    )
    print(f"watching {', '.join(watcher.folders)} for changes (Ctrl-C to stop)", flush=True)
    watcher.start()
    try:
        while True:  # short waits: Ctrl-C is handled even if another thread took the signal
            time.sleep(0.5)
    except KeyboardInterrupt:
        print(
            "stopping (an update under way is finished first; Ctrl-C again stops at once)",
            file=sys.stderr,
            flush=True,
        )
    finally:
        watcher.stop()
    return 0
