"""A Word document's text (python-docx): paragraphs and tables in order, headings as Markdown.

Paragraphs styled "Heading N" (or whose style has an outline level N) become
`#`×(N+1) lines and a "Title" paragraph the one `#` line and the note's
title, so the heading path of every chunk is the document's own outline (a
lone `#` line is the note's title to index.sections, never a Heading 1). A table
becomes a Markdown table, its first row the header (index.tables: a row is
embedded and quoted under it); a one-row table, its cells joined by " | ". A
.docx is a ZIP archive: before python-docx unpacks it, the sizes its directory
declares are checked (zipfile never inflates a member past its declared size),
so a zip bomb is refused after reading its directory, not after filling memory.
Leaves out: headers, footers, footnotes, comments, text boxes and tracked
deletions.
"""

from __future__ import annotations

import io
import re
import zipfile

from .extract import Extracted, ExtractError, heading, markdown_safe
from .tables import markdown_table

MAX_UNPACKED = 100 * 1024 * 1024  # all members together, as the archive declares them
MAX_DOCUMENT_XML = 32 * 1024 * 1024  # the body; lxml's tree takes several times this
MAX_MEMBERS = 10_000
_HEADING_STYLE = re.compile(r"^heading\s*(\d)$", re.I)


def _check_archive(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ExtractError(f"not a readable Word document ({exc})") from None
    if len(infos) > MAX_MEMBERS:
        raise ExtractError(f"{len(infos):,} parts, more than the limit of {MAX_MEMBERS:,}")
    total = sum(i.file_size for i in infos)
    body = sum(i.file_size for i in infos if i.filename == "word/document.xml")
    if total > MAX_UNPACKED or body > MAX_DOCUMENT_XML:
        raise ExtractError(
            f"unpacks to {total / 2**20:,.0f} MB, more than the limit of "
            f"{MAX_UNPACKED // 2**20} MB ({MAX_DOCUMENT_XML // 2**20} MB of text); a zip bomb?"
        )


def _level(paragraph) -> int:
    """The heading level of a paragraph, 0 for body text."""
    style = paragraph.style
    while style is not None:
        name = style.name or ""
        if name.lower() == "title":
            return 1
        if m := _HEADING_STYLE.match(name):
            return int(m.group(1)) + 1
        lvl = style.element.find(".//{*}outlineLvl")
        if lvl is not None:
            value = lvl.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}val")
            if value is not None and value.isdigit() and int(value) < 9:
                return int(value) + 2
        style = style.base_style
    return 0


def _blocks(doc) -> tuple[list[str], str]:
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    blocks: list[str] = []
    title = ""
    for item in doc.iter_inner_content():
        if isinstance(item, Paragraph):
            text = item.text
            if not text.strip():
                continue
            level = _level(item)
            if level:
                blocks.append(heading(level, text))
                if not title and (item.style is not None and item.style.name == "Title"):
                    title = " ".join(text.split())
            else:
                blocks.append("\n".join(markdown_safe(ln) for ln in text.split("\n")))
        elif isinstance(item, Table):
            rows = []
            for row in item.rows:
                cells = [" ".join(c.text.split()) for c in row.cells]
                cells = [c for i, c in enumerate(cells) if c and c not in cells[:i]]  # merged
                if cells:
                    rows.append(cells)
            if len(rows) == 1:
                blocks.append(markdown_safe(" | ".join(rows[0])))
            elif rows:  # a header row and the rows under it: quoted from the header down
                blocks.append(markdown_table(rows))
    return blocks, title


def docx_text(data: bytes) -> Extracted:
    """The text of a .docx, blocks separated by blank lines; raises ExtractError."""
    _check_archive(data)
    import docx  # lazily: only Word documents need it

    try:
        doc = docx.Document(io.BytesIO(data))
        blocks, title = _blocks(doc)
        title = title or (doc.core_properties.title or "").strip()
    except ExtractError:
        raise
    except Exception as exc:  # python-docx, zipfile and lxml raise many kinds for a broken file
        first = (str(exc).splitlines() or [type(exc).__name__])[0][:200]
        raise ExtractError(f"not a readable Word document ({first})") from None
    return Extracted("\n\n".join(blocks), title, {}, ())
