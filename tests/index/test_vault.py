"""Obsidian vaults from real folders: what is skipped, what a note reads as, its tags."""

from __future__ import annotations

import json

from index.chunking import chunk_note, split_sentences
from index.finding import find_notes
from index.notes import parse_note, read_note
from index.vault import render, templates_folder, vault_root

from ..documents import VAULT_NOTES, make_vault


def _names(found, root):
    return sorted(str(p)[len(str(root)) + 1 :] for p in found.files)


def test_a_vault_skips_obsidian_trash_and_templates(tmp_path):
    root = make_vault(tmp_path / "vault")
    assert _names(find_notes([root]), root) == ["Beta.md", "Gamma.md", "Projects/Alpha.md"]
    # A sub-folder of a vault is still in the vault; a vault below the folder given is found too.
    assert vault_root(root / "Projects") == root
    assert _names(find_notes([tmp_path]), tmp_path) == [
        "vault/Beta.md",
        "vault/Gamma.md",
        "vault/Projects/Alpha.md",
    ]


def test_the_templates_folder_comes_from_the_vaults_settings(tmp_path):
    root = make_vault(tmp_path / "v", json.dumps({"folder": "Meta/Blanks"}))
    (root / "Meta" / "Blanks").mkdir(parents=True)
    (root / "Meta" / "Blanks" / "Weekly.md").write_text("# Week\n\nBlank.\n")
    assert templates_folder(root) == root / "Meta" / "Blanks"
    names = _names(find_notes([root]), root)
    assert "Meta/Blanks/Weekly.md" not in names
    assert "templates/Daily.md" in names  # no longer the templates folder: a note like any
    # A setting that points outside the vault, or at the vault itself, is not obeyed.
    for bad in ("../../etc", "/", "."):
        (root / ".obsidian" / "templates.json").write_text(json.dumps({"folder": bad}))
        assert templates_folder(root) == root / "templates"


def test_a_vault_note_reads_as_obsidian_shows_it(tmp_path):
    root = make_vault(tmp_path / "vault")
    path = root / "Projects" / "Alpha.md"
    note = read_note(path)
    assert "Alpha studies the second experiment and Gamma in detail." in note.text
    assert "[[" not in note.text.split("```")[0] and "chart.png" not in note.text
    assert "[!note]" not in note.text and "\nField season\n" in note.text
    assert "\nThe field season of Alpha ends in October." in note.text  # no quote marker
    assert "```\n#notatag [[Raw]]\n```" in note.text  # code stays code
    # The line map is the identity: every line of the file is the same line of the text.
    raw = path.read_text("utf-8")
    assert note.text.count("\n") == raw.count("\n")
    for i, (a, b) in enumerate(zip(raw.split("\n"), note.text.split("\n"), strict=True)):
        if "[[" not in a and ">" not in a:
            assert a == b, i
    beta = read_note(root / "Beta.md")
    assert "run on Alpha > Results." in beta.text


def test_quotes_of_a_vault_note_are_verbatim_and_free_of_link_syntax(tmp_path):
    note = read_note(make_vault(tmp_path / "vault") / "Projects" / "Alpha.md")
    for c in chunk_note(note):
        assert note.text[c.start : c.end] == c.text
        for s, e in split_sentences(c.text):
            quote = c.text[s:e]
            if quote != "#notatag [[Raw]]":  # inside a code block: code stays as written
                assert "[[" not in quote and "[!" not in quote and not quote.startswith(">")


def test_tags_from_front_matter_and_inline_sorted_without_hash(tmp_path):
    root = make_vault(tmp_path / "vault")
    assert read_note(root / "Projects" / "Alpha.md").meta["tags"] == [
        "data/raw",
        "ocean",
        "project",
        "research",
    ]  # not #notatag: it is in a code block
    assert read_note(root / "Gamma.md").meta["tags"] == ["calibration"]
    assert "tags" not in read_note(root / "Beta.md").meta


def test_tags_outside_a_vault_too_and_their_edge_cases():
    text = (
        "---\ntags: '#alpha, beta'\n---\n# Heading not a tag\n\n"
        "Real #tag, #嵌套/标签 and #a-b_c; not #123, C#, [x](#anchor), http://h/p#frag, `#code`.\n"
    )
    note = parse_note(text.encode(), "n.md")
    assert note.meta["tags"] == ["a-b_c", "alpha", "beta", "tag", "嵌套/标签"]
    assert note.text == text  # outside a vault the text is the file's


def test_render_is_only_for_vault_notes(tmp_path):
    (tmp_path / "n.md").write_text("See [[Other|that]].\n")
    assert read_note(tmp_path / "n.md").text == "See [[Other|that]].\n"
    assert render("---\na: '[[x]]'\n---\n[[x|y]]\n", 17) == "---\na: '[[x]]'\n---\ny\n"


def test_vault_notes_match_the_fixture():
    assert set(VAULT_NOTES) >= {"Projects/Alpha.md", "templates/Daily.md", ".trash/Old.md"}
