"""YAML front matter, parsed on a budget: a note's metadata never costs more than its size.

python-frontmatter with PyYAML's SafeLoader (plain data, never Python
objects), bounded three ways before anything is built from the YAML:
the block is at most MAX_FRONT_MATTER_CHARS (a larger one is not front matter
and stays body text); nesting is at most MAX_DEPTH; aliases (`*a`) may repeat
earlier nodes only while the document, with every alias expanded, stays
within MAX_EXPANDED characters — counted on the composed node graph, so an
alias bomb ("billion laughs") is refused after reading its few hundred bytes,
and a recursive alias is refused outright. Refused or broken front matter is
reported and ignored; the note's body is still indexed. `title` and `tags`
become short plain strings. Leaves out: TOML (`+++`) and JSON front matter.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field

import frontmatter
import yaml
from frontmatter.default_handlers import YAMLHandler

MAX_FRONT_MATTER_CHARS = 16 * 1024
MAX_DEPTH = 32
MAX_EXPANDED = 4 * MAX_FRONT_MATTER_CHARS  # aliases may at most quadruple the block
MAX_TITLE_CHARS = 200
MAX_TAG_CHARS = 60
MAX_TAGS = 50

_FENCED = re.compile(r"\A---[ \t]*\r?\n(.*?)(?:\r?\n)---[ \t]*(?:\r?\n|\Z)", re.S)


class FrontMatterRefused(ValueError):
    """Front matter over one of the budgets; the message says which."""


@dataclass(frozen=True)
class FrontMatter:
    meta: dict = field(default_factory=dict)
    body_start: int = 0  # first character after the closing fence
    warnings: tuple[str, ...] = ()


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader that refuses deep nesting and alias expansion beyond the budget."""

    _depth = 0

    def compose_node(self, parent, index):
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise FrontMatterRefused(f"nested deeper than {MAX_DEPTH} levels")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def compose_document(self):
        node = super().compose_document()
        if node is not None:
            expanded_size(node, MAX_EXPANDED)
        return node


class _BoundedYAML(YAMLHandler):
    def load(self, fm: str, **kwargs: object) -> object:
        return yaml.load(fm, Loader=_BoundedLoader)


def expanded_size(root: yaml.Node, limit: int) -> int:
    """Characters of the document with every alias written out; raises past `limit`.

    Counts each scalar's length plus one per node, sharing the count of a node
    reached again through an alias (so the walk itself stays small).
    """
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if key in sizes:
            continue
        if isinstance(node, yaml.ScalarNode):
            sizes[key] = 1 + len(node.value)
            continue
        kids = (
            list(node.value)
            if isinstance(node, yaml.SequenceNode)
            else [n for pair in node.value for n in pair]
        )
        if children_done:
            open_nodes.discard(key)
            sizes[key] = 1 + sum(sizes[id(k)] for k in kids)
            if sizes[key] > limit:
                raise FrontMatterRefused(
                    f"aliases expand it beyond {limit:,} characters (an alias bomb?)"
                )
            continue
        if key in open_nodes:
            raise FrontMatterRefused("an alias refers to a node that contains it")
        open_nodes.add(key)
        stack.append((node, True))
        for k in kids:
            if id(k) in open_nodes:
                raise FrontMatterRefused("an alias refers to a node that contains it")
            if id(k) not in sizes:
                stack.append((k, False))
    return sizes[id(root)]


def plain_text(value: object, limit: int) -> str | None:
    """A scalar as one short line of text; None for lists, maps and nulls.

    >>> plain_text("  A\\x1b[31m title\\n ", 80), plain_text(["x"], 80), plain_text(2024, 3)
    ('A [31m title', None, '202')
    """
    if value is None or isinstance(value, bool):
        return None
    if not isinstance(value, str | int | float | datetime.date):
        return None
    text = str(value).encode("utf-8", "replace").decode("utf-8")  # lone surrogates
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf") else ch for ch in text)
    return " ".join(text.split())[:limit] or None


def _tags(value: object) -> list[str]:
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        return []
    tags = (plain_text(t, MAX_TAG_CHARS) for t in items[:MAX_TAGS])
    return [t for t in tags if t]


def parse_front_matter(text: str) -> FrontMatter:
    """Split off and parse a `---` fenced YAML block at the very start of `text`.

    >>> fm = parse_front_matter("---\\ntitle: 读书笔记\\ntags: [AI, 笔记]\\n---\\n# 正文\\n")
    >>> fm.meta["title"], fm.meta["tags"], fm.body_start
    ('读书笔记', ['AI', '笔记'], 35)
    """
    head = text[: MAX_FRONT_MATTER_CHARS + 1]
    m = _FENCED.match(head)
    if not m or (m.end() == len(head) < len(text)):  # no closing fence within the budget
        return FrontMatter()
    try:
        meta = frontmatter.loads(text[: m.end()], handler=_BoundedYAML()).metadata
    except FrontMatterRefused as exc:
        return FrontMatter({}, m.end(), (f"front matter refused ({exc}); ignored",))
    except Exception as exc:  # the YAML library raises many kinds; RecursionError too
        first = (str(exc).splitlines() or [type(exc).__name__])[0][:200]
        return FrontMatter({}, m.end(), (f"front matter is not valid YAML ({first}); ignored",))
    if not isinstance(meta, dict):
        return FrontMatter({}, m.end(), ("front matter is not a mapping; ignored",))
    warnings = []
    if "title" in meta:
        title = plain_text(meta["title"], MAX_TITLE_CHARS)
        if title is None:
            if isinstance(meta["title"], list | dict):
                warnings.append("front matter title is not text; ignored")
            del meta["title"]
        else:
            meta["title"] = title
    if "tags" in meta:
        meta["tags"] = _tags(meta["tags"])
    return FrontMatter(meta, m.end(), tuple(warnings))
