"""Turn a note's Markdown into sections of clean text, each with its heading path.

A `Segment` is a run of body lines under one heading with no noise inside, so
`note.text[start:end]` is text worth quoting. Noise never becomes a segment:
the table of contents (a "目录"/"Contents" heading, or list lines made only of
links to `#anchors`), failed-image placeholders ("外链图片转存失败"), lines that
are only images or a URL, horizontal rules, HTML comments, and any line the
note already had verbatim (the first copy is kept). A heading with no body
yields nothing; a line holding only a form feed (a PDF's page break) ends
a segment. Leaves out: setext headings (underlined with ===) and tables'
structure (a table is kept as text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .notes import Note

PATH_SEP = " › "
_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_TOC_TITLES = {"目录", "文章目录", "contents", "table of contents", "toc", "目 录"}
_LIST_MARK = r"(?:[*+\-]|\d+[.)])"
_ANCHOR_LINK = re.compile(rf"^\s*(?:{_LIST_MARK}\s+)*\[[^\]]*\]\(#[^)]*\)\s*$")
_IMAGE = r"!\[(?:[^\[\]]|\[[^\]]*\])*\]\([^)]*\)"
_ONLY_IMAGES = re.compile(rf"^\s*(?:>\s*)*(?:{_IMAGE}\s*)+$")
_ONLY_URL = re.compile(r"^\s*(?:>\s*)*<?https?://\S+>?\s*$")
_RULE = re.compile(r"^\s*(?:[-*_]\s*){3,}$")
_COMMENT = re.compile(r"^\s*<!--.*-->\s*$")
_FAILED_IMAGE = "外链图片转存失败"
# A heading goes into the section path of every chunk under it: keep it a line, not a page.
MAX_HEADING_CHARS = 200
_MIN_DEDUP_CHARS = 8  # shorter repeated lines ("打造虚拟客服") are legitimately reused


@dataclass(frozen=True)
class Segment:
    section: tuple[str, ...]  # heading path, outermost first
    start: int
    end: int
    line: int  # 1-based line of `start`


def is_noise(line: str) -> bool:
    """True for a line that must never be indexed or quoted.

    >>> is_noise("> ![[外链图片转存失败,源站可能有防盗链机制(img-1)(https://x/y)]](https://z.png)")
    True
    >>> is_noise("专家通过专业的方式将信息整合在一起")
    False
    """
    return bool(
        _FAILED_IMAGE in line
        or _ANCHOR_LINK.match(line)
        or _ONLY_IMAGES.match(line)
        or _ONLY_URL.match(line)
        or _RULE.match(line)
        or _COMMENT.match(line)
    )


def _lines(text: str, start: int):
    """Yield (line_no, start, end_without_newline) from `start` to the end."""
    line_no = text.count("\n", 0, start) + 1
    pos = start
    n = len(text)
    while pos < n:
        nl = text.find("\n", pos)
        end = n if nl == -1 else nl
        stop = end - 1 if end > pos and text[end - 1] == "\r" else end
        yield line_no, pos, stop
        if nl == -1:
            break
        pos = nl + 1
        line_no += 1


def _title_path(note: Note, headings: list[tuple[int, str]]) -> int:
    """Level of a lone top heading that only repeats the note's title (dropped from paths)."""
    h1 = [t for lvl, t in headings if lvl == 1]
    return 1 if len(h1) == 1 else 0


def split_sections(note: Note) -> list[Segment]:
    text = note.text
    lines = list(_lines(text, note.body_start))
    headings: list[tuple[int, str]] = []
    in_fence = False
    for _, s, e in lines:
        raw = text[s:e]
        if _FENCE.match(raw):
            in_fence = not in_fence
        elif not in_fence and (m := _HEADING.match(raw)):
            headings.append((len(m.group(1)), m.group(2).strip()[:MAX_HEADING_CHARS]))
    drop_level = _title_path(note, headings)

    segments: list[Segment] = []
    stack: list[tuple[int, str]] = []
    seen_lines: set[str] = set()
    in_toc = in_fence = False
    run: tuple[int, int, int] | None = None  # (line_no, start, end) of the open segment

    def close() -> None:
        nonlocal run
        if run is not None:
            path = tuple(t for lvl, t in stack if lvl != drop_level) or (note.title,)
            segments.append(Segment(section=path, start=run[1], end=run[2], line=run[0]))
            run = None

    for line_no, s, e in lines:
        raw = text[s:e]
        if _FENCE.match(raw):
            in_fence = not in_fence
        m = None if in_fence or _FENCE.match(raw) else _HEADING.match(raw)
        if m:
            close()
            level, title = len(m.group(1)), m.group(2).strip()[:MAX_HEADING_CHARS]
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, title))
            in_toc = title.strip().lower() in _TOC_TITLES
            continue
        stripped = raw.strip()
        if raw == "\f":  # a PDF's page break (index.pdf_text): no chunk spans two pages
            close()
            continue
        if not stripped:
            continue  # blank lines may sit inside a segment
        if in_toc and (_ANCHOR_LINK.match(raw) or stripped.startswith(("*", "+", "-"))):
            close()
            continue
        in_toc = False
        duplicate = len(stripped) >= _MIN_DEDUP_CHARS and stripped in seen_lines
        if is_noise(raw) or duplicate:
            close()
            continue
        if len(stripped) >= _MIN_DEDUP_CHARS:
            seen_lines.add(stripped)
        lead = len(raw) - len(raw.lstrip())
        if run is None:
            run = (line_no, s + lead, e)
        else:
            run = (run[0], run[1], e)
    close()
    return [seg for seg in segments if text[seg.start : seg.end].strip()]
