"""The sources panel and the notes table: our own escaped HTML beside the chat.

For each answer, a card per citation: its section and place, the passage with
the quote highlighted, and "show in note" with the note's text around it.
The newest answer's cards are open, older ones folded; a card's id is the
target of its marker in the chat (`bubble.source_id`), and the browser opens
the folded answer that holds it when the marker is followed. Labels come in
both languages (`labels.both`); the page shows the one in use. Every piece of
note text goes through `html.escape` and is shown as text, never as Markdown.
Leaves out: the chat bubbles (chatbot/bubble.py).
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from .bubble import file_name, source_id
from .labels import both, text
from .links import safe_link


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _highlight(text: str, start: int, end: int, marked: str | None = None) -> str:
    """`text` escaped, with text[start:end] (or `marked`, its HTML) in <mark>."""
    start, end = max(0, start), min(len(text), end)
    if start >= end:
        return esc(text)
    inner = esc(text[start:end]) if marked is None else marked
    return f"{esc(text[:start])}<mark>{inner}</mark>{esc(text[end:])}"


def _quote(c: dict) -> str:
    """The quote escaped, its chosen sentence in <strong> when sentences beside it are
    quoted too (chatbot.beside)."""
    quote, f = str(c["quote"]), c.get("focus")
    try:
        a, b = int(f[0]) - int(c["start"]), int(f[1]) - int(c["start"])
    except (TypeError, ValueError, IndexError, KeyError):
        return esc(quote)
    if not 0 <= a < b <= len(quote):
        return esc(quote)
    return f"{esc(quote[:a])}<strong>{esc(quote[a:b])}</strong>{esc(quote[b:])}"


def _scores(p: dict) -> str:
    s = p["scores"]
    return (
        f'<div class="nc-scores">{both("lexical")} {float(s["lexical"]):.3f} · '
        f"{both('dense')} {float(s['dense']):.3f} · {both('fused')} {float(s['fused']):.3f}</div>"
    )


def _context(c: dict) -> str:
    ctx = c.get("context")
    if not isinstance(ctx, dict):
        return ""
    body = (
        ("…" if ctx.get("more_before") else "")
        + esc(ctx.get("before", ""))
        + f'<mark class="nc-here">{_quote(c)}</mark>'
        + esc(ctx.get("after", ""))
        + ("…" if ctx.get("more_after") else "")
    )
    return (
        f'<details class="nc-context"><summary>{both("show_in_note")}'
        f" ({esc(file_name(c['note']))} · {both('line')} {int(ctx.get('line', 1))})"
        f'</summary><div class="nc-note">{body}</div></details>'
    )


def _place(c: dict) -> str:
    """'note.md · line 12', or 'report.pdf · page 3'."""
    page = c.get("page")
    if isinstance(page, int) and not isinstance(page, bool):
        return f"{esc(file_name(c['note']))} · {both('page')} {page}"
    return f"{esc(file_name(c['note']))} · {both('line')} {int(c['line'])}"


def _open(c: dict) -> str:
    """The citation's "open" link (only obsidian: and file: ones: a turn comes from the browser)."""
    link = safe_link(c.get("open"))
    if not link:
        return ""
    return (
        f' <a class="nc-open" href="{esc(link)}" title="{esc(text("open_hint", "en"))}: '
        f'{esc(link)}" target="_blank" rel="noopener noreferrer">{both("open")}</a>'
    )


def _card(c: dict, turn: dict, turn_no: int, show_scores: bool) -> str:
    n = int(c["n"])
    passages = turn["passages"]
    i = c.get("passage")
    p = passages[i] if isinstance(i, int) and 0 <= i < len(passages) else None
    if p is not None:
        off = int(c["start"]) - int(p["start"])
        text = str(p["text"])
        quoted = text[off : off + len(str(c["quote"]))] == str(c["quote"])
        passage = _highlight(text, off, off + len(str(c["quote"])), _quote(c) if quoted else None)
    else:
        passage = f"<mark>{_quote(c)}</mark>"
    return (
        f'<article class="nc-source" id="{source_id(turn_no, n)}">'
        f'<header><span class="nc-num">[{n}]</span> '
        f'<span class="nc-section">{esc(c["section"])}</span>'
        f' <span class="nc-where" title="{esc(c["note"])}">{_place(c)}</span>{_open(c)}</header>'
        f'<blockquote class="nc-passage">{passage}</blockquote>'
        + (_scores(p) if show_scores and p is not None else "")
        + _context(c)
        + "</article>"
    )


def _passages_table(turn: dict) -> str:
    rows = "".join(
        f"<tr><td>{int(p['rank'])}</td><td>{esc(p['section'])}</td>"
        f"<td>{esc(file_name(p['note']))}:{int(p['line'])}</td>"
        f"<td>{float(p['scores']['lexical']):.3f}</td><td>{float(p['scores']['dense']):.3f}</td>"
        f"<td>{float(p['scores']['fused']):.3f}</td></tr>"
        for p in turn["passages"]
    )
    head = "".join(
        f"<th>{both(k)}</th>" for k in ("rank", "section", "where", "lexical", "dense", "fused")
    )
    return (
        f'<details class="nc-passages" open><summary>{both("passages")}</summary>'
        f'<table class="nc-table"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'
        "</details>"
    )


def sources_html(turns: list[dict], show_scores: bool = False) -> str:
    """The sources panel: the newest answer's citations open, older ones folded."""
    head = f'<h3 class="nc-sources-title">{both("sources")}</h3>'
    if not turns:
        return f'<div class="nc-sources">{head}<p class="nc-empty">{both("no_sources")}</p></div>'
    blocks = []
    for i in range(len(turns), 0, -1):
        turn = turns[i - 1]
        cards = "".join(_card(c, turn, i, show_scores) for c in turn["citations"])
        if not cards:
            cards = f'<p class="nc-empty">{both("no_citations")}</p>'
        table = _passages_table(turn) if show_scores and turn["passages"] else ""
        blocks.append(
            f'<details class="nc-turn" id="nc-turn-{i}"{" open" if i == len(turns) else ""}>'
            f'<summary><span class="nc-qnum">{i}.</span> {esc(turn["question"])}</summary>'
            f"{cards}{table}</details>"
        )
    return f'<div class="nc-sources">{head}{"".join(blocks)}</div>'


def notes_html(notes: Iterable[dict]) -> str:
    """The indexed notes with their chunk counts."""
    rows = "".join(
        f'<tr><td title="{esc(n["path"])}">{esc(file_name(n["path"]))}</td>'
        f'<td class="nc-count">{int(n.get("chunks", 0))}</td></tr>'
        for n in notes
    )
    if not rows:
        return f'<p class="nc-empty">{both("no_notes")}</p>'
    return (
        f'<table class="nc-table nc-notes"><thead><tr><th>{both("notes")}</th>'
        f"<th>{both('chunks')}</th></tr></thead><tbody>{rows}</tbody></table>"
    )
