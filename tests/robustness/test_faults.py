"""Crashes and full disks: the old or the new index is served, never a broken one."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from index import IndexCorrupt, IndexSettings, IndexStale, build_index, load_index
from index.store import current_generation

from ..conftest import ROOT, SEED_NOTE

BUILDER = textwrap.dedent(
    """
    import sys, time
    sys.path.insert(0, {root!r})
    sys.path.insert(0, {tests!r})
    from conftest import FakeEmbedder
    from index import IndexSettings, build_index

    class Slow(FakeEmbedder):
        def embed_passages(self, texts):
            time.sleep(0.002 * len(texts))  # long enough to be killed mid-way
            return super().embed_passages(texts)

    emb = Slow()
    build_index([sys.argv[1]], sys.argv[2], emb, IndexSettings(emb.model_id, emb.dim))
    print("done")
    """
)


def _variant(notes, n: int) -> None:
    """Rewrite the notes so that every build has new text to embed."""
    text = SEED_NOTE.read_text("utf-8").replace("AIGC", f"AIGC{n}")
    (notes / "aigc.md").write_text(text, "utf-8")


@pytest.mark.slow
def test_kill_9_at_random_points_never_leaves_a_broken_index(tmp_path, fake_embedder):
    notes = tmp_path / "notes"
    notes.mkdir()
    ix = tmp_path / "ix"
    script = tmp_path / "builder.py"
    script.write_text(BUILDER.format(root=str(ROOT), tests=str(ROOT / "tests")), "utf-8")
    rng = random.Random(1234)
    settings = IndexSettings(fake_embedder.model_id, fake_embedder.dim)
    _variant(notes, 0)
    build_index([notes], ix, fake_embedder, settings)
    kills = 0
    for round_ in range(1, 9):
        _variant(notes, round_)
        proc = subprocess.Popen(
            [sys.executable, str(script), str(notes), str(ix)], stdout=subprocess.PIPE
        )
        time.sleep(rng.uniform(0.3, 2.5))
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            kills += 1
        proc.wait()
        try:
            loaded = load_index(ix)  # the new index, complete
            assert all(loaded.notes[c.note][c.start : c.end] == c.text for c in loaded.chunks)
        except IndexStale:
            pass  # the old index, complete: stale only because the note changed since
        except IndexCorrupt as exc:  # pragma: no cover - the failure this test exists for
            pytest.fail(f"round {round_}: broken index after kill -9: {exc}")
        # The next build completes, reusing what the killed one cached.
        build_index([notes], ix, fake_embedder, settings)
        assert load_index(ix).chunks
        assert len([p for p in ix.iterdir() if p.name.startswith("gen-")]) == 1
    assert kills >= 4


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
