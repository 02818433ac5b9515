"""Markdown tables in a note's text: which header row a table row sits under.

A row ("| salt | 10 |") says what it means only with its table's header row
("| ingredient | grams |"): it is embedded under it (index.chunking) and quoted
from it down (chatbot.extent). A table here is a run of lines opening with "|",
its second line a rule ("|---|:---:|"); a Word document's tables are written so
(`markdown_table`). A chunk that starts inside a long table keeps its header
row (index.chunking). Leaves out: tables without a rule line, HTML tables,
cells that span lines.
"""

from __future__ import annotations

import re

_RULE = re.compile(r"\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?")


def is_row(line: str) -> bool:
    """Does `line` look like a Markdown table's row?

    >>> is_row("| salt | 10 |"), is_row("salt | 10"), is_row("|")
    (True, False, False)
    """
    return line.startswith("|") and line.count("|") >= 2


def header_start(text: str, at: int) -> int | None:
    """Where the header row starts of the table whose row opens at `at` in `text`; None for
    no such table, and for the header row or the rule itself.

    >>> t = "Dough:\\n| ingredient | grams |\\n|---|---|\\n| flour | 500 |\\n| salt | 10 |"
    >>> header_start(t, t.index("| salt")) == t.index("| ingredient")
    True
    >>> header_start(t, t.index("| ingredient")) is None
    True
    """
    if at > 0 and text[at - 1] != "\n" or not is_row(_line(text, at)):
        return None
    start = at
    while start > 0:
        above = text.rfind("\n", 0, start - 1) + 1
        if not is_row(_line(text, above).strip()):
            break
        start = above
    rule = text.find("\n", start) + 1
    if rule <= 0 or rule >= at or not _RULE.fullmatch(_line(text, rule).strip()):
        return None
    return start


def header_row(text: str, at: int) -> str:
    """The header row of the table whose row opens at `at`, or "" (see `header_start`)."""
    start = header_start(text, at)
    return "" if start is None else _line(text, start)


def markdown_table(rows: list[list[str]]) -> str:
    """Rows of cells (a document's table) as a Markdown table, the first row its header.

    >>> print(markdown_table([["Item", "Room"], ["Freezer", "B12"], ["a|b", ""]]))
    | Item | Room |
    |---|---|
    | Freezer | B12 |
    | a\\|b |  |
    """
    lines = ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in rows]
    return "\n".join(lines[:1] + ["|" + "---|" * len(rows[0])] + lines[1:])


def _line(text: str, at: int) -> str:
    end = text.find("\n", at)
    return text[at : len(text) if end < 0 else end]
