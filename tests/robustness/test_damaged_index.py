"""A damaged CURRENT or manifest never replaces the user's index with other notes.

Here the default notes (data/notes, the AIGC reading note) are the "other
source list": before, `ask` rebuilt a damaged index from them, exited 0 and
answered every question from the wrong notes.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest

from chatbot import cli
from index import IndexSettings, build_index
from index.generations import SOURCES, current_generation

from ..conftest import ROOT

QUESTION = "独角兽咖啡馆的招牌饮品是什么？"
USER_NOTES = {
    "cafe.md": "# 独角兽咖啡馆\n\n独角兽咖啡馆的招牌饮品是桂花冷萃，每天只卖五十杯。\n",
    "garden.md": "# 屋顶花园\n\n屋顶花园种了十二种香草，薄荷长得最快。\n",
    "trip.md": "# 旅行\n\n去年秋天我们在大理住了三周，每天骑车去洱海。\n",
}


@pytest.fixture
def user(tmp_path, monkeypatch, fake_embedder, capsys):
    """The user's own notes, indexed through the CLI; `run` calls the CLI in-process."""
    monkeypatch.setattr("chatbot.engine.load_embedder", lambda name: fake_embedder)
    monkeypatch.delenv("NOTECHAT_NOTES", raising=False)  # the default is data/notes
    monkeypatch.setenv("NOTECHAT_UPLOAD_DIR", str(tmp_path / "uploads"))
    notes = tmp_path / "mine"
    notes.mkdir()
    for name, text in USER_NOTES.items():
        (notes / name).write_text(text, "utf-8")
    ix = tmp_path / "ix"

    def run(*argv, stdin=""):
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = cli.main([*argv, "--index-dir", str(ix)])
        out, err = capsys.readouterr()
        return code, out, err

    assert run("index", str(notes))[0] == 0
    return notes, ix, run


def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]


def _flip_in_sources(data: bytes) -> bytes:
    """One bit of the recorded notes folder's name: still valid JSON, another folder."""
    at = data.index(b'"sources": [') + len(b'"sources": [\n  "') + 5
    return _flip(data, at)


CURRENT_DAMAGE = {
    "empty": lambda d: b"",
    "invalid utf-8": lambda d: b"gen-\xff\xfe00001\n",
    "missing generation": lambda d: b"gen-000099\n",
    "not a generation": lambda d: b"../../etc\n",
    "deleted": None,
}
MANIFEST_DAMAGE = {
    "empty": lambda d: b"",
    "half": lambda d: d[: len(d) // 2],
    "bit flipped": lambda d: _flip(d, len(d) // 2),
    "sources bit flipped": _flip_in_sources,
    "not an object": lambda d: b"[]",
}


def _damage(path, how) -> None:
    if how is None:
        path.unlink()
    else:
        path.write_bytes(how(path.read_bytes()))


def _answers_from(notes, out: str) -> set[str]:
    """The folders of the notes the answer's passages come from."""
    passages = json.loads(out)["passages"]
    assert passages
    return {os.path.dirname(p["note"]) for p in passages}


@pytest.mark.parametrize("damage", CURRENT_DAMAGE)
def test_damaged_current_recovers_the_complete_generation(user, damage):
    notes, ix, run = user
    gen = current_generation(ix)
    _damage(ix / "CURRENT", CURRENT_DAMAGE[damage])
    code, out, err = run("ask", "--json", QUESTION)
    assert code == 0, err
    assert "recovered the index" in err and gen.name in err
    assert _answers_from(notes, out) == {str(notes)}
    assert current_generation(ix) == gen  # CURRENT points at it again


@pytest.mark.parametrize("damage", MANIFEST_DAMAGE)
def test_damaged_manifest_is_rebuilt_from_its_own_notes(user, damage):
    notes, ix, run = user
    manifest = current_generation(ix) / "manifest.json"
    _damage(manifest, MANIFEST_DAMAGE[damage])
    code, out, err = run("ask", "--json", QUESTION)
    assert code == 0, err
    assert "from its own list of notes" in err and str(notes) in err
    assert _answers_from(notes, out) == {str(notes)}
    rebuilt = json.loads((current_generation(ix) / "manifest.json").read_text("utf-8"))
    assert rebuilt["sources"] == [str(notes)]


@pytest.mark.parametrize("lost", ["deleted", "damaged"])
def test_damaged_index_with_its_list_lost_is_refused_not_replaced(user, lost):
    notes, ix, run = user
    gen = current_generation(ix)
    (gen / "manifest.json").write_bytes(b"")
    if lost == "deleted":
        (ix / SOURCES).unlink()
    else:
        _damage(ix / SOURCES, lambda d: _flip(d, len(d) // 3))
    before = sorted(p.name for p in ix.iterdir())
    for argv in (("ask", QUESTION), ("ask", "--jsonl")):
        code, out, err = run(*argv, stdin='{"id": 1, "question": "hi"}\n')
        assert code == 2 and not out
        assert "python -m chatbot index PATH... --index-dir" in err and str(ix) in err
        assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert sorted(p.name for p in ix.iterdir()) == before  # nothing rebuilt, nothing removed
    assert current_generation(ix) == gen
    # What the message says to do works.
    assert run("index", str(notes))[0] == 0
    code, out, _ = run("ask", "--json", QUESTION)
    assert code == 0 and _answers_from(notes, out) == {str(notes)}


def test_index_of_a_missing_folder_leaves_the_index_as_it_was(user, tmp_path):
    notes, ix, run = user
    gen = current_generation(ix)
    code, _, err = run("index", str(tmp_path / "nowhere"))
    assert code == 2 and "nowhere" in err and "left as it was" in err
    assert current_generation(ix) == gen
    code, out, _ = run("ask", "--json", QUESTION)
    assert code == 0 and _answers_from(notes, out) == {str(notes)}


@pytest.mark.slow
def test_serve_refuses_a_damaged_index_whose_list_is_lost(tmp_path, fake_embedder):
    """The real `serve` in a subprocess: exit 2 and what to do, not a server of other notes."""
    notes = tmp_path / "mine"
    notes.mkdir()
    (notes / "cafe.md").write_text(USER_NOTES["cafe.md"], "utf-8")
    ix = tmp_path / "ix"
    build_index([notes], ix, fake_embedder, IndexSettings(fake_embedder.model_id, 64))
    (current_generation(ix) / "manifest.json").write_bytes(b"")
    (ix / SOURCES).unlink()
    env = dict(os.environ, HF_HUB_OFFLINE="1", NOTECHAT_UPLOAD_DIR=str(tmp_path / "up"))
    env.pop("NOTECHAT_NOTES", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "chatbot", "serve", "--index-dir", str(ix), "--port", "0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        ready = proc.stdout.readline()  # "" once it exits; a line if it started serving
    finally:
        if proc.poll() is None:
            proc.kill()
        code = proc.wait()
        err = proc.stderr.read()
        proc.stdout.close()
        proc.stderr.close()
    assert not ready and code == 2, err
    assert "python -m chatbot index PATH... --index-dir" in err and "Traceback" not in err
