"""Crashes and full disks: the old or the new index is served, never a broken one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from index import IndexCorrupt, IndexSettings, IndexStale, build_index, load_index
from index.store import current_generation

from ..conftest import ROOT, SEED_NOTE

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

# (step at which the build is killed, the index that must load afterwards)
KILL_POINTS = [
    ("embed #2", "old"),  # mid-embedding: nothing written yet
    ("renamed cache/emb.npz #1", "old"),  # new vectors saved, generation not begun
    ("renamed sources.json #1", "old"),  # the list of notes recorded, generation not begun
    ("rename gen/chunks.json #1", "old"),  # first file of the generation, not in place
    ("renamed gen/dense.faiss #1", "old"),  # generation half written
    ("renamed gen/manifest.json #1", "old"),  # generation complete but not live
    ("rename CURRENT #1", "old"),  # just before the switch: new CURRENT written, not in place
    ("renamed CURRENT #1", "new"),  # just after the switch
    ("remove gen #1", "new"),  # an old generation half removed
    ("rename cache/emb.npz #2", "new"),  # cache pruned after the commit
]


def _variant(notes, n: int) -> bytes:
    """Rewrite the note so that every build has new text to embed; returns its bytes."""
    data = SEED_NOTE.read_text("utf-8").replace("AIGC", f"AIGC{n}").encode("utf-8")
    (notes / "aigc.md").write_bytes(data)
    return data


def _assert_complete(ix) -> None:
    loaded = load_index(ix)
    assert loaded.chunks
    assert all(loaded.notes[c.note][c.start : c.end] == c.text for c in loaded.chunks)


def _kill_at(script, notes, ix, stop: str) -> None:
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
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait() == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdin.close()
        proc.stdout.close()


@pytest.mark.slow
def test_kill_9_at_every_build_step_never_leaves_a_broken_index(tmp_path, fake_embedder):
    notes = tmp_path / "notes"
    notes.mkdir()
    ix = tmp_path / "ix"
    script = tmp_path / "builder.py"
    script.write_text(BUILDER.format(root=str(ROOT), tests=str(ROOT / "tests")), "utf-8")
    settings = IndexSettings(fake_embedder.model_id, fake_embedder.dim)
    old = _variant(notes, 0)
    build_index([notes], ix, fake_embedder, settings)
    for n, (stop, survivor) in enumerate(KILL_POINTS, 1):
        new = _variant(notes, n)
        _kill_at(script, notes, ix, stop)
        try:
            if survivor == "new":
                _assert_complete(ix)
            else:
                with pytest.raises(IndexStale, match="changed"):
                    load_index(ix)  # every file verified; only the note moved on
                (notes / "aigc.md").write_bytes(old)
                _assert_complete(ix)  # the old index, whole
                (notes / "aigc.md").write_bytes(new)
        except IndexCorrupt as exc:  # pragma: no cover - the failure this test exists for
            pytest.fail(f"kill -9 at {stop!r}: broken index: {exc}")
        # The next build completes, reusing what the killed one had cached.
        report = build_index([notes], ix, fake_embedder, settings)
        _assert_complete(ix)
        if stop != "embed #2":
            assert report.embedded == 0, f"after {stop!r} the cache was lost"
        assert len([p for p in ix.iterdir() if p.name.startswith("gen-")]) == 1
        assert not list(ix.rglob(".tmp-*"))
        old = new


def _mount_tmpfs(path, size: str) -> bool:
    path.mkdir()
    proc = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True
    )
    return proc.returncode == 0


def test_disk_full_during_save_leaves_the_old_index(tmp_path, fake_embedder):
    disk = tmp_path / "disk"
    if os.geteuid() != 0 or not _mount_tmpfs(disk, "1200k"):
        pytest.skip("needs root to mount a small tmpfs")
    try:
        notes = tmp_path / "notes"
        notes.mkdir()
        (notes / "a.md").write_text("# 小\n\n一条很短的笔记，讲的是数字人平台。\n", "utf-8")
        ix = disk / "ix"
        settings = IndexSettings(fake_embedder.model_id, fake_embedder.dim)
        build_index([notes], ix, fake_embedder, settings)
        before = load_index(ix).chunks
        # Enough new text that the next generation cannot fit on the disk.
        body = "\n\n".join(
            f"第{i}段：这是一段用来填满磁盘的笔记文字，编号{i}，内容各不相同。" * 3
            for i in range(3000)
        )
        (notes / "big.md").write_text("# 大\n\n" + body, "utf-8")
        with pytest.raises(OSError) as err:
            build_index([notes], ix, fake_embedder, settings)
        assert err.value.errno == 28  # ENOSPC
        (notes / "big.md").unlink()
        assert load_index(ix).chunks == before  # the old index, intact and current
        assert not list(ix.glob(".tmp-*"))
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def test_truncated_current_pointer_is_missing_not_broken(tmp_path, fake_embedder, notes_dir):
    ix = tmp_path / "ix"
    build_index(
        [notes_dir], ix, fake_embedder, IndexSettings(fake_embedder.model_id, fake_embedder.dim)
    )
    (ix / "CURRENT").write_text("gen-99")  # names nothing valid
    with pytest.raises(Exception) as err:
        load_index(ix)
    assert "no index" in str(err.value) or isinstance(err.value, IndexCorrupt)
    assert current_generation(ix) is None


def test_cli_reports_disk_errors_in_one_line(
    tmp_path, monkeypatch, capsys, fake_embedder, notes_dir
):
    import errno

    from chatbot import cli

    monkeypatch.setattr("chatbot.engine.load_embedder", lambda name: fake_embedder)

    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "ix"))

    monkeypatch.setattr("index.atomic.os.fsync", full)
    code = cli.main(["index", str(notes_dir), "--index-dir", str(tmp_path / "ix")])
    err = capsys.readouterr().err
    assert code == 1 and "No space left on device" in err and "Traceback" not in err
