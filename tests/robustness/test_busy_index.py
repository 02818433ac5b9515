"""One build at a time per index folder; an index that cannot be updated still answers.

A real build in a child process, stopped at its second embedding batch, holds
the folder's lock while the CLI and an upload try to build too.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import threading
from contextlib import contextmanager

import pytest

from chatbot import cli, uploads
from chatbot.config import Settings
from chatbot.engine import Engine
from index.generations import current_generation, generations

from .stopped_build import kill_9, stopped_build

NOTES = {
    "cafe.md": "# 独角兽咖啡馆\n\n独角兽咖啡馆的招牌饮品是桂花冷萃，每天只卖五十杯。\n",
    "garden.md": "# 屋顶花园\n\n屋顶花园种了十二种香草，薄荷长得最快。\n",
}
EDITED_CAFE = "# 独角兽咖啡馆\n\n独角兽咖啡馆今年把招牌饮品改成了乌龙拿铁。\n"


@pytest.fixture
def setup(tmp_path, monkeypatch, fake_embedder, capsys):
    monkeypatch.setattr("chatbot.engine.load_embedder", lambda name: fake_embedder)
    monkeypatch.delenv("NOTECHAT_NOTES", raising=False)
    monkeypatch.setenv("NOTECHAT_UPLOAD_DIR", str(tmp_path / "uploads"))

    def make(ix):
        notes = tmp_path / "notes"
        notes.mkdir()
        for name, text in NOTES.items():
            (notes / name).write_text(text, "utf-8")

        def run(*argv):
            monkeypatch.setattr(sys, "stdin", io.StringIO(""))
            code = cli.main([*argv, "--index-dir", str(ix)])
            out, err = capsys.readouterr()
            return code, out, err

        assert run("index", str(notes))[0] == 0
        return notes, run

    return make


def _quotes(out: str) -> str:
    return " ".join(c["quote"] for c in json.loads(out)["citations"])


def test_a_second_index_run_is_refused_while_one_is_building(tmp_path, setup):
    ix = tmp_path / "ix"
    notes, run = setup(ix)
    (notes / "cafe.md").write_text(EDITED_CAFE, "utf-8")
    gens = generations(ix)
    with stopped_build(notes, ix, "embed #1") as first:
        code, out, err = run("index", str(notes))
        assert code == 2 and not out and "Traceback" not in err
        assert f"another build is writing the index in {ix} (pid {first.pid})" in err
        assert generations(ix) == gens  # the second one wrote nothing
        kill_9(first)
    assert run("index", str(notes))[0] == 0  # kill -9 left no stale lock


def _assert_old_index_answers(run, err_of_first: str, code: int, out: str) -> None:
    assert code == 0, err_of_first
    assert "notes changed since the index was built; could not update it" in err_of_first
    assert "answering from the old index" in err_of_first
    # The changed passage is left out (its words are no longer in the note) …
    assert "桂花冷萃" not in _quotes(out)
    # … the unchanged notes still answer.
    code, out, _ = run("ask", "--json", "屋顶花园种了几种香草？")
    assert code == 0 and "十二种香草" in _quotes(out)


def test_ask_answers_from_the_old_index_while_another_build_holds_it(tmp_path, setup):
    ix = tmp_path / "ix"
    notes, run = setup(ix)
    (notes / "cafe.md").write_text(EDITED_CAFE, "utf-8")
    with stopped_build(notes, ix, "embed #1"):
        code, out, err = run("ask", "--json", "独角兽咖啡馆的招牌饮品是什么？")
        assert "another build is writing the index" in err
        _assert_old_index_answers(run, err, code, out)


@contextmanager
def _read_only_disk(path):
    """A folder that can be made read-only, even for root (a tmpfs remounted read-only)."""
    path.mkdir()
    if os.geteuid() != 0:
        yield lambda: subprocess.run(["chmod", "-R", "a-w", str(path)], check=True)
        subprocess.run(["chmod", "-R", "u+w", str(path)], check=True)
        return
    if subprocess.run(["mount", "-t", "tmpfs", "tmpfs", str(path)]).returncode:
        pytest.skip("cannot mount a tmpfs")
    try:
        yield lambda: subprocess.run(["mount", "-o", "remount,ro", str(path)], check=True)
    finally:
        subprocess.run(["umount", str(path)], check=False)


@pytest.mark.parametrize("current", ["whole", "damaged"])
def test_a_read_only_index_answers_from_what_is_complete(tmp_path, setup, current):
    with _read_only_disk(tmp_path / "disk") as make_read_only:
        ix = tmp_path / "disk" / "ix"
        notes, run = setup(ix)
        gen = current_generation(ix)
        if current == "damaged":
            (ix / "CURRENT").write_bytes(b"")
        (notes / "cafe.md").write_text(EDITED_CAFE, "utf-8")
        make_read_only()
        code, out, err = run("ask", "--json", "独角兽咖啡馆的招牌饮品是什么？")
        assert "Traceback" not in err
        _assert_old_index_answers(run, err, code, out)
        if current == "damaged":
            assert f"recovered the index from its last complete generation, {gen.name}" in err


def test_an_upload_waits_for_a_running_build_then_is_indexed(tmp_path, setup, fake_embedder):
    ix = tmp_path / "ix"
    notes, _ = setup(ix)
    settings = Settings(index_dir=ix, notes=(str(notes),), upload_dir=tmp_path / "uploads")
    said, spoke = [], threading.Event()

    def say(msg):
        said.append(msg)
        spoke.set()

    engine = Engine(settings, embedder=fake_embedder, say=say).open()
    spoke.clear()
    upload = tmp_path / "in" / "tea.md"
    upload.parent.mkdir()
    upload.write_text("# 茶\n\n白茶要用八十五度的水泡。\n", "utf-8")
    (notes / "cafe.md").write_text(EDITED_CAFE, "utf-8")  # new text: the build has work to do
    result = {}

    def add():
        try:
            result["added"] = uploads.add_notes(engine, [str(upload)], threading.Lock())
        finally:
            spoke.set()  # never leave the test waiting

    with stopped_build(notes, ix, "embed #1") as first:
        gen = current_generation(ix)
        thread = threading.Thread(target=add)
        thread.start()
        spoke.wait()
        assert "waiting for it to finish" in said[-1] and str(first.pid) in said[-1]
        assert current_generation(ix) == gen and "added" not in result
        kill_9(first)
        thread.join()
    assert result["added"] == (["tea.md"], [])
    assert any(n["path"].endswith("tea.md") for n in engine.notes())
