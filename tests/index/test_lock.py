"""index.lock: one build at a time per folder, and no stale lock after kill -9."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from index import IndexBusy
from index.lock import build_lock

from ..conftest import ROOT

HOLDER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    sys.path.insert(0, {root!r})
    from index.lock import build_lock

    with build_lock(Path(sys.argv[1])):
        print("HELD", flush=True)
        sys.stdin.read()  # until the test closes stdin or kills us
    """
)


@pytest.fixture
def holder(tmp_path):
    """Start a process that holds the lock of `folder` until stdin closes."""
    procs = []

    def start(folder):
        script = tmp_path / "holder.py"
        script.write_text(HOLDER.format(root=str(ROOT)), "utf-8")
        proc = subprocess.Popen(
            [sys.executable, str(script), str(folder)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        procs.append(proc)
        assert proc.stdout.readline().strip() == "HELD"
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        proc.stdin.close()
        proc.stdout.close()


def test_a_second_build_is_refused_with_the_holder_named(tmp_path, holder):
    proc = holder(tmp_path)
    with pytest.raises(IndexBusy, match=rf"{tmp_path}.*pid {proc.pid}.*again"):
        with build_lock(tmp_path):
            pass


def test_the_lock_is_exclusive_within_one_process_too(tmp_path):
    with build_lock(tmp_path):
        with pytest.raises(IndexBusy):
            with build_lock(tmp_path):
                pass
    with build_lock(tmp_path):  # released on leaving the block
        pass


def test_kill_9_leaves_no_stale_lock(tmp_path, holder):
    proc = holder(tmp_path)
    proc.kill()
    proc.wait()
    with build_lock(tmp_path):
        pass


def test_waiting_says_so_and_then_gets_the_lock(tmp_path, holder):
    proc = holder(tmp_path)
    said = []

    def wait(msg):  # called before blocking: let the holder finish now
        said.append(msg)
        proc.stdin.close()

    with build_lock(tmp_path, wait=wait):
        assert proc.wait() == 0
    assert len(said) == 1 and "waiting for it to finish" in said[0] and str(proc.pid) in said[0]
