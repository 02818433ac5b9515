"""A real build in a child process, stopped at a chosen step, to be killed or waited on.

Stopping at a step instead of after a time makes the tests the same on a fast
or a slow machine.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..conftest import ROOT

# A build in a child process that stops dead at one chosen step. It wraps the
# steps every build takes (each embedding batch; each rename that puts a
# written file in place: the cache, sources.json, each file of the generation,
# CURRENT; each removal of an old generation) and at the chosen one prints a
# marker and blocks on stdin until the test kills it. No timing is involved,
# so the kill lands at the same step on a fast or a slow machine.
BUILDER = textwrap.dedent(
    """
    import os, re, shutil, sys
    sys.path[:0] = [{root!r}, {tests!r}]
    from conftest import FakeEmbedder
    from index import IndexSettings, build_index

    folder, stop = os.path.abspath(sys.argv[2]), sys.argv[3]
    seen = {{}}

    def step(name):
        name = re.sub(r"gen-\\d+", "gen", re.sub(r"emb-[0-9a-f]+", "emb", name))
        seen[name] = seen.get(name, 0) + 1
        if f"{{name}} #{{seen[name]}}" == stop:
            print("BLOCKED", stop, flush=True)
            sys.stdin.read()  # until killed (or the test went away)
            os._exit(3)

    def rel(path):
        return os.path.relpath(os.path.abspath(path), folder)

    real_replace, real_rmtree = os.replace, shutil.rmtree

    def replace(src, dst, *a, **k):
        step(f"rename {{rel(dst)}}")  # the new file is written and synced, not yet in place
        real_replace(src, dst, *a, **k)
        step(f"renamed {{rel(dst)}}")

    def rmtree(path, *a, **k):
        if re.fullmatch(r"gen-\\d+", os.path.basename(path)):
            for f in sorted(os.listdir(path))[:1]:  # an old generation, half removed
                os.unlink(os.path.join(path, f))
            step(f"remove {{rel(path)}}")
        real_rmtree(path, *a, **k)

    os.replace, shutil.rmtree = replace, rmtree

    class Staged(FakeEmbedder):
        def embed_passages(self, texts):
            step("embed")
            return super().embed_passages(texts)

    emb = Staged()
    build_index([sys.argv[1]], folder, emb, IndexSettings(emb.model_id, emb.dim))
    print("done", sorted(seen.items()), flush=True)
    """
)


@contextmanager
def stopped_build(notes: Path, ix: Path, stop: str) -> Iterator[subprocess.Popen]:
    """Yields the child once it has reached step `stop` (it holds the index's lock then)."""
    script = ix.parent / "stopped_builder.py"
    script.write_text(BUILDER.format(root=str(ROOT), tests=str(ROOT / "tests")), "utf-8")
    proc = subprocess.Popen(
        [sys.executable, str(script), str(notes), str(ix), stop],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        line = proc.stdout.readline()
        assert line.startswith("BLOCKED"), f"the build never reached {stop!r}: {line.strip()}"
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        proc.stdin.close()
        proc.stdout.close()


def kill_9(proc: subprocess.Popen) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL
