"""Documents that are not plain text (PDF, HTML, DOCX) → plain text with Markdown-like headings.

The extracted text is what is indexed and stored, so every offset, quote and
line refers to it and `text[start:end] == quote` holds as for any note.
Headings come out as Markdown headings (`## Methods`), so index.sections
gives a chunk its heading path exactly as for a Markdown note; a PDF's pages
are separated by form feeds (index.pdf_text.page_at). One module per format;
this one picks it by the file's suffix. Each raises ExtractError with the
reason; index.notes names the file. Leaves out: legacy .doc, .odt, .epub.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

PDF_SUFFIXES = (".pdf",)
HTML_SUFFIXES = (".html", ".htm")
DOCX_SUFFIXES = (".docx",)
EXTRACTED_SUFFIXES = PDF_SUFFIXES + HTML_SUFFIXES + DOCX_SUFFIXES

# A body line that Markdown would read as a heading or a code fence.
_MARKDOWN_BLOCK = re.compile(r"^( {0,3})(#{1,6}(?:[ \t]|$)|```|~~~)")


class ExtractError(ValueError):
    """A document whose text cannot be extracted; the message says why (not which file)."""


@dataclass(frozen=True)
class Extracted:
    text: str
    title: str = ""  # the document's own title, if it declares one
    meta: dict = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


def markdown_safe(line: str) -> str:
    """A line of document text that index.sections will not take for a heading or a fence.

    >>> markdown_safe("# not a heading"), markdown_safe("C# is fine")
    ('\\\\# not a heading', 'C# is fine')
    """
    return _MARKDOWN_BLOCK.sub(r"\1\\\2", line)


def heading(level: int, text: str) -> str:
    """A Markdown heading line of one line of text.

    >>> heading(2, " Results\\n and  more ")
    '## Results and more'
    """
    return "#" * min(max(level, 1), 6) + " " + " ".join(text.split())


def kind_of(path: str) -> str | None:
    """'pdf', 'html' or 'docx' for a document to extract, None for a text note.

    >>> kind_of("a/Report.PDF"), kind_of("page.htm"), kind_of("x.md")
    ('pdf', 'html', None)
    """
    name = str(path).lower()
    for kind, suffixes in (("pdf", PDF_SUFFIXES), ("html", HTML_SUFFIXES), ("docx", DOCX_SUFFIXES)):
        if name.endswith(suffixes):
            return kind
    return None


def extract(kind: str, data: bytes) -> Extracted:
    """The text of a document of `kind` (see `kind_of`); raises ExtractError."""
    if kind == "pdf":
        from .pdf_text import pdf_text

        return pdf_text(data)
    if kind == "html":
        from .html_text import html_text

        return html_text(data)
    if kind == "docx":
        from .docx_text import docx_text

        return docx_text(data)
    raise ValueError(f"unknown document kind {kind!r}")
