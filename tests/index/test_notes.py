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


# --- hostile and unlucky input (issue 11) -------------------------------------

BOMB = "\n".join(
    ["---", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [
        f"{c}: &{c} [" + ",".join([f"*{p}"] * 9) + "]"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    ]
    + ["title: *i", "---", "", "# 正文", "", "前言是炸弹，但正文还在。", ""]
)


def test_alias_bomb_front_matter_is_refused_and_the_body_kept():
    assert len(BOMB.encode()) < 700  # 9**9 "lol"s once expanded
    note = parse_note(BOMB.encode(), "bomb.md")
    assert note.meta == {} and note.title == "正文"
    assert note.text[note.body_start :].lstrip().startswith("# 正文")
    assert any("bomb.md" in w and "alias" in w for w in note.warnings)


@pytest.mark.parametrize(
    "yaml_text, why",
    [
        ("a: &a [*a]", "contains it"),  # recursive alias
        ("x: " + "[" * 100 + "]" * 100, "deeper"),
        ("base: &b {k: v}\nc:\n  <<: *b\n  d: 1", None),  # a modest alias is fine
    ],
)
def test_front_matter_budget(yaml_text, why):
    note = parse_note(f"---\n{yaml_text}\n---\n# B\n\nbody\n".encode(), "f.md")
    if why is None:
        assert note.meta["c"] == {"k": "v", "d": 1} and not note.warnings
    else:
        assert note.meta == {} and why in " ".join(note.warnings)


def test_title_and_tags_become_short_plain_text():
    fm = (
        '---\ntitle: "\\e[2J\\a' + "长" * 500 + '"\n'
        "tags: [a, [nested], {k: v}, 3, " + ", ".join(f"t{i}" for i in range(80)) + "]\n---\nx\n"
    )
    note = parse_note(fm.encode(), "t.md")
    assert note.title == "[2J " + "长" * 196 and len(note.title) == 200
    # Sorted (the order scoped questions list them in), at most 50.
    assert note.meta["tags"][:3] == ["3", "a", "t0"] and len(note.meta["tags"]) <= 50
    note = parse_note(b"---\ntitle: [not, text]\n---\n# Heading\n", "t.md")
    assert note.title == "Heading" and "title is not text" in note.warnings[0]


def test_front_matter_larger_than_its_budget_stays_body_text():
    big = "---\n" + "k: v\n" * 5000 + "---\n# B\n\nbody\n"
    note = parse_note(big.encode(), "big.md")
    assert note.body_start == 0 and note.meta == {}


@pytest.mark.parametrize("enc", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize(
    "text",
    [
        "# 数字人\n\n百度的数字人平台叫曦灵。\n",
        "# Notes\n\nA plain English note.\n",
        "数字人平台叫曦灵，一个平台。\n" * 40,  # next to no ASCII: few NULs, some on each side
    ],
)
def test_utf16_without_bom_is_read(enc, text):
    note = parse_note(text.encode(enc), "u16.md")
    assert note.text == text and note.encoding == enc
    assert any("no byte-order mark" in w for w in note.warnings)


def test_stray_nuls_never_turn_a_note_into_utf16():
    text = "# en\n\nan English note\x00 with a few\x00 NUL bytes\x00 in it, 数字人。\n" * 20
    assert parse_note(text.encode(), "nul.md").encoding == "utf-8"


def test_utf16_and_utf32_with_bom_are_read():
    text = "# 标题\n\n正文。\n"
    for enc in ("utf-16", "utf-32"):
        assert parse_note(text.encode(enc), "b.md").text == text


def test_a_gbk_paragraph_in_a_utf8_note_is_kept_and_reported():
    data = (
        "# 标题\n\n这是第一段，用UTF-8写的。\n\n".encode()
        + "这一段是GBK编码的中文内容。\n\n".encode("gbk")
        + "最后一段又是UTF-8。\n".encode()
    )
    note = parse_note(data, "mixed.md")
    assert "这一段是GBK编码的中文内容。" in note.text and "\ufffd" not in note.text
    assert "最后一段又是UTF-8。" in note.text and "这是第一段" in note.text
    assert note.warnings == ("mixed.md: line 5 not UTF-8; read as GB18030 (GBK)",)


def test_a_gbk_note_is_still_read_whole():
    text = "# 国标\n\n这是GBK编码的笔记。\n第二行也是。\n"
    note = parse_note(text.encode("gbk"), "gbk.md")
    assert note.text == text and note.encoding == "gb18030" and not note.warnings


@pytest.mark.parametrize(
    "data, kind",
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "PNG"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "PDF"),
        (b"PK\x03\x04\x14\x00\x06\x00", "ZIP"),
        (bytes((i * 7919 + 13) % 256 for i in range(4096)), "control bytes"),
    ],
)
def test_binary_files_are_refused_as_not_text(data, kind):
    with pytest.raises(NoteError, match=f"not a text file.*{kind}"):
        parse_note(data, "photo.md")


def test_note_limits_name_the_note_and_the_limit(tmp_path):
    from index import notes

    with pytest.raises(NoteError, match=r"lines.md: 100,001 lines.*limit of 100,000"):
        parse_note(b"x\n" * 100_001, "lines.md")
    assert parse_note(b"x\n" * 100_000, "lines.md")  # the limit itself is fine
    with pytest.raises(NoteError, match=r"gbk.md: 100,001 lines"):  # read line by line
        parse_note("国标\n".encode("gbk") + b"\xff\n" * 100_000, "gbk.md")
    big = tmp_path / "big.md"
    with big.open("wb") as fh:  # sparse: no disk used
        fh.truncate(notes.MAX_NOTE_BYTES + 1)
    with pytest.raises(NoteError, match=r"big.md: larger than the limit of 20.0 MB"):
        read_note(big)


def test_links_outside_the_folders_are_skipped_and_counted(tmp_path):
    notes, outside = tmp_path / "notes", tmp_path / "outside"
    (notes / "sub").mkdir(parents=True)
    outside.mkdir()
    (outside / "passwd").write_text("root:x:0:0:root:/root:/bin/bash\n")
    (outside / "secret.md").write_text("# secret\n")
    (notes / "a.md").write_text("# a\n")
    os.symlink(outside / "passwd", notes / "passwd.md")  # a file link out
    os.symlink(outside, notes / "out")  # a folder link out
    os.symlink(tmp_path.anchor, notes / "root")  # the whole file system
    os.symlink(notes / "a.md", notes / "sub" / "again.md")  # inside: followed (then deduplicated)
    os.symlink(notes / "sub", notes / "inner")  # a folder link inside: followed
    os.symlink(notes, notes / "sub" / "loop")  # a loop
    found = find_notes([notes])
    assert [os.path.relpath(f, notes) for f in found.files] == ["a.md"]
    assert len(found.outside_links) == 3
    assert "3 link(s) lead outside" in found.warnings[0] and "--follow-links" in found.warnings[0]
    named = find_notes([notes / "a.md", notes / "sub"])  # a.md named: a link to it is inside
    assert [os.path.basename(f) for f in named.files] == ["a.md"]
    assert [os.path.basename(link) for link, _ in named.outside_links] == ["loop"]
    other = tmp_path / "other"  # no link to the root here: following links is allowed
    other.mkdir()
    os.symlink(outside / "passwd", other / "passwd.md")
    os.symlink(outside, other / "out")
    followed = find_notes([other], follow_links=True)
    assert {os.path.basename(f) for f in followed.files} == {"passwd.md", "secret.md"}


def test_file_names_that_are_not_utf8_are_reported_not_fatal(tmp_path):
    folder = os.fsencode(tmp_path)
    with open(os.path.join(folder, "读书笔记.md".encode("gbk")), "wb") as fh:
        fh.write("# 读书\n\n内容。\n".encode())
    os.mkdir(os.path.join(folder, "资料".encode("gbk")))
    (tmp_path / "ok.md").write_text("# ok\n")
    found = find_notes([tmp_path])
    assert [os.path.basename(f) for f in found.files] == ["ok.md"]
    assert len(found.errors) == 2 and all("not valid UTF-8" in e for e in found.errors)
    assert any("name as GBK: 读书笔记.md" in e for e in found.errors)
    for e in found.errors:
        e.encode("utf-8")  # printable: no surrogates left in the message
