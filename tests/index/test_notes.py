from __future__ import annotations

import os

import pytest

from index.notes import NoteError, decode_bytes, find_notes, parse_note, read_note

from ..conftest import SEED_NOTE


def test_seed_note_front_matter_parsed_with_library():
    note = read_note(SEED_NOTE)
    assert note.title == "读书笔记从ChatGPT到AIGC智能创作与应用赋能"
    assert "Aigc" in note.meta["tags"]
    assert str(note.meta["date"]).startswith("2025-02-26")
    assert note.text[note.body_start :].lstrip().startswith("# 读书笔记")


def test_shipped_note_is_byte_for_byte_the_shared_one():
    shared = SEED_NOTE.parents[2].parent / "shared" / "corpus" / SEED_NOTE.name
    if not shared.exists():
        pytest.skip("shared/ not beside the project")
    assert SEED_NOTE.read_bytes() == shared.read_bytes()


@pytest.mark.parametrize("enc", ["gbk", "gb18030", "utf-8", "utf-8-sig"])
def test_chinese_encodings_are_detected_not_garbled(enc):
    text, _ = decode_bytes("# 标题\n\n这是一条中文笔记，包含数字人平台。\n".encode(enc))
    assert text.startswith("# 标题") and "数字人平台" in text


def test_invalid_bytes_do_not_stop_a_note():
    note = parse_note(b"# T\n\nok \xff\xfe\xfd text\n", "x.md")
    assert "ok" in note.text and "text" in note.text


def test_broken_front_matter_is_ignored_not_indexed():
    note = parse_note(b"---\ntitle: [unclosed\n---\n\n# Real\n\nBody.\n", "b.md")
    assert note.meta == {}
    assert note.text[note.body_start :].startswith("\n# Real")


def test_missing_note_raises_with_path(tmp_path):
    with pytest.raises(NoteError, match="no such note"):
        read_note(tmp_path / "nope.md")


def test_find_notes_recurses_and_skips(tmp_path):
    (tmp_path / "a.md").write_text("a")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.txt").write_text("b")
    (tmp_path / "sub" / "c.markdown").write_text("c")
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    (tmp_path / ".hidden.md").write_text("h")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.md").write_text("x")
    os.symlink(tmp_path, tmp_path / "sub" / "loop")
    found = find_notes([tmp_path, tmp_path / "missing"])
    names = sorted(os.path.basename(f) for f in found.files)
    assert names == ["a.md", "b.txt", "c.markdown"]
    assert found.skipped >= 3
    assert found.missing == [str(tmp_path / "missing")]
