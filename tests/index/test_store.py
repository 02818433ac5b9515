from __future__ import annotations

import json

import numpy as np
import pytest

from chatbot.config import Settings
from chatbot.engine import Engine
from index import (
    IndexCorrupt,
    IndexMissing,
    IndexSettings,
    IndexStale,
    Searcher,
    build_index,
    load_index,
)
from index.store import FORMAT_VERSION, current_generation


def _settings(emb, **kw):
    return IndexSettings(emb.model_id, emb.dim, **kw)


def _build(notes_dir, folder, emb, **kw):
    return build_index([notes_dir], folder, emb, _settings(emb, **kw))


def test_save_load_gives_same_results(notes_dir, tmp_path, fake_embedder):
    rep = _build(notes_dir, tmp_path / "ix", fake_embedder)
    assert rep.notes == 1 and rep.chunks > 40 and not rep.errors
    a = Searcher(load_index(tmp_path / "ix"), fake_embedder).search("什么是PGC？", k=5)
    b = Searcher(load_index(tmp_path / "ix"), fake_embedder).search("什么是PGC？", k=5)
    assert [(h.chunk, h.score) for h in a] == [(h.chunk, h.score) for h in b]
    assert "PGC" in a[0].chunk.text
    for h in a:
        assert h.lexical >= 0 and -1 <= h.dense <= 1 and h.score >= 0


def test_files_are_json_and_faiss_not_pickle(notes_dir, tmp_path, fake_embedder):
    _build(notes_dir, tmp_path / "ix", fake_embedder)
    gen = current_generation(tmp_path / "ix")
    manifest = json.loads((gen / "manifest.json").read_text())
    assert manifest["model_id"] == fake_embedder.model_id and manifest["dim"] == 64
    assert manifest["chunk_size"] > 0 and manifest["notes"][0]["sha256"]
    assert manifest["format_version"] == FORMAT_VERSION
    for p in tmp_path.joinpath("ix").rglob("*"):
        if p.is_file():
            assert not p.read_bytes().startswith(b"\x80"), f"{p} looks like a pickle"


def test_rebuild_embeds_only_changed_text(notes_dir, tmp_path, fake_embedder):
    _build(notes_dir, tmp_path / "ix", fake_embedder)
    first = fake_embedder.calls
    rep = _build(notes_dir, tmp_path / "ix", fake_embedder)
    assert fake_embedder.calls == first and rep.embedded == 0 and rep.reused_notes == 1
    (notes_dir / "new.md").write_text("# 新笔记\n\n这是一条全新的笔记，讲的是量子计算。\n", "utf-8")
    rep = _build(notes_dir, tmp_path / "ix", fake_embedder)
    # One chunk and its heading; its one sentence, embedded under the title, is the
    # chunk's own text: two new texts, nothing else.
    assert fake_embedder.calls == first + 2 and rep.embedded == 2 and rep.notes == 2
    (notes_dir / "new.md").unlink()
    rep = _build(notes_dir, tmp_path / "ix", fake_embedder)
    loaded = load_index(tmp_path / "ix")
    assert all(c.note.endswith("aigc.md") for c in loaded.chunks)
    assert loaded.faiss_index.ntotal == rep.chunks


def test_faiss_top_k_equals_numpy_brute_force(notes_dir, tmp_path, fake_embedder):
    _build(notes_dir, tmp_path / "ix", fake_embedder)
    loaded = load_index(tmp_path / "ix")
    vecs = loaded.faiss_index.reconstruct_n(0, loaded.faiss_index.ntotal)
    rng = np.random.default_rng(0)
    for _ in range(20):
        q = rng.normal(size=64).astype(np.float32)
        q /= np.linalg.norm(q)
        scores, ids = loaded.faiss_index.search(q[None], 10)
        brute = np.argsort(-(vecs @ q), kind="stable")[:10]
        np.testing.assert_allclose(scores[0], (vecs @ q)[brute], rtol=1e-5, atol=1e-5)
        assert set(ids[0]) == set(brute)


def test_missing_index_is_reported(tmp_path):
    with pytest.raises(IndexMissing, match="no index"):
        load_index(tmp_path / "nothing")


def test_stale_settings_and_changed_notes_are_detected(notes_dir, tmp_path, fake_embedder):
    _build(notes_dir, tmp_path / "ix", fake_embedder)
    with pytest.raises(IndexStale, match="chunk_size"):
        load_index(tmp_path / "ix", _settings(fake_embedder, chunk_size=99))
    with pytest.raises(IndexStale, match="model_id"):
        load_index(tmp_path / "ix", IndexSettings("other-model", 64))
    (notes_dir / "aigc.md").write_text("# 改了\n\n内容变了。\n", "utf-8")
    with pytest.raises(IndexStale, match="changed"):
        load_index(tmp_path / "ix")


@pytest.mark.parametrize("victim", ["chunks.json", "dense.faiss", "manifest.json"])
def test_damaged_files_are_detected_and_rebuilt(notes_dir, tmp_path, fake_embedder, victim):
    _build(notes_dir, tmp_path / "ix", fake_embedder)
    path = current_generation(tmp_path / "ix") / victim
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    with pytest.raises(IndexCorrupt):
        load_index(tmp_path / "ix")
    said = []
    settings = Settings(
        index_dir=tmp_path / "ix", notes=(str(notes_dir),), upload_dir=tmp_path / "up"
    )
    engine = Engine(settings, embedder=fake_embedder, say=said.append).open()
    assert said and "building the index" in said[0]
    assert engine.ask("什么是PGC？").passages


def test_engine_rebuilds_when_model_differs(notes_dir, tmp_path, fake_embedder):
    settings = Settings(
        index_dir=tmp_path / "ix", notes=(str(notes_dir),), upload_dir=tmp_path / "up"
    )
    build_index([notes_dir], tmp_path / "ix", fake_embedder, IndexSettings("old-model", 64))
    said = []
    Engine(settings, embedder=fake_embedder, say=said.append).open()
    assert any("model_id" in s for s in said)
    assert (
        load_index(tmp_path / "ix", _settings(fake_embedder)).manifest["model_id"]
        == "fake-bigram-64"
    )


def test_a_prepared_note_is_not_embedded_again_by_the_build(notes_dir, tmp_path, fake_embedder):
    from index.prepare import commit_vectors, prepare_note

    ix = tmp_path / "ix"
    _build(notes_dir, ix, fake_embedder)
    new = notes_dir / "tea.md"
    new.write_text("# 茶\n\n白茶要用八十五度的水泡。绿茶要用八十度。\n", "utf-8")
    prepared = prepare_note(new.read_bytes(), str(new), ix, fake_embedder, _settings(fake_embedder))
    commit_vectors(ix, _settings(fake_embedder), prepared.vectors)
    calls = fake_embedder.calls
    rep = _build(notes_dir, ix, fake_embedder)
    assert rep.embedded == 0 and fake_embedder.calls == calls


def test_full_width_letters_and_digits_meet_the_words_typed_half_width(tmp_path, fake_embedder):
    """Chinese input methods type "ＭｕｓｉｃＬＭ" and "２０２３": the words are read as ASCII."""
    from index.lexical import tokenize

    assert tokenize("ＭｕｓｉｃＬＭ于２０２３年发布") == tokenize("MusicLM于2023年发布")
    notes = tmp_path / "notes"
    notes.mkdir()
    wide = "谷歌的ＭｕｓｉｃＬＭ于２０２３年１月发布，可以根据文字生成音乐。"
    (notes / "music.md").write_text(f"# 音乐\n\n{wide}\n", "utf-8")
    (notes / "other.md").write_text(
        "# 视频\n\n剪映App的视频生成系统可以把文字变成视频，也可以自动配乐。\n", "utf-8"
    )
    _build(notes, tmp_path / "ix", fake_embedder)
    loaded = load_index(tmp_path / "ix")
    hit = Searcher(loaded, fake_embedder).search("MusicLM是什么时候发布的？", k=2)[0]
    assert hit.chunk.note.endswith("music.md") and hit.lexical > 0
    assert wide in loaded.notes[hit.chunk.note]  # the note keeps its own characters


def test_progress_counts_the_texts_embedded_not_those_reused(notes_dir, tmp_path, fake_embedder):
    def build():
        seen = []
        settings = _settings(fake_embedder)
        report = build_index(
            [notes_dir],
            tmp_path / "ix",
            fake_embedder,
            settings,
            progress=lambda stage, done, total: seen.append((done, total)),
        )
        return report, seen

    rep, seen = build()
    assert seen and seen[-1] == (rep.embedded, rep.embedded)  # ends full, at what was embedded
    (notes_dir / "new.md").write_text("# 新笔记\n\n这是一条全新的笔记，讲的是量子计算。\n", "utf-8")
    rep, seen = build()
    assert seen[-1] == (rep.embedded, rep.embedded) and 0 < rep.embedded < 5
    assert {total for _, total in seen} == {rep.embedded}  # the reused note counts for nothing
