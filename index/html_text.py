"""A saved web page's readable text: headings as Markdown headings, the page's furniture dropped.

The standard library's html.parser reads the page as a stream of tags (no
tree is built, so deep nesting costs nothing). Dropped with everything inside
them: script, style, template, noscript, svg, iframe, form controls, `hidden`
or `aria-hidden` elements, navigation (nav, role=navigation) and asides;
header and footer too, unless they sit inside an article or main (an
article's header holds its title). h1–h6 become `#`…`######` lines, block
elements end a paragraph, whitespace is collapsed (kept inside pre), table
cells are joined by " | ". The charset is the one the page declares, else
index.decoding's guess. Leaves out: CSS-hidden content and readability
scoring of page regions.
"""

from __future__ import annotations

import codecs
import re
from html.parser import HTMLParser

from .decoding import BinaryData, decode
from .extract import Extracted, ExtractError, heading, markdown_safe

_DROP = {
    "script", "style", "template", "noscript", "svg", "math", "iframe", "object", "canvas",
    "select", "button", "textarea", "nav", "aside", "head",
}  # fmt: skip
_FURNITURE = {"header", "footer"}
_CONTENT = {"article", "main"}
_VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip
_BLOCK = {
    "p", "div", "section", "article", "main", "li", "ul", "ol", "dl", "dt", "dd", "tr",
    "table", "thead", "tbody", "blockquote", "pre", "figure", "figcaption", "address",
    "details", "summary", "hr", "br", "header", "footer", "caption", "body", "html",
}  # fmt: skip
# Open elements tracked; deeper ones are read as inline text (each end tag looks
# through the open ones, so unbounded nesting would make reading quadratic).
MAX_DEPTH = 512
_HEADINGS = {f"h{i}": i for i in range(1, 7)}
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.words: list[str] = []
        self.title: list[str] = []
        self.stack: list[str] = []  # open elements that matter: dropped, content, pre
        self.drop = 0  # depth inside dropped elements
        self.level = 0  # the open heading's level
        self.pre = 0
        self.in_title = False
        self.cells = 0  # cells so far in the open table row

    def _flush(self) -> None:
        text = "".join(self.words)
        self.words = []
        if self.pre:
            lines = [markdown_safe(ln.rstrip()) for ln in text.strip("\n").split("\n")]
            text = "\n".join(lines)
        else:
            text = " ".join(text.split())
        if not text.strip():
            return
        if self.level:
            self.blocks.append(heading(self.level, text))
        else:
            self.blocks.append(text if self.pre else markdown_safe(text))

    def _drops(self, tag: str, attrs: dict) -> bool:
        if tag in _DROP or "hidden" in attrs or attrs.get("aria-hidden") == "true":
            return True
        if attrs.get("role") in ("navigation", "banner", "contentinfo", "complementary"):
            return True
        return tag in _FURNITURE and not any(t in _CONTENT for t in self.stack)

    def handle_starttag(self, tag: str, attrs_list: list) -> None:
        if tag == "title" and not self.title:
            self.in_title = True
        if tag in _VOID:
            if tag == "br" and not self.drop:
                self.words.append("\n" if self.pre else " ")
                if not self.pre:
                    self._flush()
            return
        if len(self.stack) >= MAX_DEPTH:
            return  # nesting no page needs: not tracked, so end tags stay cheap
        attrs = {k: (v or "") for k, v in attrs_list}
        if self.drop or self._drops(tag, attrs):
            self.drop += 1
            self.stack.append(tag)
            return
        self.stack.append(tag)
        if tag in _HEADINGS:
            self._flush()
            self.level = _HEADINGS[tag]
        elif tag in _BLOCK:
            self._flush()
            if tag == "pre":
                self.pre += 1
            if tag == "tr":
                self.cells = 0
        elif tag in ("td", "th"):
            if self.cells:
                self.words.append(" | ")
            self.cells += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if tag not in self.stack:
            return  # a stray end tag
        while self.stack:  # close what the page left open inside `tag`
            open_tag = self.stack.pop()
            if self.drop:
                self.drop -= 1
            elif open_tag in _HEADINGS or open_tag in _BLOCK:
                self._flush()
                if open_tag in _HEADINGS:
                    self.level = 0
                if open_tag == "pre":
                    self.pre -= 1
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title.append(data)
        elif not self.drop:
            self.words.append(data)


def _decode(data: bytes) -> tuple[str, tuple[str, ...]]:
    m = _CHARSET.search(data[:4096])
    if m:
        try:
            codec = codecs.lookup(m.group(1).decode("ascii"))
            return data.decode(codec.name), ()
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong declaration: guess instead
    try:
        decoded = decode(data)
    except BinaryData as exc:
        raise ExtractError(f"not a text file ({exc})") from None
    return decoded.text, decoded.warnings


def html_text(data: bytes) -> Extracted:
    """The readable text of an HTML page, paragraphs separated by blank lines.

    >>> page = b"<title>T</title><nav>Home</nav><h2>Intro</h2><p>Hello <b>you</b>.</p>"
    >>> html_text(page).text
    '## Intro\\n\\nHello you.'
    """
    text, warnings = _decode(data)
    reader = _Reader()
    reader.feed(text.replace("\x00", "\ufffd"))
    reader.close()
    reader._flush()
    title = " ".join("".join(reader.title).split())
    return Extracted("\n\n".join(reader.blocks), title, {}, warnings)
