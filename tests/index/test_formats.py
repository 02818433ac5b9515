"""PDF, HTML and Word documents read from real files: the extracted text is the note's text,
chunks carry the page or heading path, broken and hostile files are refused by name."""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from index.chunking import chunk_note
from index.docx_text import MAX_UNPACKED
from index.finding import find_notes
from index.notes import NoteError, parse_note, read_note
from index.pdf_text import page_at
from index.sections import PATH_SEP

from ..documents import HTML_PAGE, PDF_FACTS, make_docx, make_pdf, make_scanned_pdf


def _chunk_with(chunks, words: str):
    hits = [c for c in chunks if words in c.text]
    assert hits, f"no chunk holds {words!r}"
    return hits[0]


def test_pdf_text_per_page_and_the_page_of_every_chunk(tmp_path):
    note = read_note(make_pdf(tmp_path / "handbook.pdf", title="Reactor Handbook"))
    assert note.title == "Reactor Handbook" and note.meta["pages"] == 3
    chunks = chunk_note(note)
    for page_no, lines in enumerate(PDF_FACTS, start=1):
        for line in lines[1:]:
            c = _chunk_with(chunks, line)
            assert note.text[c.start : c.end] == c.text  # verbatim in the stored text
            at = note.text.index(line)
            assert page_at(note.text, at) == page_no and page_at(note.text, c.start) == page_no
    assert not any("\f" in c.text for c in chunks)  # no chunk spans two pages


def test_a_placeholder_pdf_title_gives_way_to_the_file_name(tmp_path):
    assert read_note(make_pdf(tmp_path / "Reactor notes.pdf")).title == "Reactor notes"


def test_pdf_lines_broken_at_the_margin_are_joined_into_sentences(tmp_path):
    long = "word " * 17
    note = read_note(make_pdf(tmp_path / "wrap.pdf", [[long + "that ran on", "to the next line."]]))
    assert "that ran on to the next line." in note.text


def test_a_scanned_pdf_is_refused_as_no_text(tmp_path):
    with pytest.raises(NoteError, match=r"scan\.pdf: no text; scanned\?"):
        read_note(make_scanned_pdf(tmp_path / "scan.pdf"))


def test_blank_pages_of_a_pdf_are_reported_by_number(tmp_path):
    note = read_note(make_pdf(tmp_path / "part.pdf", [["Some text here."], [], ["More text."]]))
    assert any("part.pdf: no text on page(s) 2; scanned?" in w for w in note.warnings)
    assert page_at(note.text, note.text.index("More text.")) == 3


@pytest.mark.parametrize(
    "name, data, why",
    [
        ("broken.pdf", b"%PDF-1.7\n1 0 obj <<>> garbage", "not a readable PDF"),
        ("empty.pdf", b"", "not a readable PDF"),
        ("broken.docx", b"PK\x03\x04 not really a zip", "not a readable Word document"),
        ("text.docx", b"just text", "not a readable Word document"),
        ("img.html", b"\x89PNG\r\n\x1a\n" + bytes(64), "not a text file"),
    ],
)
def test_broken_documents_are_refused_naming_the_file(tmp_path, name, data, why):
    with pytest.raises(NoteError, match="^" + re.escape(f"{name}: {why}")):
        parse_note(data, name)


def test_a_truncated_pdf_and_docx_are_refused_not_a_traceback(tmp_path):
    pdf = make_pdf(tmp_path / "t.pdf").read_bytes()
    docx = make_docx(tmp_path / "t.docx").read_bytes()
    for name, data in (("cut.pdf", pdf[: len(pdf) // 3]), ("cut.docx", docx[: len(docx) // 2])):
        try:
            note = parse_note(data, name)
        except NoteError as exc:
            assert str(exc).startswith(f"{name}: ")
        else:  # PDFium repairs what it can: then what it read is text like any other
            assert isinstance(note.text, str)


def test_a_zip_bomb_docx_is_refused_from_its_directory(tmp_path):
    buf = io.BytesIO(make_docx(tmp_path / "ok.docx").read_bytes())
    with zipfile.ZipFile(buf, "a", zipfile.ZIP_DEFLATED) as zf, zf.open("word/bomb.bin", "w") as f:
        zeros = bytes(1 << 20)
        for _ in range(MAX_UNPACKED // len(zeros) + 8):
            f.write(zeros)
    data = buf.getvalue()
    assert len(data) < 2 * 2**20  # a small file that unpacks past the limit
    with pytest.raises(NoteError, match=r"bomb\.docx: unpacks to \d+ MB, more than the limit"):
        parse_note(data, "bomb.docx")


def test_docx_headings_become_the_heading_path(tmp_path):
    note = read_note(make_docx(tmp_path / "manual.docx"))
    assert note.title == "Lab Manual"
    chunks = chunk_note(note)
    assert _chunk_with(chunks, "sodium bicarbonate").section == f"Safety{PATH_SEP}Spills"
    assert _chunk_with(chunks, "4000 revolutions").section == "Equipment"
    assert _chunk_with(chunks, "Freezer | B12").section == "Equipment"  # a table row
    assert "| Item | Room |\n|---|---|\n| Freezer | B12 |" in note.text  # a Markdown table
    assert _chunk_with(chunks, "lab's routines").section == "Lab Manual"


def test_a_word_tables_row_is_embedded_under_its_header_row(tmp_path):
    note = read_note(make_docx(tmp_path / "manual.docx"))
    row = _chunk_with(chunk_note(note), "| Freezer | B12 |")
    assert row.in_context("| Freezer | B12 |") == "Equipment\n| Item | Room |\n| Freezer | B12 |"


def test_html_keeps_the_readable_text_and_drops_the_furniture(tmp_path):
    note = parse_note(HTML_PAGE.encode(), "garden.html")
    assert note.title == "Garden Diary"
    for dropped in ("script words", "stylesheet", "Navigation menu", "Site header", "Sidebar",
                    "Footer copyright", "color: red"):  # fmt: skip
        assert dropped not in note.text
    chunks = chunk_note(note)
    assert _chunk_with(chunks, "twelfth of August").section == "Tomatoes"
    assert _chunk_with(chunks, "every second Sunday").section == f"Compost{PATH_SEP}Turning"
    assert "Notes & tips: keep it moist." in note.text  # entities decoded


def test_html_declared_charset_is_used():
    page = '<meta charset="gbk"><p>植物笔记：番茄八月成熟。</p>'.encode("gbk")
    assert parse_note(page, "zh.htm").text == "植物笔记：番茄八月成熟。"


def test_deeply_nested_html_is_read_in_linear_work():
    # 200,000 unclosed tags then as many stray end tags: each end tag looks through the open
    # ones, so without the depth bound this is 4e10 steps; with it, it finishes.
    page = b"<p>start</p>" + b"<b>" * 200_000 + b"deep text" + b"</i>" * 200_000
    note = parse_note(page, "deep.html")
    assert "start" in note.text and "deep text" in note.text


def test_document_text_lines_never_become_headings():
    note = parse_note(b"<p># not a heading</p><pre>```\ncode</pre>", "x.html")
    assert note.text.splitlines()[0] == "\\# not a heading"
    assert chunk_note(note)[0].section == "x"


def test_finding_takes_documents(tmp_path):
    for name in ("a.pdf", "b.HTML", "c.htm", "d.docx", "e.doc", "f.xlsx"):
        (tmp_path / name).write_bytes(b"")
    found = find_notes([tmp_path])
    assert [p.rsplit("/", 1)[-1] for p in found.files] == ["a.pdf", "b.HTML", "c.htm", "d.docx"]
