"""Where a citation stands in its source file, and the link that opens it there.

A note in an Obsidian vault opens in Obsidian:
`obsidian://open?vault=<vault>&file=<path in the vault without .md>` (Obsidian's
URI scheme takes no line). Any other file opens by its `file://` URL: a PDF
with `#page=N` (read by Chromium's, Firefox's and Acrobat's viewers), a
Markdown or text note with `#L<line>` (the form GitHub and editors' URL
handlers use; a browser ignores it and opens the file at the top), HTML and
Word documents bare (their line numbers count the extracted text, not the
file's). Browsers refuse to follow a `file://` link from a web page, so the
page shows the link to copy as well. Only `obsidian:` and `file:` links are
ever drawn (`safe_link`): a turn comes back from the browser, and a
`javascript:` link planted there must not become a link.
"""

from __future__ import annotations

from pathlib import Path

from index.extract import kind_of
from index.pdf_text import page_at
from index.vault import MARKDOWN_SUFFIXES, obsidian_url, vault_root

SCHEMES = ("obsidian://", "file://")


def page_of(note: str, text: str, offset: int) -> int | None:
    """The 1-based page of `offset` in a PDF note's stored text; None for other notes."""
    return page_at(text, offset) if kind_of(note) == "pdf" else None


def open_link(note: str, line: int, page: int | None = None) -> str:
    """The link that opens `note` at `line` (or `page`).

    >>> open_link("/n/a b.md", 12), open_link("/n/r.pdf", 40, 3), open_link("/n/p.html", 5)
    ('file:///n/a%20b.md#L12', 'file:///n/r.pdf#page=3', 'file:///n/p.html')
    """
    if note.lower().endswith(MARKDOWN_SUFFIXES) and (root := vault_root(note)) is not None:
        return obsidian_url(root, note)
    uri = Path(note).absolute().as_uri()
    if page is not None:
        return f"{uri}#page={int(page)}"
    return uri if kind_of(note) else f"{uri}#L{int(line)}"


def safe_link(link: object) -> str:
    """`link` if it is one of ours (obsidian: or file:), else ''.

    >>> safe_link("javascript:alert(1)"), safe_link("file:///n/a.md#L2")
    ('', 'file:///n/a.md#L2')
    """
    return link if isinstance(link, str) and link.startswith(SCHEMES) else ""


def place(c: dict) -> str:
    """'note.pdf p. 3' or 'note.md:12': where a citation stands, for labels."""
    name = Path(str(c["note"])).name or str(c["note"])
    page = c.get("page")
    return f"{name} p. {int(page)}" if isinstance(page, int) else f"{name}:{int(c['line'])}"
