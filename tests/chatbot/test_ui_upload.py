"""Adding notes by upload: safe names, refusals, and the new note answerable without restart."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from gradio_client import Client, handle_file

from chatbot import ui, uploads
from chatbot.config import Settings
from chatbot.engine import Engine

from ..conftest import SEED_NOTE, FakeEmbedder
from .test_ui_api import running

FACT = "独角兽咖啡馆的招牌饮品是薰衣草燕麦拿铁，每天只卖九十九杯。"
QUESTION = "独角兽咖啡馆的招牌饮品是什么？"


@pytest.fixture
def engine(tmp_path) -> Engine:
    notes = tmp_path / "notes"
    notes.mkdir()
    shutil.copy(SEED_NOTE, notes / "aigc.md")
    settings = Settings(
        index_dir=tmp_path / "index", notes=(str(notes),), upload_dir=tmp_path / "data" / "uploads"
    )
    return Engine(settings, embedder=FakeEmbedder(), say=lambda m: None).open()


def note_file(tmp_path: Path, name: str, text: str = f"# 咖啡\n\n{FACT}\n") -> Path:
    p = tmp_path / "incoming" / name
    p.parent.mkdir(exist_ok=True)
    p.write_text(text, "utf-8")
    return p


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


def test_names_are_sanitised_into_the_upload_dir(tmp_path):
    up = tmp_path / "uploads"
    src = note_file(tmp_path, "x.md")
    before = files_under(tmp_path)
    for hostile in ("../../evil.md", "/etc/evil.md", "..\\..\\evil.md", "sub/../../evil.md"):
        assert uploads.save_upload(src, hostile, up) == up.resolve() / "evil.md"
    assert files_under(tmp_path) - before == {up / "evil.md"}
    assert uploads.safe_name("读书 笔记<1>.MARKDOWN") == "读书_笔记_1.markdown"
    assert uploads.safe_name("...md.txt") == "md.txt"
    assert uploads.safe_name("..md") == "note.md"


@pytest.mark.parametrize("name", ["evil.exe", "page.html", "notes.md.py", "README", "a.pdf"])
def test_other_types_are_refused(tmp_path, name):
    with pytest.raises(uploads.UploadError, match="only .md"):
        uploads.save_upload(note_file(tmp_path, "x.md"), name, tmp_path / "uploads")
    assert not (tmp_path / "uploads").exists()


def test_too_large_and_binary_are_refused(tmp_path):
    big = tmp_path / "big.md"
    with big.open("wb") as f:
        f.truncate(uploads.MAX_UPLOAD_BYTES + 1)
    with pytest.raises(uploads.UploadError, match="5 MB"):
        uploads.save_upload(big, "big.md", tmp_path / "uploads")
    binary = tmp_path / "bin.md"
    binary.write_bytes(b"\x7fELF\x00\x00\x01")
    with pytest.raises(uploads.UploadError, match="not a text file"):
        uploads.save_upload(binary, "bin.md", tmp_path / "uploads")


def test_uploaded_note_is_answerable_without_restart(engine, tmp_path):
    upload_dir = engine.settings.upload_dir
    added, refused = uploads.add_notes(
        engine,
        [str(note_file(tmp_path, "咖啡.md")), str(note_file(tmp_path, "x.exe"))],
        threading.Lock(),
    )
    assert added == ["咖啡.md"] and len(refused) == 1 and "x.exe" in refused[0]
    assert {Path(n["path"]).name: n["chunks"] for n in engine.notes()}["咖啡.md"] >= 1
    ans = engine.ask(QUESTION)
    assert Path(ans.passages[0].chunk.note).parent == upload_dir.resolve()
    assert FACT in ans.passages[0].chunk.text
    assert all(Path(c.note).name == "咖啡.md" for c in ans.citations)


def test_upload_through_the_served_app(engine, tmp_path):
    src = note_file(tmp_path, "cafe.md")
    with running(ui.build_app(engine)) as url:
        notes_html, _ = Client(url, verbose=False).predict(
            [handle_file(str(src))], api_name="/add_notes"
        )
    assert "cafe.md" in notes_html and (engine.settings.upload_dir / "cafe.md").is_file()
    assert "cafe.md" in engine.ask(QUESTION).passages[0].chunk.note
