"""Crashes and full disks: the old or the new index is served, never a broken one."""

from __future__ import annotations

import errno
import os
import subprocess

import pytest

from chatbot import cli
from index import IndexCorrupt, IndexSettings, IndexStale, build_index, load_index
from index.store import current_generation

from ..conftest import SEED_NOTE
from .stopped_build import kill_9, stopped_build

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


@pytest.mark.slow
def test_kill_9_at_every_build_step_never_leaves_a_broken_index(tmp_path, fake_embedder):
    notes = tmp_path / "notes"
    notes.mkdir()
    ix = tmp_path / "ix"
    settings = IndexSettings(fake_embedder.model_id, fake_embedder.dim)
    old = _variant(notes, 0)
    build_index([notes], ix, fake_embedder, settings)
    for n, (stop, survivor) in enumerate(KILL_POINTS, 1):
        new = _variant(notes, n)
        with stopped_build(notes, ix, stop) as proc:
            kill_9(proc)
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
        assert str(ix) in err.value.filename  # the message names the index
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


def test_cli_reports_disk_errors_in_one_line_naming_the_index(
    tmp_path, monkeypatch, capsys, fake_embedder, notes_dir
):
    monkeypatch.setattr("chatbot.engine.load_embedder", lambda name: fake_embedder)
    ix = tmp_path / "ix"
    argv = ["index", str(notes_dir), "--index-dir", str(ix)]
    assert cli.main(argv) == 0
    gen = current_generation(ix)
    (notes_dir / "new.md").write_text("# 新\n\n新的一段。\n", "utf-8")

    def full(*a, **k):  # as the kernel says it: no file name attached
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("index.atomic.os.fsync", full)
    capsys.readouterr()
    code = cli.main(argv)
    err = capsys.readouterr().err
    said = [line for line in err.splitlines() if "notechat:" in line]
    assert code == 1 and "Traceback" not in err and len(said) == 1
    assert said[0].startswith(f"notechat: {ix}/") and said[0].endswith("No space left on device")
    assert current_generation(ix) == gen  # the old index, still live


@pytest.mark.parametrize("step", ["cache save", "folder sync", "old generation removal"])
def test_a_failure_after_the_commit_is_a_warning_not_an_error(
    tmp_path, monkeypatch, capsys, fake_embedder, notes_dir, step
):
    """Once CURRENT names the new generation the index is built: exit 0, with a warning."""
    from index import generations
    from index.cache import EmbeddingCache

    monkeypatch.setattr("chatbot.engine.load_embedder", lambda name: fake_embedder)
    ix = tmp_path / "ix"
    argv = ["index", str(notes_dir), "--index-dir", str(ix)]
    assert cli.main(argv) == 0
    (notes_dir / "new.md").write_text("# 新\n\n新的一段，讲量子计算。\n", "utf-8")
    enospc = OSError(errno.ENOSPC, "No space left on device")
    if step == "cache save":
        real_save = EmbeddingCache.save

        def save(self, keep=None):
            if keep is not None:  # the pruning save, after the commit
                raise enospc
            real_save(self, keep)

        monkeypatch.setattr(EmbeddingCache, "save", save)
    elif step == "folder sync":
        real_sync = generations.fsync_dir

        def sync(path):
            if path == ix:
                raise enospc
            real_sync(path)

        monkeypatch.setattr(generations, "fsync_dir", sync)
    else:
        monkeypatch.setattr(
            generations,
            "remove_generation",
            lambda gen: (_ for _ in ()).throw(
                PermissionError(errno.EACCES, "Permission denied", str(gen))
            ),
        )
    capsys.readouterr()
    code = cli.main(argv)
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "indexed 2 note(s)" in out and "Traceback" not in err and err.strip()
    assert len(load_index(ix).manifest["notes"]) == 2  # the new index is live
