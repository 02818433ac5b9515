"""A note's tags, as Obsidian reads them: front matter `tags` plus inline `#tags` in the body.

An inline tag is `#` at the start of a line or after whitespace, followed by
letters, digits, `_`, `-` or `/` (nested tags), with at least one character
that is not a digit (`#2024` is not a tag). Code — fenced blocks and
`inline spans` — is skipped; a heading's `# ` is not a tag (a space follows
it), nor is a URL's `#anchor` or `C#` (no whitespace before). Tags are kept
without `#`, deduplicated, sorted, within front_matter's limits.
"""

from __future__ import annotations

import re

from .front_matter import MAX_TAG_CHARS, MAX_TAGS

_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_CODE_SPAN = re.compile(r"(`+).*?\1")
_TAG = re.compile(r"(?:^|(?<=\s))#([\w/-]*[^\W\d_][\w/-]*)")


def inline_tags(body: str) -> list[str]:
    """Inline tags of a Markdown body, in order of first use.

    >>> inline_tags("# Title\\n#ai and #读书/笔记, not #2024 or a#b or `#code` or http://x/#y")
    ['ai', '读书/笔记']
    """
    found: dict[str, None] = {}
    in_fence = False
    for line in body.split("\n"):
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence or "#" not in line:
            continue
        for m in _TAG.finditer(_CODE_SPAN.sub(" ", line)):
            if tag := m.group(1).strip("/"):
                found.setdefault(tag[:MAX_TAG_CHARS], None)
            if len(found) >= MAX_TAGS:
                return list(found)
    return list(found)


def note_tags(front: object, body: str) -> list[str]:
    """Front matter tags (already plain strings) and inline tags, without '#', sorted.

    >>> note_tags(["#Project", "ai"], "text #ai #todo")
    ['Project', 'ai', 'todo']
    """
    tags = [t.lstrip("#") for t in front if isinstance(t, str)] if isinstance(front, list) else []
    return sorted({t for t in tags + inline_tags(body) if t})[:MAX_TAGS]
