"""A PDF's text layer, page by page, as plain text whose offsets give the page.

pypdfium2 (Apache-2.0/BSD, PDFium's own text extraction) reads each page's
text. Pages are joined by a line holding only a form feed ("\\n\\f\\n", the
separator pdftotext uses too), so the page of any offset is the number of
form feeds before it plus one (`page_at`) — from the stored text alone, with
nothing else to persist; index.sections ends a segment at that line, so no
chunk spans two pages. Lines a page breaks mid-sentence (they ran to the
right margin and end without a sentence mark) are joined, so a quote is a
sentence, not half of one. A page without text is counted: a PDF with no text
at all is refused ("no text; scanned?"), one with some blank pages says which.
Leaves out: OCR, reading order of multi-column layouts beyond PDFium's own,
and the PDF's outline as headings.
"""

from __future__ import annotations

import re

from .extract import Extracted, ExtractError, markdown_safe

PAGE_BREAK = "\n\f\n"
MAX_PAGES = 5_000  # a long book is 1,000; each page costs PDFium a parse
_SENTENCE_END = tuple("。！？；：.!?;:…”’\"')）]】")
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
_FULL_LINE = 0.8  # a line this share of the page's longest one ran to the margin
# Titles PDF writers fill in by themselves (reportlab, some printers): the file's name says more.
_PLACEHOLDER_TITLES = {"untitled", "untitled document", "(anonymous)", "anonymous", "title"}


def page_at(text: str, offset: int) -> int:
    """The 1-based page of `offset` in text built by `pdf_text`.

    >>> t = "one" + PAGE_BREAK + "two"; page_at(t, t.index("two"))
    2
    """
    return text.count("\f", 0, offset) + 1


def _join(lines: list[str]) -> str:
    """Lines of one page, a line that ran to the margin mid-sentence joined to the next."""
    lines = [" ".join(ln.split()) for ln in lines]
    longest = max(map(len, lines), default=0)
    out: list[str] = []
    for ln in lines:
        prev = out[-1] if out else ""
        ran_on = (
            prev and ln and len(prev) >= _FULL_LINE * longest and not prev.endswith(_SENTENCE_END)
        )
        if ran_on:
            cjk = _CJK.match(prev[-1]) and _CJK.match(ln[0])
            out[-1] = prev + ("" if cjk or prev.endswith("-") else " ") + ln
        else:
            out.append(ln)
    return "\n".join(markdown_safe(ln) for ln in out).strip("\n")


def pdf_text(data: bytes) -> Extracted:
    """The text of each page joined by PAGE_BREAK; raises ExtractError for a broken or image-only
    PDF."""
    import pypdfium2 as pdfium  # lazily: only PDFs need it

    try:
        doc = pdfium.PdfDocument(data)
    except (pdfium.PdfiumError, ValueError, OSError) as exc:
        raise ExtractError(f"not a readable PDF ({exc})") from None
    try:
        n = len(doc)
        if n > MAX_PAGES:
            raise ExtractError(f"{n:,} pages, more than the limit of {MAX_PAGES:,}")
        pages: list[str] = []
        for i in range(n):
            page = doc[i]
            try:
                raw = page.get_textpage().get_text_range()
            except (pdfium.PdfiumError, ValueError) as exc:
                raise ExtractError(f"page {i + 1} cannot be read ({exc})") from None
            finally:
                page.close()
            # \f inside a page would shift every later page number.
            raw = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
            pages.append(_join(raw.split("\n")))
        title = (doc.get_metadata_value("Title") or "").strip()
        title = "" if title.lower() in _PLACEHOLDER_TITLES else title
    except pdfium.PdfiumError as exc:
        raise ExtractError(f"not a readable PDF ({exc})") from None
    finally:
        doc.close()
    blank = [i + 1 for i, p in enumerate(pages) if not p.strip()]
    if not pages or len(blank) == len(pages):
        raise ExtractError(
            f"no text; scanned? ({n} page(s) of images without a text layer; run OCR first)"
        )
    warnings = []
    if blank:
        listed = ", ".join(map(str, blank[:10])) + (" …" if len(blank) > 10 else "")
        warnings.append(f"no text on page(s) {listed}; scanned? Those pages are not indexed")
    return Extracted(PAGE_BREAK.join(pages), title, {"pages": n}, tuple(warnings))
