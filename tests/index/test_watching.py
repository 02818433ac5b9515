"""Which changes the watcher acts on: notes in, index folder, other types, hidden and links out."""

from __future__ import annotations

import os

from index import build_index
from index.store import IndexSettings
from index.watching import NoteFilter, touches_index


def test_filter_takes_notes_and_folders_and_leaves_the_rest(tmp_path):
    notes = tmp_path / "notes"
    (notes / "sub").mkdir(parents=True)
    (notes / "ix").mkdir()  # an index folder kept inside the notes folder
    f = NoteFilter([notes], notes / "ix")
    assert f.concerns(str(notes / "a.md"))
    assert f.concerns(str(notes / "sub" / "b.txt"))
    assert f.concerns(str(notes / "sub"))  # a folder: notes may have come or gone with it
    assert not f.concerns(str(notes / "ix" / "gen-000002" / "chunks.json"))
    assert not f.concerns(str(notes / "ix" / "notes.md"))
    assert not f.concerns(str(notes / ".obsidian" / "workspace.md"))
    assert not f.concerns(str(notes / "sub" / ".a.md.swp"))
    assert not f.concerns(str(notes / "sub" / ".note.md.1234.part"))  # an upload being written
    assert not f.concerns(str(tmp_path / "elsewhere.md"))
    assert not f.concerns(str(notes))


def test_links_out_of_the_folders_are_not_watched_unless_followed(tmp_path):
    notes, outside = tmp_path / "notes", tmp_path / "outside"
    notes.mkdir()
    outside.mkdir()
    (outside / "secret.md").write_text("secret", "utf-8")
    os.symlink(outside, notes / "linked")
    os.symlink(outside / "secret.md", notes / "passwd.md")
    ix = tmp_path / "ix"
    assert not NoteFilter([notes], ix).concerns(str(notes / "linked" / "secret.md"))
    assert not NoteFilter([notes], ix).concerns(str(notes / "passwd.md"))
    assert NoteFilter([notes], ix, follow_links=True).concerns(str(notes / "passwd.md"))


def test_a_note_named_alone_is_watched_from_its_folder(tmp_path):
    (tmp_path / "a.md").write_text("a", "utf-8")
    f = NoteFilter([tmp_path / "a.md"], tmp_path / "ix")
    assert f.concerns(str(tmp_path / "a.md")) and not f.concerns(str(tmp_path / "b.md"))
    assert f.watch_targets() == ([], [str(tmp_path)])


def test_only_changes_to_what_the_index_holds_count(tmp_path, fake_embedder):
    notes = tmp_path / "notes"
    (notes / "sub").mkdir(parents=True)
    (notes / "a.md").write_text("# A\n\nAlpha text.\n", "utf-8")
    (notes / "sub" / "b.md").write_text("# B\n\nBeta text.\n", "utf-8")
    ix = tmp_path / "ix"
    assert touches_index([str(notes / "a.md")], ix)  # no index yet: build
    build_index([notes], ix, fake_embedder, IndexSettings(fake_embedder.model_id, 64))
    a = str(notes / "a.md")
    assert not touches_index([a], ix)  # saved without a change (or an upload already indexed)
    (notes / "picture.png").write_bytes(b"\x89PNG")
    assert not touches_index([str(notes / "picture.png")], ix)
    assert not touches_index([str(notes / "gone.png")], ix)
    (notes / "a.md").write_text("# A\n\nAlpha text, edited.\n", "utf-8")
    assert touches_index([a], ix)
    (notes / "c.md").write_text("new", "utf-8")
    assert touches_index([str(notes / "c.md")], ix)
    assert not touches_index([str(notes / "never.md")], ix)  # created and deleted at once
    os.rename(notes / "sub", notes / "moved")
    assert touches_index([str(notes / "sub")], ix)  # its notes went with it
    assert touches_index([str(notes / "moved")], ix)
