"""Adding notes by upload: safe names, refusals, and the new note answerable without restart."""

from __future__ import annotations

import re
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
    assert re.fullmatch(
        r"读书 笔记_1-[0-9a-f]{8}\.markdown", uploads.safe_name("读书 笔记<1>.MARKDOWN")
    )
    assert re.fullmatch(r"md-[0-9a-f]{8}\.txt", uploads.safe_name("...md.txt"))
    assert re.fullmatch(r"note-[0-9a-f]{8}\.md", uploads.safe_name("..md"))
    assert uploads.safe_name("读书 笔记.md") == "读书 笔记.md"  # nothing to change: no hash


@pytest.mark.parametrize("name", ["evil.exe", "old.doc", "notes.md.py", "README", "a.xlsx"])
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
    added, refused, _ = uploads.add_notes(
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


# --- issue 11: names that collide, limits, and a big upload beside a small one --


class SpyLock:
    """A lock that records whether anyone took it."""

    def __init__(self) -> None:
        self._lock, self.taken = threading.Lock(), 0

    def __enter__(self):
        self.taken += 1
        return self._lock.__enter__()

    def __exit__(self, *exc):
        return self._lock.__exit__(*exc)


def test_names_that_sanitise_alike_stay_two_notes(engine, tmp_path):
    a = note_file(tmp_path, "a.md", "# 甲\n\n甲笔记说咖啡馆在东边。\n")
    b = note_file(tmp_path, "b.md", "# 乙\n\n乙笔记说咖啡馆在西边。\n")
    names = ["读书:笔记.md", "读书?笔记.md"]
    added = []
    for src, name in zip((a, b), names, strict=True):
        added += uploads.add_notes(engine, [_Named(src, name)], SpyLock()).added
    assert len(set(added)) == 2
    files = sorted(p.read_text("utf-8") for p in engine.settings.upload_dir.iterdir())
    assert [f.splitlines()[0] for f in files] == ["# 乙", "# 甲"]  # neither replaced the other
    again = uploads.add_notes(engine, [_Named(a, names[0])], SpyLock()).added
    assert again == added[:1]  # the same name still updates its own note


class _Named:
    """What Gradio hands over: a temp file path under a name the user chose."""

    def __init__(self, path: Path, name: str) -> None:
        self.name = str(path.parent / name)
        shutil.copy(path, self.name)


def test_refused_uploads_never_take_the_lock(engine, tmp_path):
    lines = note_file(tmp_path, "lines.md", "短行\n" * 100_001)
    binary = tmp_path / "incoming" / "photo.md"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    lock = SpyLock()
    added, refused, _ = uploads.add_notes(engine, [str(lines), str(binary)], lock)
    assert added == [] and lock.taken == 0
    assert "lines.md: 100,001 lines, more than the limit of 100,000" in refused[0]
    assert "photo.md: not a text file (a PNG image)" in refused[1]
    assert str(tmp_path) not in " ".join(refused)  # no server paths in what the browser shows
    assert not engine.settings.upload_dir.exists() or not any(engine.settings.upload_dir.iterdir())


def test_too_many_texts_are_refused_before_embedding(engine, tmp_path, monkeypatch):
    monkeypatch.setattr("index.chunking.MAX_NOTE_TEXTS", 30)
    many = note_file(tmp_path, "many.md", "# 多\n\n" + "".join(f"第{i}句。" for i in range(50)))
    calls = engine.embedder.calls
    added, refused, _ = uploads.add_notes(engine, [str(many)], SpyLock())
    assert added == [] and "limit of 30 per note" in refused[0]
    assert engine.embedder.calls == calls


def test_alias_bomb_upload_is_indexed_without_its_front_matter(engine, tmp_path):
    from ..robustness.test_hostile_notes import BOMB

    src = note_file(tmp_path, "bomb.md", BOMB)
    added, refused, notices = uploads.add_notes(engine, [str(src)], SpyLock())
    assert added == ["bomb.md"] and not refused
    assert len(notices) == 1 and notices[0].startswith("bomb.md: front matter refused")
    later = uploads.add_notes(engine, [str(note_file(tmp_path, "咖啡.md"))], SpyLock())
    assert later.added == ["咖啡.md"]  # later uploads still work
    assert FACT in engine.ask(QUESTION).passages[0].chunk.text


class _GatedEmbedder(FakeEmbedder):
    """Blocks while embedding any batch holding `GATE` until released."""

    GATE = "大文件"

    def __init__(self) -> None:
        super().__init__()
        self.started, self.release = threading.Event(), threading.Event()

    def embed_passages(self, texts):
        if any(self.GATE in t for t in texts):
            self.started.set()
            self.release.wait()
        return super().embed_passages(texts)


def _gated_engine(tmp_path):
    """An engine over the seed note whose embedder holds a big note until released."""
    notes = tmp_path / "notes"
    notes.mkdir()
    shutil.copy(SEED_NOTE, notes / "aigc.md")
    settings = Settings(
        index_dir=tmp_path / "index", notes=(str(notes),), upload_dir=tmp_path / "uploads"
    )
    emb = _GatedEmbedder()
    engine = Engine(settings, embedder=emb, say=lambda m: None).open()
    big = note_file(tmp_path, "big.md", "# 大文件\n\n" + "大文件里的一句话。\n" * 50)
    return engine, emb, big


def test_a_small_upload_completes_while_a_big_one_is_embedding(tmp_path):
    engine, emb, big = _gated_engine(tmp_path)
    lock = threading.Lock()
    results = {}
    worker = threading.Thread(
        target=lambda: results.update(big=uploads.add_notes(engine, [str(big)], lock))
    )
    worker.start()
    try:
        emb.started.wait()  # the big note is being embedded now
        assert not lock.locked()  # ... without holding the upload lock
        small = uploads.add_notes(engine, [str(note_file(tmp_path, "咖啡.md"))], lock)
        assert small.added == ["咖啡.md"] and worker.is_alive()
        assert FACT in engine.ask(QUESTION).passages[0].chunk.text  # answerable already
    finally:
        emb.release.set()
        worker.join()
    assert results["big"].added == ["big.md"]
    names = {Path(n["path"]).name for n in engine.notes()}
    assert {"big.md", "咖啡.md", "aigc.md"} <= names


def test_served_app_takes_a_small_upload_while_a_big_one_embeds(tmp_path):
    """The same through /add_notes on a real server: its upload events are not one at a time."""
    engine, emb, big = _gated_engine(tmp_path)
    small = note_file(tmp_path, "cafe.md")
    with running(ui.build_app(engine)) as url:
        worker = threading.Thread(
            target=lambda: Client(url, verbose=False).predict(
                [handle_file(str(big))], "en", api_name="/add_notes"
            )
        )
        worker.start()
        try:
            emb.started.wait()
            done = threading.Event()
            threading.Thread(
                target=lambda: (
                    Client(url, verbose=False).predict(
                        [handle_file(str(small))], "en", api_name="/add_notes"
                    ),
                    done.set(),
                ),
                daemon=True,
            ).start()
            # A deadlock guard, not a speed limit: the small upload needs well under a second.
            assert done.wait(300), "the small upload waited behind the big one"
            assert worker.is_alive()
        finally:
            emb.release.set()
            worker.join()
    assert {"big.md", "cafe.md"} <= {Path(n["path"]).name for n in engine.notes()}


def test_documents_can_be_uploaded_and_a_scanned_pdf_is_refused_by_name(engine, tmp_path):
    from ..documents import make_docx, make_pdf, make_scanned_pdf

    (tmp_path / "in").mkdir()
    pdf = make_pdf(tmp_path / "in" / "handbook.pdf")
    docx = make_docx(tmp_path / "in" / "manual.docx")
    scan = make_scanned_pdf(tmp_path / "in" / "scan.pdf")
    broken = tmp_path / "in" / "broken.docx"
    broken.write_bytes(b"PK\x03\x04 cut short")
    added, refused, _ = uploads.add_notes(
        engine, [str(p) for p in (pdf, docx, scan, broken)], SpyLock()
    )
    assert added == ["handbook.pdf", "manual.docx"]
    assert refused[0].startswith("scan.pdf: no text; scanned?")
    assert refused[1].startswith("broken.docx: not a readable Word document")
    assert str(tmp_path) not in " ".join(refused)
    ans = engine.ask("When was the backup pump of the Aurora reactor installed?")
    cite = next(c for c in ans.citations if "2019" in c.quote)
    assert cite.page == 2 and cite.open.endswith("/handbook.pdf#page=2")
