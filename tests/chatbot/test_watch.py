"""Watched folders: real files, a real FAISS index on disk, questions asked all along.

Nothing here depends on the machine's speed: each step waits for a condition
(`eventually`), with one generous limit that only guards against a hang.
"""

from __future__ import annotations

import _thread
import errno
import os
import signal
import threading
import time
from pathlib import Path

import pytest

from chatbot import cli, live, ui
from chatbot.config import Settings
from chatbot.engine import Engine
from index.lock import build_lock
from index.store import read_manifest

HANG = 120.0  # seconds: only a hang takes this long


def eventually(check, what: str):
    end = time.monotonic() + HANG
    while time.monotonic() < end:
        if value := check():
            return value
        time.sleep(0.05)
    raise AssertionError(f"still not {what} after {HANG:.0f} s")


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")


def save(path: Path, text: str) -> None:
    """Saved at once, as editors that write a temporary file and rename it do.

    `write` truncates, then writes: on a busy machine the watcher may see the
    empty note first and rebuild twice. Where a test counts rebuilds, use this.
    """
    tmp = path.with_name(f".{path.name}.tmp")  # hidden: the watcher ignores it
    tmp.write_text(text, "utf-8")
    os.replace(tmp, path)


def texts(engine: Engine, question: str, scope=None) -> str:
    ans = engine.ask(question, scope=scope)
    return "\n".join(p.chunk.text for p in ans.passages)


def sources(engine: Engine, question: str) -> set[str]:
    return {Path(p.chunk.note).name for p in engine.ask(question).passages}


@pytest.fixture
def live_engine(tmp_path, fake_embedder):
    notes = tmp_path / "notes"
    write(notes / "kiwi.md", "# Kiwi\n\nThe kiwi code is 1111.\n")
    write(notes / "mango.md", "# Mango\n\nThe mango code is 2222.\n")
    write(notes / "plum.md", "# Plum\n\nThe plum code is 3333.\n")
    settings = Settings(index_dir=tmp_path / "ix", notes=(str(notes),), upload_dir=tmp_path / "up")
    said: list[str] = []
    engine = Engine(settings, embedder=fake_embedder, say=said.append).open()
    yield notes, engine, said


class Asker:
    """Keeps asking while the notes change; every question must get an answer."""

    def __init__(self, engine: Engine) -> None:
        self.engine, self.answers, self.errors = engine, 0, []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.engine.ask("What is the code?")
                self.answers += 1
            except Exception as exc:  # noqa: BLE001 - the test reports it
                self.errors.append(exc)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def test_edit_rename_and_delete_while_questions_are_asked(live_engine):
    notes, engine, said = live_engine
    watcher = live.engine_watcher(engine, said.append).start()
    asker = Asker(engine)
    try:
        assert "1111" in texts(engine, "What is the kiwi code?")
        write(notes / "kiwi.md", "# Kiwi\n\nThe kiwi code is 7777 since the spring.\n")
        eventually(lambda: "7777" in texts(engine, "What is the kiwi code?"), "answerable")
        assert "1111" not in texts(engine, "What is the kiwi code?")

        (notes / "fruit").mkdir()
        os.rename(notes / "kiwi.md", notes / "fruit" / "kiwi-renamed.md")
        eventually(
            lambda: (
                "kiwi-renamed.md" in sources(engine, "What is the kiwi code?")
                and "kiwi.md" not in sources(engine, "What is the kiwi code?")
            ),
            "found under its new name",
        )

        (notes / "mango.md").unlink()
        eventually(lambda: "mango.md" not in sources(engine, "mango code 2222"), "gone")
        assert all(Path(n["path"]).name != "mango.md" for n in engine.notes())
        assert "2222" not in texts(engine, "What is the mango code?")
    finally:
        asker.stop()
        watcher.stop()
    assert asker.errors == [] and asker.answers > 0
    assert any("index updated" in m for m in said)


def test_notes_changed_before_the_watch_began_are_caught_up(live_engine):
    notes, engine, said = live_engine
    write(notes / "plum.md", "# Plum\n\nThe plum code is 4545.\n")  # while nothing watched
    watcher = live.engine_watcher(engine, said.append).start()
    try:
        eventually(lambda: "4545" in texts(engine, "What is the plum code?"), "answerable")
    finally:
        watcher.stop()


def test_a_note_named_alone_is_watched_too(tmp_path, fake_embedder):
    note = tmp_path / "desk" / "todo.md"
    write(note, "# Todo\n\nThe todo code is 1212.\n")
    write(tmp_path / "desk" / "other.md", "# Other\n\nNot indexed.\n")
    settings = Settings(index_dir=tmp_path / "ix", notes=(str(note),), upload_dir=tmp_path / "up")
    engine = Engine(settings, embedder=fake_embedder, say=lambda m: None).open()
    watcher = live.engine_watcher(engine, lambda m: None).start()
    try:
        tmp = note.with_name(".todo.md.tmp")  # an editor's save: write aside, rename over
        tmp.write_text("# Todo\n\nThe todo code is 3434.\n", "utf-8")
        os.replace(tmp, note)
        eventually(lambda: "3434" in texts(engine, "What is the todo code?"), "answerable")
    finally:
        watcher.stop()
    assert [Path(n["path"]).name for n in engine.notes()] == ["todo.md"]


def test_other_files_hidden_files_and_the_index_folder_do_not_rebuild(live_engine):
    notes, engine, said = live_engine
    watcher = live.engine_watcher(engine, said.append).start()
    try:
        (notes / "photo.png").write_bytes(b"\x89PNG\r\n")
        write(notes / ".kiwi.md.swp", "swap")
        save(notes / "kiwi.md", "# Kiwi\n\nThe kiwi code is 1111.\n")  # saved unchanged
        eventually(lambda: watcher.batches >= 1 and not watcher.pending(), "received")
        save(notes / "plum.md", "# Plum\n\nThe plum code is 4444 now.\n")
        eventually(lambda: "4444" in texts(engine, "What is the plum code?"), "answerable")
    finally:
        watcher.stop()
    assert watcher.rebuilds == 1  # the plum; nothing else touched the index


def test_a_burst_of_saves_is_one_rebuild(live_engine):
    notes, engine, said = live_engine
    started, gate = threading.Event(), threading.Event()

    def slow_rebuild():
        started.set()
        gate.wait()
        return engine.reindex()

    watcher = live.Watcher(engine.sources(), engine.settings.index_dir, slow_rebuild, said.append)
    watcher.start()
    try:
        write(notes / "plum.md", "# Plum\n\nThe plum code is 5555.\n")
        eventually(started.is_set, "rebuilding")
        paths = {str(notes / f"burst-{i}.md") for i in range(10)}
        for i in range(10):
            write(notes / f"burst-{i}.md", f"# Burst {i}\n\nBurst note {i} says {i * 111}.\n")
        eventually(lambda: paths <= watcher.pending(), "all changes received")
        gate.set()
        eventually(lambda: len(engine.notes()) == 13 and not watcher.pending(), "all indexed")
        eventually(lambda: "5555" in texts(engine, "What is the plum code?"), "answerable")
    finally:
        gate.set()
        watcher.stop()
    assert watcher.rebuilds <= 2  # one for the plum, at most one for all ten


def test_a_note_that_cannot_be_read_yet_is_tried_again(live_engine, monkeypatch):
    notes, engine, said = live_engine
    import index.store

    real_read, refusals = index.store.read_note_bytes, [2]

    def busy_twice(path):
        if str(path).endswith("kiwi.md") and refusals[0] > 0:
            refusals[0] -= 1
            raise OSError(errno.EBUSY, os.strerror(errno.EBUSY), str(path))
        return real_read(path)

    monkeypatch.setattr(index.store, "read_note_bytes", busy_twice)
    watcher = live.engine_watcher(engine, said.append).start()
    try:
        write(notes / "kiwi.md", "# Kiwi\n\nThe kiwi code is 8888 after the retry.\n")
        eventually(lambda: "8888" in texts(engine, "What is the kiwi code?"), "answerable")
    finally:
        watcher.stop()
    assert refusals == [0] and any("cannot read" in m for m in said)


def test_a_failed_rebuild_is_not_fatal(live_engine):
    notes, engine, said = live_engine
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) == 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return engine.reindex()

    watcher = live.Watcher(engine.sources(), engine.settings.index_dir, flaky, said.append)
    watcher.start()
    try:
        write(notes / "plum.md", "# Plum\n\nThe plum code is 6666.\n")
        eventually(lambda: "6666" in texts(engine, "What is the plum code?"), "answerable")
    finally:
        watcher.stop()
    assert any("failed" in m and "No space left" in m for m in said)


def test_the_watcher_waits_for_another_build_and_the_old_index_answers(live_engine):
    notes, engine, said = live_engine
    watcher = live.engine_watcher(engine, said.append).start()
    try:
        with build_lock(Path(engine.settings.index_dir)):  # as a manual `index` would hold it
            write(notes / "plum.md", "# Plum\n\nThe plum code is 9999.\n")
            eventually(lambda: any("another build is writing" in m for m in said), "waiting")
            assert "3333" in texts(engine, "What is the plum code?")  # the old index answers
        eventually(lambda: "9999" in texts(engine, "What is the plum code?"), "answerable")
    finally:
        watcher.stop()


def test_the_page_redraws_notes_and_scopes_when_the_index_changes(live_engine):
    notes, engine, said = live_engine
    seen = ui.scoping.signature(engine.searcher)
    assert ui._notes_changed(engine, seen, "") == (ui.gr.skip(),) * 3
    watcher = live.engine_watcher(engine, said.append).start()
    try:
        write(notes / "garden" / "beans.md", "---\ntags: [garden]\n---\n# Beans\n\nSow in May.\n")
        eventually(lambda: ui.scoping.signature(engine.searcher) != seen, "re-indexed")
    finally:
        watcher.stop()
    html, dropdown, sig = ui._notes_changed(engine, seen, "tag:nothing")
    assert "beans.md" in html and sig == ui.scoping.signature(engine.searcher)
    values = [v for _, v in dropdown.choices]
    assert "tag:garden" in values and f"folder:{notes / 'garden'}" in values
    assert dropdown.value == ""  # the chosen scope is gone: back to all notes


def test_index_watch_reindexes_until_ctrl_c_then_exits_0(tmp_path, monkeypatch, fake_embedder):
    notes, ix = tmp_path / "notes", tmp_path / "ix"
    write(notes / "kiwi.md", "# Kiwi\n\nThe kiwi code is 1111.\n")
    monkeypatch.setattr("chatbot.engine.load_embedder", lambda name: fake_embedder)

    failed: list[BaseException] = []

    def edit_then_interrupt():
        try:
            first = eventually(lambda: _sha(ix, "kiwi.md"), "indexed")
            write(notes / "kiwi.md", "# Kiwi\n\nThe kiwi code is 4242.\n")
            eventually(lambda: _sha(ix, "kiwi.md") not in (None, first), "re-indexed")
        except BaseException as exc:  # noqa: BLE001 - reported below; the watch must end either way
            failed.append(exc)
        finally:
            _thread.interrupt_main()

    # A process started in the background (`nohup`, `cmd &`) inherits SIGINT ignored, and then
    # interrupt_main() does nothing: Ctrl-C is what this test is about, so it gets its handler.
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    helper = threading.Thread(target=edit_then_interrupt, daemon=True)
    helper.start()
    try:
        assert cli.main(["index", "--watch", str(notes), "--index-dir", str(ix)]) == 0
    finally:
        signal.signal(signal.SIGINT, before)
    helper.join()
    assert not failed, failed[0]


def _sha(ix: Path, name: str) -> str | None:
    try:
        notes = read_manifest(ix)["notes"]
    except Exception:  # noqa: BLE001 - not built yet
        return None
    return next((n["sha256"] for n in notes if Path(n["path"]).name == name), None)
