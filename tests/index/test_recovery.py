"""index.recovery and index.generations: a damaged folder is recovered, rebuilt from its
own notes, or refused, and never rebuilt from the default notes."""

from __future__ import annotations

import json
import shutil

import pytest

from chatbot.config import Settings
from chatbot.engine import Engine
from index import IndexLost, IndexSettings, NothingToIndex, build_index, load_index
from index.generations import (
    SOURCES,
    current_generation,
    generations,
    open_sealed,
    read_sources,
    sealed_json,
)
from index.recovery import recorded_sources, sources_of


def _build(notes, ix, emb):
    return build_index([notes], ix, emb, IndexSettings(emb.model_id, emb.dim))


def _engine(ix, emb, said, default_notes):
    settings = Settings(index_dir=ix, notes=(str(default_notes),), upload_dir=ix.parent / "up")
    return Engine(settings, embedder=emb, say=said.append)


@pytest.fixture
def other_notes(tmp_path):
    """Stands for data/notes: the notes a damaged index must never be rebuilt from."""
    d = tmp_path / "default"
    d.mkdir()
    (d / "other.md").write_text("# 别的\n\n这是另一份笔记，与用户无关。\n", "utf-8")
    return d


def test_current_with_invalid_utf8_names_no_generation(tmp_path, notes_dir, fake_embedder):
    _build(notes_dir, tmp_path / "ix", fake_embedder)
    for raw in (b"gen-\xff00001\n", b"\xef\xbb\xbfgen-000001\n", b"", b"gen-000001\x00"):
        (tmp_path / "ix" / "CURRENT").write_bytes(raw)
        assert current_generation(tmp_path / "ix") is None


def test_sealed_json_detects_every_single_bit_flip():
    body = {"sources": ["/home/用户/notes", "/mnt/b"], "n": [1, 2.5, None]}
    data = sealed_json(body)
    for at in range(len(data)):
        for bit in (0x01, 0x20):
            flipped = data[:at] + bytes([data[at] ^ bit]) + data[at + 1 :]
            try:
                got = open_sealed(flipped)
            except ValueError:
                continue
            # Only a flip in the word "checksum" itself goes through: the content is intact.
            assert {k: v for k, v in got.items() if k in body} == body, (at, bit)


def test_sources_are_recorded_outside_the_generation(tmp_path, notes_dir, fake_embedder):
    ix = tmp_path / "ix"
    _build(notes_dir, ix, fake_embedder)
    assert read_sources(ix) == [str(notes_dir)]
    (current_generation(ix) / "manifest.json").write_bytes(b"{")
    assert recorded_sources(ix) == [str(notes_dir)]
    (ix / SOURCES).unlink()
    assert recorded_sources(ix) is None
    with pytest.raises(IndexLost, match="--index-dir"):
        sources_of(ix, ["/default"])
    assert sources_of(tmp_path / "never-built", ["/default"]) == ["/default"]


def test_engine_open_recovers_a_damaged_current(tmp_path, notes_dir, fake_embedder, other_notes):
    ix = tmp_path / "ix"
    _build(notes_dir, ix, fake_embedder)
    (ix / "CURRENT").write_bytes(b"gen-\xff")
    said = []
    engine = _engine(ix, fake_embedder, said, other_notes).open()
    assert "recovered" in said[-1]
    assert {c.note for c in engine.searcher.chunks} == {str(notes_dir / "aigc.md")}
    assert load_index(ix).chunks  # CURRENT repaired


def test_recovery_takes_the_newest_generation_whose_files_verify(
    tmp_path, notes_dir, fake_embedder, other_notes
):
    ix = tmp_path / "ix"
    _build(notes_dir, ix, fake_embedder)
    live = current_generation(ix)
    older = live.with_name("gen-000000")
    shutil.copytree(live, older)  # as a build killed before its clean-up leaves it
    (live / "chunks.json").write_bytes(b"[]")
    said = []
    engine = _engine(ix, fake_embedder, said, other_notes).open()
    assert "recovered" in said[-1] and older.name in said[-1]
    assert engine.searcher.chunks and current_generation(ix) == older


def test_engine_open_rebuilds_a_damaged_generation_from_its_own_notes(
    tmp_path, notes_dir, fake_embedder, other_notes
):
    ix = tmp_path / "ix"
    _build(notes_dir, ix, fake_embedder)
    gen = current_generation(ix)
    (gen / "manifest.json").write_bytes(b"")
    (ix / "CURRENT").write_bytes(b"")
    said = []
    engine = _engine(ix, fake_embedder, said, other_notes).open()
    assert "own list of notes" in said[-1]
    assert {c.note for c in engine.searcher.chunks} == {str(notes_dir / "aigc.md")}


def test_engine_open_refuses_when_the_list_is_lost(tmp_path, notes_dir, fake_embedder, other_notes):
    ix = tmp_path / "ix"
    _build(notes_dir, ix, fake_embedder)
    (current_generation(ix) / "manifest.json").write_bytes(b"half a manif")
    (ix / SOURCES).write_bytes(b"")
    with pytest.raises(IndexLost, match="python -m chatbot index PATH"):
        _engine(ix, fake_embedder, [], other_notes).open()
    assert [g.name for g in generations(ix)] == ["gen-000001"]


def test_a_build_that_finds_no_note_leaves_the_index(tmp_path, notes_dir, fake_embedder):
    ix = tmp_path / "ix"
    _build(notes_dir, ix, fake_embedder)
    before = current_generation(ix)
    empty = tmp_path / "empty"
    empty.mkdir()
    for where in (empty, tmp_path / "unmounted"):
        with pytest.raises(NothingToIndex, match="left as it was"):
            _build(where, ix, fake_embedder)
    assert current_generation(ix) == before and generations(ix) == [before]
    assert load_index(ix).chunks and read_sources(ix) == [str(notes_dir)]


@pytest.mark.parametrize(
    "edit",
    [
        lambda m: m["notes"][0].pop("path"),
        lambda m: m.update(notes={"a": 1}),
        lambda m: m.update(files=["chunks.json"]),
        lambda m: m["notes"][0].update(sha256=None),
    ],
)
def test_a_hand_edited_manifest_is_damaged_not_a_crash(
    tmp_path, notes_dir, fake_embedder, other_notes, edit
):
    ix = tmp_path / "ix"
    _build(notes_dir, ix, fake_embedder)
    path = current_generation(ix) / "manifest.json"
    manifest = json.loads(path.read_text("utf-8"))
    manifest.pop("checksum")  # as a manifest written before checksums existed
    edit(manifest)
    path.write_text(json.dumps(manifest), "utf-8")
    said = []
    engine = _engine(ix, fake_embedder, said, other_notes).open()
    assert "own list of notes" in said[-1]
    assert {c.note for c in engine.searcher.chunks} == {str(notes_dir / "aigc.md")}
