"""Obsidian vaults: which folder is one, what to skip in it, and its notes' visible text.

A folder holding `.obsidian/` is a vault. Its `.obsidian/` and `.trash/`
are hidden folders, skipped like any (index.finding); its templates folder
(`folder` in `.obsidian/templates.json`, else `templates`/`Templates`) is
skipped too: templates are blanks, not notes.

A vault note is stored and indexed as Obsidian shows it, not as its raw
Markdown: `[[Note|alias]]` reads `alias`, `[[Note]]` reads `Note`,
`[[Note#Part]]` reads `Note > Part`, a note embed `![[Note]]` reads `Note`,
an image or other attachment embed is dropped (Obsidian draws it; its file
name is not text), `> [!note] Title` reads `Title`, quote markers (`> `) and
`%%comments%%` go. We store the rendered text rather than marking the
syntax as noise because a quote must be one verbatim slice of the stored
text: `see [[Alpha|the first paper]] for` would otherwise either be quoted
with its brackets or not at all. Rendering never adds or removes a line, so
a line of the stored text is the same line of the file (the line map is the
identity) and "open" still lands on the right line. Code blocks and
`code spans` are left as they are. Leaves out: Dataview queries, block
references' targets and embeds' contents (an embed reads as its name).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from urllib.parse import quote, urlencode

MARKER = ".obsidian"
MARKDOWN_SUFFIXES = (".md", ".markdown")
MAX_SETTINGS_BYTES = 64 * 1024
_MEDIA = {
    "png", "jpg", "jpeg", "gif", "bmp", "svg", "webp", "avif", "mp3", "wav", "m4a", "ogg",
    "flac", "webm", "mp4", "mkv", "mov", "ogv", "pdf", "3gp",
}  # fmt: skip
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_CODE_SPAN = re.compile(r"(`+).*?\1")
_WIKILINK = re.compile(r"(!?)\[\[([^\[\]\n]*)\]\]")
_SIZE = re.compile(r"\d+(?:x\d+)?")
_CALLOUT = re.compile(r"^([ \t]*)(?:>[ \t]?)+\[![^\]\n]*\][+-]?[ \t]*")
_QUOTE = re.compile(r"^([ \t]*)(?:>[ \t]?)+")
_COMMENT = re.compile(r"%%.*?%%")


def vault_root(path: str | os.PathLike) -> Path | None:
    """The vault a file or folder lies in (the nearest folder above it holding `.obsidian/`)."""
    p = Path(os.path.abspath(path))
    for folder in (p, *p.parents):
        if (folder / MARKER).is_dir():
            return folder
    return None


def templates_folder(root: Path) -> Path | None:
    """The vault's templates folder: the one its core Templates plugin names, else the usual one."""
    settings = root / MARKER / "templates.json"
    try:
        with settings.open("rb") as fh:
            folder = json.loads(fh.read(MAX_SETTINGS_BYTES)).get("folder")
    except (OSError, ValueError, AttributeError):
        folder = None
    if isinstance(folder, str) and folder.strip("/ "):
        target = Path(os.path.normpath(root / folder.strip("/ ")))
        if target != root and root in target.parents:  # never the vault itself or outside it
            return target
    return next((root / n for n in ("templates", "Templates") if (root / n).is_dir()), None)


def _visible(m: re.Match) -> str:
    embed, inner = m.group(1), m.group(2)
    target, _, alias = inner.partition("|")
    target, _, part = target.partition("#")
    name = target.strip().rsplit("/", 1)[-1]
    stem, dot, ext = name.rpartition(".")
    if embed and dot and ext.lower() in _MEDIA:
        return ""
    if dot and ext.lower() == "md":
        name = stem
    alias, part = alias.strip(), part.strip()
    if alias and not (embed and _SIZE.fullmatch(alias)):
        return alias
    if part and not part.startswith("^"):
        return f"{name} > {part}" if name else part
    return name or part.lstrip("^")


def _render_prose(text: str) -> str:
    return _COMMENT.sub("", _WIKILINK.sub(_visible, text))


def render_line(line: str) -> str:
    """A line of a vault note as Obsidian shows it (outside code blocks).

    >>> render_line("> [!tip] Read [[Alpha|the first paper]] and ![[img.png]] `[[x]]`")
    'Read the first paper and  `[[x]]`'
    >>> render_line("See [[Notes/Beta#Results]], [[Gamma]] %%hidden%%#tag")
    'See Beta > Results, Gamma #tag'
    """
    line = _CALLOUT.sub(r"\1", line, count=1)
    line = _QUOTE.sub(r"\1", line, count=1)
    out, pos = [], 0
    for m in _CODE_SPAN.finditer(line):
        out += [_render_prose(line[pos : m.start()]), m.group(0)]
        pos = m.end()
    out.append(_render_prose(line[pos:]))
    return "".join(out)


def render(text: str, body_start: int) -> str:
    """`text` with its body rendered line by line; the front matter and every newline kept."""
    lines = text[body_start:].split("\n")
    in_fence = False
    for i, line in enumerate(lines):
        if _FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence and ("[" in line or ">" in line or "%%" in line):
            lines[i] = render_line(line)
    return text[:body_start] + "\n".join(lines)


def obsidian_url(root: Path, path: str | os.PathLike) -> str:
    """The obsidian:// link that opens a vault's file (a note named without `.md`).

    >>> obsidian_url(Path("/v/My Vault"), "/v/My Vault/读书/Note one.md")
    'obsidian://open?vault=My%20Vault&file=%E8%AF%BB%E4%B9%A6%2FNote%20one'
    """
    rel = Path(os.path.abspath(path)).relative_to(root).as_posix()
    if rel.lower().endswith(".md"):
        rel = rel[:-3]
    query = urlencode({"vault": root.name, "file": rel}, quote_via=quote, safe="")
    return f"obsidian://open?{query}"
