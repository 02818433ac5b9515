"""Odd and hostile notes are indexed or refused with a message; nothing else breaks."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from index import IndexSettings, Searcher, build_index, load_index

from ..conftest import ROOT, SEED_NOTE
from ..index.test_notes import BOMB  # one alias bomb for both suites


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


def test_five_megabytes_on_one_line_is_refused_before_any_work(tmp_path, fake_embedder):
    """Refused as read, not chunked or embedded (said without timing: machines differ)."""
    d = tmp_path / "n"
    d.mkdir()
    (d / "big.md").write_text("# big\n\n" + "字" * 5_000_000, "utf-8")
    (d / "ok.md").write_text("# ok\n\n正常的笔记。\n", "utf-8")
    seen: list[str] = []
    embed = fake_embedder.embed_passages
    fake_embedder.embed_passages = lambda texts: seen.extend(texts) or embed(texts)
    rep = _build(d, tmp_path, fake_embedder)
    assert rep.notes == 1 and any("big.md" in e and "line over" in e for e in rep.errors)
    assert seen and not any("字字字" in t for t in seen)  # only the small note was embedded


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


# --- issue 11: hostile front matter, links, names, sizes ----------------------

# A 700-byte note whose title expands to 9**9 strings: 5.6 GB before the fix.

# `python -m chatbot` in a child process with the fake embedder and its address
# space capped at 1 GB (a normal run needs ~150 MB), so a runaway allocation
# fails there instead of taking the machine.
CLI = textwrap.dedent(
    """
    import resource, sys
    resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30))
    sys.path.insert(0, {root!r})
    sys.path.insert(0, {tests!r})
    from conftest import FakeEmbedder
    import chatbot.engine
    chatbot.engine.load_embedder = lambda name: FakeEmbedder()
    from chatbot import cli
    code = cli.main(sys.argv[1:])
    # VmHWM is this program's own peak (ru_maxrss would include the forking parent's).
    status = open("/proc/self/status").read()
    peak = int(status.split("VmHWM:")[1].split()[0]) // 1024
    print("peak MB", peak, file=sys.stderr)
    sys.exit(code)
    """
)


def _cli(tmp_path, *argv):
    script = tmp_path / "cli.py"
    script.write_text(CLI.format(root=str(ROOT), tests=str(ROOT / "tests")), "utf-8")
    return subprocess.run(
        [sys.executable, str(script), *map(str, argv)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=dict(os.environ, HF_HUB_OFFLINE="1", NOTECHAT_UPLOAD_DIR=str(tmp_path / "up")),
    )


def test_alias_bomb_through_the_index_command(tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "bomb.md").write_text(BOMB, "utf-8")
    (notes / "aigc.md").write_bytes(SEED_NOTE.read_bytes())
    proc = _cli(tmp_path, "index", notes, "--index-dir", tmp_path / "ix")
    assert "Traceback" not in proc.stderr and "MemoryError" not in proc.stderr
    assert proc.returncode == 0, proc.stderr
    assert "indexed 2 note(s)" in proc.stdout
    said = [ln for ln in proc.stderr.splitlines() if "bomb.md" in ln]
    assert len(said) == 1 and "front matter refused" in said[0] and "alias" in said[0]
    assert int(proc.stderr.rsplit("peak MB", 1)[1]) < 600
    loaded = load_index(tmp_path / "ix")
    body = [c for c in loaded.chunks if c.note.endswith("bomb.md")]
    assert body and body[0].title == "正文" and "正文还在" in body[0].text


def test_links_out_of_the_notes_folder_are_not_indexed(tmp_path, fake_embedder):
    d, outside = tmp_path / "notes", tmp_path / "private"
    d.mkdir()
    outside.mkdir()
    (outside / "passwd").write_text("root:x:0:0:root:/root:/bin/bash\n", "utf-8")
    (outside / "diary.md").write_text("# 日记\n\n我的银行密码是一二三四。\n", "utf-8")
    (d / "ok.md").write_text("# ok\n\n正常的笔记。\n", "utf-8")
    os.symlink(outside / "passwd", d / "passwd.md")
    os.symlink(outside, d / "private")
    os.symlink(tmp_path.anchor, d / "root")  # a folder link to the file system's root
    rep = _build(d, tmp_path, fake_embedder)
    assert rep.notes == 1 and not rep.errors
    assert any("3 link(s) lead outside" in w for w in rep.warnings)
    texts = "\n".join(c.text for c in load_index(tmp_path / "ix").chunks)
    assert "root:x:0:0" not in texts and "银行密码" not in texts


def test_a_name_that_is_not_utf8_does_not_stop_the_index(tmp_path, fake_embedder):
    d = tmp_path / "notes"
    d.mkdir()
    gbk = os.path.join(os.fsencode(d), "读书笔记.md".encode("gbk"))  # as unzipped from GBK
    with open(gbk, "wb") as fh:
        fh.write("# 读书\n\n这本书讲数字人。\n".encode())
    (d / "ok.md").write_text("# ok\n\n正常的笔记。\n", "utf-8")
    rep = _build(d, tmp_path, fake_embedder)
    assert rep.notes == 1
    assert len(rep.errors) == 1 and "not valid UTF-8" in rep.errors[0]
    assert "读书笔记.md" in rep.errors[0] and "rename" in rep.errors[0]
    assert [os.path.basename(n["path"]) for n in load_index(tmp_path / "ix").manifest["notes"]] == [
        "ok.md"
    ]


def test_binary_renamed_md_is_refused_with_a_message(tmp_path, fake_embedder):
    d = tmp_path / "notes"
    d.mkdir()
    (d / "photo.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    (d / "archive.txt").write_bytes(b"PK\x03\x04\x14\x00" + bytes(range(256)) * 4)
    (d / "ok.md").write_text("# ok\n\n正常的笔记。\n", "utf-8")
    rep = _build(d, tmp_path, fake_embedder)
    assert rep.notes == 1
    assert sorted(e.split(": ", 1)[1] for e in rep.errors) == [
        "not a text file (a PNG image); not indexed",
        "not a text file (a ZIP archive (or .docx/.xlsx/.epub)); not indexed",
    ]


def test_size_and_line_limits_are_enforced_by_the_build(tmp_path, fake_embedder):
    from index import notes

    d = tmp_path / "notes"
    d.mkdir()
    with (d / "huge.md").open("wb") as fh:  # sparse: 25 MB that take no disk
        fh.truncate(25 * 2**20)
    (d / "lines.txt").write_bytes(b"short line\n" * (notes.MAX_NOTE_LINES + 5))
    (d / "ok.md").write_text("# ok\n\n正常的笔记。\n", "utf-8")
    rep = _build(d, tmp_path, fake_embedder)
    assert rep.notes == 1
    why = {os.path.basename(e.split(":")[0]): e for e in rep.errors}
    assert "larger than the limit of 20.0 MB" in why["huge.md"]
    assert "100,005 lines, more than the limit of 100,000" in why["lines.txt"]
