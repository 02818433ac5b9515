"""A mixed folder — PDF (with a Chinese page), a scanned PDF, a web page, a Word file, a Markdown
note and an Obsidian vault — indexed for real on disk and asked about each format: verbatim
quotes, the right page or section, the link that opens the source."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import quote

import pytest

from chatbot import cli
from chatbot.answer import to_dict
from chatbot.config import Settings
from chatbot.engine import Engine
from chatbot.links import safe_link
from index.sections import PATH_SEP

from ..conftest import FakeEmbedder
from ..documents import make_mixed

# (question, words the quote holds, file, page or None, section or None)
QUESTIONS = [
    ("At what temperature does the cooling loop of the Aurora reactor run?", "300 kelvin",
     "handbook.pdf", 1, None),
    ("When was the backup pump of the Aurora reactor installed?", "installed in 2019",
     "handbook.pdf", 2, None),
    ("极光反应堆的控制室位于哪里？", "北楼三层", "handbook.pdf", 3, None),
    ("When did the cherry tomatoes ripen?", "twelfth of August", "garden.html", None,
     "Tomatoes"),
    ("How often is the compost heap turned?", "every second Sunday", "garden.html", None,
     f"Compost{PATH_SEP}Turning"),
    ("What are acid spills neutralised with?", "sodium bicarbonate", "manual.docx", None,
     f"Safety{PATH_SEP}Spills"),
    ("How fast does the centrifuge spin?", "4000 revolutions", "manual.docx", None, "Equipment"),
    ("Which room is the freezer in?", "| Item | Room |\n|---|---|\n| Freezer | B12 |",
     "manual.docx", None, "Equipment"),  # a Word table's row, quoted under its header row
    ("What salinity did the Alpha probe measure?", "35 grams per litre", "Alpha.md", None, None),
    ("When does the field season of Alpha end?", "ends in October", "Alpha.md", None, None),
    ("How long does the kettle take to boil?", "ninety seconds", "plain.md", None, None),
]  # fmt: skip


def _engine(root: Path, embedder) -> tuple[Engine, dict]:
    files = make_mixed(root / "notes")
    settings = Settings(index_dir=root / "ix", notes=(str(root / "notes"),), upload_dir=root / "up")
    engine = Engine(settings, embedder=embedder, say=lambda m: None)
    report = engine.build(list(settings.notes))
    return engine.open(), {"files": files, "report": report}


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    return _engine(tmp_path_factory.mktemp("mixed"), FakeEmbedder())


def _expected_link(path: Path, page: int | None, line: int) -> str:
    if path.suffix == ".md" and "My Vault" in path.parts:
        rel = path.relative_to(Path(*path.parts[: path.parts.index("My Vault") + 1]))
        return "obsidian://open?vault=My%20Vault&file=" + quote(rel.as_posix()[:-3], safe="")
    uri = path.absolute().as_uri()
    if page:
        return f"{uri}#page={page}"
    return f"{uri}#L{line}" if path.suffix == ".md" else uri


def check_answers(engine: Engine) -> None:
    notes = engine.searcher.loaded.notes
    for question, words, name, page, section in QUESTIONS:
        ans = engine.ask(question)
        cites = [c for c in ans.citations if words in c.quote]
        assert cites, (question, [c.quote for c in ans.citations])
        c = cites[0]
        assert Path(c.note).name == name
        assert notes[c.note][c.start : c.end] == c.quote  # verbatim in the stored text
        assert c.page == page
        if section is not None:
            assert c.section == section
        assert c.open == _expected_link(Path(c.note), page, c.line)
        assert not re.search(r"\[\[|\[!|^>", c.quote)
        row = next(r for r in to_dict(ans)["citations"] if r["n"] == c.n)
        assert (row["page"], row["open"]) == (page, c.open)
        json.dumps(to_dict(ans), allow_nan=False)  # travels as strict JSON (/ask, --json)


def test_every_format_is_answered_with_its_page_or_section_and_open_link(mixed):
    check_answers(mixed[0])


def test_the_build_reports_the_scanned_pdf_and_skips_vault_furniture(mixed):
    engine, info = mixed
    report = info["report"]
    assert any(re.search(r"scan\.pdf: no text; scanned\?", e) for e in report.errors)
    indexed = {Path(n["path"]).name for n in engine.notes()}
    assert indexed == {"handbook.pdf", "garden.html", "manual.docx", "plain.md", "Alpha.md",
                       "Beta.md", "Gamma.md"}  # fmt: skip
    texts = " ".join(c.text for c in engine.searcher.loaded.chunks)
    for absent in ("Template text", "Trashed text", "Settings text", "script words", "Sidebar"):
        assert absent not in texts


def test_the_index_command_says_scanned_and_indexes_the_rest(tmp_path, monkeypatch, capsys):
    make_mixed(tmp_path / "notes")
    monkeypatch.setattr("chatbot.engine.load_embedder", lambda name: FakeEmbedder())
    code = cli.main(["index", str(tmp_path / "notes"), "--index-dir", str(tmp_path / "ix")])
    out, err = capsys.readouterr()
    assert code == 2 and "indexed 7 note(s)" in out
    assert "scan.pdf: no text; scanned? (2 page(s) of images" in err
    assert "Traceback" not in err


def test_ask_prints_the_page_and_the_open_link(tmp_path, monkeypatch, capsys):
    make_mixed(tmp_path / "notes")
    monkeypatch.setattr("chatbot.engine.load_embedder", lambda name: FakeEmbedder())
    ix = ["--index-dir", str(tmp_path / "ix")]
    cli.main(["index", str(tmp_path / "notes"), *ix])
    capsys.readouterr()
    assert cli.main(["ask", "When was the backup pump of the Aurora reactor installed?", *ix]) == 0
    out = capsys.readouterr().out
    assert "handbook.pdf p. 2" in out and "handbook.pdf#page=2" in out


def test_open_links_are_only_ours():
    assert safe_link("obsidian://open?vault=v&file=n") and safe_link("file:///a.md#L1")
    for bad in ("javascript:alert(1)", "https://example.com", "  file:///x", None, 3):
        assert safe_link(bad) == ""


@pytest.mark.slow
def test_every_format_with_the_real_model(tmp_path):
    from index import load_embedder

    engine, _ = _engine(tmp_path, load_embedder("e5-small"))
    check_answers(engine)
