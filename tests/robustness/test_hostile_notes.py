"""Odd and hostile notes are indexed or refused with a message; nothing else breaks."""

from __future__ import annotations

import os

from index import IndexSettings, Searcher, build_index, load_index


def _build(folder, tmp_path, emb):
    return build_index([folder], tmp_path / "ix", emb, IndexSettings(emb.model_id, emb.dim))


def test_hostile_notes_are_indexed_or_refused(tmp_path, fake_embedder):
    d = tmp_path / "notes"
    d.mkdir()
    (d / "script.md").write_text(
        "# 脚本\n\n<script>alert(1)</script> 这段笔记里有脚本标签。\n", "utf-8"
    )
    (d / "html.md").write_text(
        "# HTML\n\n<div onclick='x()'><img src=x onerror=alert(1)>原始HTML内容</div>\n", "utf-8"
    )
    (d / "frontmatter.md").write_text(
        "---\ntitle: [broken\n  - : :\n---\n\n# 正文\n\n前言坏了但正文还在。\n", "utf-8"
    )
    (d / "bytes.md").write_bytes(b"# bytes\n\n\xff\xfe\x00\x81 valid text after junk\n")
    (d / "gbk.txt").write_bytes("# 国标\n\n这是GBK编码的笔记，讲的是数字人平台。\n".encode("gbk"))
    (d / "empty.md").write_text("", "utf-8")
    (d / "oneline.md").write_text("字" * 300_000, "utf-8")  # data, not prose: refused
    os.symlink(d, d / "loop")  # a folder that contains itself
    rep = _build(d, tmp_path, fake_embedder)
    assert any("oneline.md" in e and "not indexed" in e for e in rep.errors)
    assert rep.notes == 6  # all but the one-line data file
    loaded = load_index(tmp_path / "ix")
    texts = "\n".join(c.text for c in loaded.chunks)
    assert "<script>alert(1)</script>" in texts  # kept as text; escaping is the UI's job
    assert (
        "前言坏了但正文还在" in texts and "数字人平台" in texts and "valid text after junk" in texts
    )
    for c in loaded.chunks:
        assert loaded.notes[c.note][c.start : c.end] == c.text
    hits = Searcher(loaded, fake_embedder).search("数字人平台", k=3)
    assert hits and hits[0].chunk.note.endswith("gbk.txt")


def test_five_megabytes_on_one_line_is_refused_quickly(tmp_path, fake_embedder):
    import time

    d = tmp_path / "n"
    d.mkdir()
    (d / "big.md").write_text("# big\n\n" + "字" * 5_000_000, "utf-8")
    (d / "ok.md").write_text("# ok\n\n正常的笔记。\n", "utf-8")
    t0 = time.perf_counter()
    rep = _build(d, tmp_path, fake_embedder)
    assert time.perf_counter() - t0 < 10
    assert rep.notes == 1 and any("big.md" in e for e in rep.errors)


def test_unreadable_note_is_reported_and_others_indexed(tmp_path, fake_embedder):
    d = tmp_path / "n"
    d.mkdir()
    (d / "ok.md").write_text("# ok\n\n正常的笔记。\n", "utf-8")
    bad = d / "locked.md"
    bad.write_text("# secret\n\ntext\n", "utf-8")
    bad.chmod(0)
    try:
        if os.access(bad, os.R_OK):  # root reads anything: make it a dangling link instead
            bad.chmod(0o644)
            bad.unlink()
            os.symlink(d / "gone.md", bad)
        rep = _build(d, tmp_path, fake_embedder)
    finally:
        if bad.exists():
            bad.chmod(0o644)
    assert rep.notes == 1
