"""HTML and Markdown for the chat UI: pure functions from answers to text.

A *turn* is one question and its answer as plain JSON (`make_turn`): the
`to_dict` answer plus, for each citation, the passage that holds the quote and
the note text around it. Turns are what the browser keeps (gr.BrowserState),
so everything on the page can be redrawn from them after a refresh.

Every piece of user or note text goes through `html.escape` and is shown as
text: note Markdown (images, links, raw HTML) is never interpreted, so a remote
image in a note stays a line of text and never becomes a request.
Leaves out: talking to the engine or to Gradio (see chatbot/ui.py).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from pathlib import PurePath

CONTEXT_CHARS = 400  # note text shown before and after a quote by "show in note"
LANGS = ("zh", "en")

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "title": "notechat — ask your notes",
        "subtitle": "Answers quote your notes word for word; every quote cites its source.",
        "chat": "Conversation",
        "placeholder": "Ask a question about your notes, then press Enter",
        "question": "Question",
        "send": "Send",
        "clear": "Clear chat",
        "examples": "Example questions",
        "scores": "Show retrieval scores",
        "sources": "Sources",
        "no_sources": "Ask a question: the passages it quotes appear here.",
        "no_citations": "No passage of the notes was quoted for this answer.",
        "show_in_note": "Show in note",
        "passages": "Retrieved passages",
        "rank": "#",
        "section": "Section",
        "where": "Note",
        "lexical": "lexical (BM25)",
        "dense": "dense (cosine)",
        "fused": "fused",
        "line": "line",
        "low": "The note does not seem to say this — the closest passages are quoted.",
        "none": "Nothing about this was found in the notes.",
        "export": "Export conversation (Markdown)",
        "notes": "Indexed notes",
        "chunks": "chunks",
        "no_notes": "No notes are indexed yet.",
        "upload": "Add notes (.md, .markdown, .txt; at most 5 MB each)",
        "add_notes": "Notes",
        "language": "Language",
        "thinking": "Searching the notes…",
        "export_title": "notechat conversation",
        "confidence": "confidence",
    },
    "zh": {
        "title": "notechat — 问问你的笔记",
        "subtitle": "回答逐字引用你的笔记，每段引文都注明出处。",
        "chat": "对话",
        "placeholder": "输入关于笔记的问题，按回车发送",
        "question": "问题",
        "send": "发送",
        "clear": "清空对话",
        "examples": "示例问题",
        "scores": "显示检索分数",
        "sources": "来源",
        "no_sources": "提问后，回答引用的段落会显示在这里。",
        "no_citations": "这个回答没有引用笔记中的段落。",
        "show_in_note": "在笔记中显示",
        "passages": "检索到的段落",
        "rank": "#",
        "section": "章节",
        "where": "笔记",
        "lexical": "词匹配 (BM25)",
        "dense": "语义 (余弦)",
        "fused": "融合",
        "line": "行",
        "low": "笔记中似乎没有直接答案——以下是最接近的段落。",
        "none": "笔记中没有找到相关内容。",
        "export": "导出对话（Markdown）",
        "notes": "已索引的笔记",
        "chunks": "段",
        "no_notes": "还没有索引任何笔记。",
        "upload": "添加笔记（.md、.markdown、.txt；每个最多 5 MB）",
        "add_notes": "笔记",
        "language": "语言",
        "thinking": "正在检索笔记…",
        "export_title": "notechat 对话",
        "confidence": "置信度",
    },
}

_MARKER = re.compile(r"\[(\d{1,3})\]")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>!|~&#])")


def lang_of(value: object) -> str:
    """A supported UI language from a browser tag or a choice ('zh-CN' → 'zh')."""
    return "zh" if str(value or "").lower().startswith("zh") else "en"


def t(lang: str, key: str) -> str:
    return LABELS[lang_of(lang)][key]


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def file_name(path: str) -> str:
    return PurePath(str(path)).name or str(path)


# --- turns -----------------------------------------------------------------


def _context(note: str, start: int, end: int, window: int) -> dict:
    """The note around [start, end), widened to whole lines within `window` chars."""
    lo = max(0, start - window)
    if lo > 0:
        nl = note.find("\n", lo, start)
        lo = nl + 1 if nl >= 0 else lo
    hi = min(len(note), end + window)
    if hi < len(note):
        nl = note.rfind("\n", end, hi)
        hi = nl if nl >= 0 else hi
    return {
        "before": note[lo:start],
        "after": note[end:hi],
        "line": note.count("\n", 0, lo) + 1,
        "more_before": lo > 0,
        "more_after": hi < len(note),
    }


def make_turn(
    result: dict, notes: dict[str, str], language: str, window: int = CONTEXT_CHARS
) -> dict:
    """A turn from `answer.to_dict(...)`: each citation gains its passage and note context.

    `notes` maps note paths to their full text (the index's own copy, so the
    offsets match); a citation whose quote is not verbatim there gets no context.
    """
    cites = []
    for c in result.get("citations", []):
        c = dict(c)
        c["passage"] = next(
            (
                i
                for i, p in enumerate(result.get("passages", []))
                if p["note"] == c["note"] and p["start"] <= c["start"] and c["end"] <= p["end"]
            ),
            None,
        )
        note = notes.get(c["note"])
        if note is not None and note[c["start"] : c["end"]] == c["quote"]:
            c["context"] = _context(note, c["start"], c["end"], window)
        cites.append(c)
    return {
        "question": result.get("question", ""),
        "answer": result.get("answer", ""),
        "confidence": result.get("confidence", "none"),
        "language": language,
        "citations": cites,
        "passages": list(result.get("passages", [])),
    }


def valid_turns(value: object) -> list[dict]:
    """Turns from the browser's storage; anything malformed is dropped, not trusted."""
    if not isinstance(value, list):
        return []
    out = []
    for turn in value:
        try:
            if not isinstance(turn["question"], str) or not isinstance(turn["answer"], str):
                continue
            for c in turn["citations"]:
                int(c["n"]), int(c["line"]), str(c["quote"]), str(c["section"]), str(c["note"])
            for p in turn["passages"]:
                float(p["scores"]["lexical"]), float(p["scores"]["dense"]), str(p["text"])
        except (KeyError, TypeError, ValueError):
            continue
        out.append(turn)
    return out


# --- the answer in the chat --------------------------------------------------


def answer_segments(text: str, citations: list[dict]) -> list[tuple[str, str | int]]:
    """Split an answer into ("text", str) and ("marker", n) pieces.

    A marker counts only right after its own quote, so "[2]" inside a quoted
    sentence stays text.

    >>> answer_segments("根据笔记：“甲[9]乙”[1]", [{"n": 1, "quote": "甲[9]乙"}])
    [('text', '根据笔记：“'), ('text', '甲[9]乙'), ('text', '”'), ('marker', 1)]
    """
    segs: list[tuple[str, str | int]] = []
    pos = 0
    for c in citations:
        n, quote = int(c["n"]), str(c["quote"])
        q = text.find(quote, pos) if quote else -1
        m = re.compile(rf"(”?\s*)\[{n}\]").match(text, q + len(quote)) if q >= 0 else None
        if m is None:  # not in the usual shape: link any known marker instead
            return _loose_segments(text, {int(c["n"]) for c in citations})
        segs += [("text", text[pos:q]), ("text", quote), ("text", m.group(1)), ("marker", n)]
        pos = m.end()
    segs.append(("text", text[pos:]))
    return [s for s in segs if s[1] != ""]


def _loose_segments(text: str, known: set[int]) -> list[tuple[str, str | int]]:
    segs: list[tuple[str, str | int]] = []
    pos = 0
    for m in _MARKER.finditer(text):
        if int(m.group(1)) in known:
            segs += [("text", text[pos : m.start()]), ("marker", int(m.group(1)))]
            pos = m.end()
    segs.append(("text", text[pos:]))
    return [s for s in segs if s[1] != ""]


def answer_length(turn: dict) -> int:
    return len(turn["answer"])


def answer_html(turn: dict, index: int, lang: str, limit: int | None = None) -> str:
    """The answer bubble: a confidence banner, then the text with markers as links.

    `limit` shows only the first `limit` characters (for streaming); a marker
    appears whole or not at all, so every prefix is valid HTML.
    """
    cites = {int(c["n"]): c for c in turn["citations"]}
    parts = []
    if turn["confidence"] == "low":
        parts.append(f'<div class="nc-banner nc-low" role="note">⚠ {esc(t(lang, "low"))}</div>')
    elif turn["confidence"] == "none":
        parts.append(f'<div class="nc-banner nc-none" role="note">∅ {esc(t(lang, "none"))}</div>')
    left = len(turn["answer"]) if limit is None else limit
    body = []
    for kind, value in answer_segments(turn["answer"], turn["citations"]):
        if left <= 0:
            break
        if kind == "text":
            body.append(esc(str(value)[:left]))
            left -= len(str(value))
        else:
            n = int(value)
            left -= len(f"[{n}]")
            if left >= 0:
                body.append(_marker_link(index, n, cites.get(n)))
    parts.append(f'<div class="nc-answer">{"".join(body)}</div>')
    return "".join(parts)


def _marker_link(index: int, n: int, cite: dict | None) -> str:
    tip = f"{cite['section']} · {file_name(cite['note'])}:{cite['line']}" if cite else ""
    return (
        f'<a class="nc-cite" href="#nc-src-{index}-{n}" data-turn="{index}" data-n="{n}"'
        f' title="{esc(tip)}">[{n}]</a>'
    )


def user_html(question: str) -> str:
    return f'<div class="nc-question">{esc(question)}</div>'


def thinking_html(lang: str) -> str:
    return f'<div class="nc-thinking">{esc(t(lang, "thinking"))}</div>'


def chat_messages(turns: list[dict], lang: str) -> list[dict]:
    """gr.Chatbot messages ({"role", "content"}) for the whole conversation."""
    out = []
    for i, turn in enumerate(turns, start=1):
        out.append({"role": "user", "content": user_html(turn["question"])})
        out.append({"role": "assistant", "content": answer_html(turn, i, lang)})
    return out


def stream_limits(length: int, steps: int = 24) -> list[int]:
    """Growing prefix lengths ending at `length`, for a streamed answer.

    >>> stream_limits(10, steps=4)
    [3, 6, 9, 10]
    """
    step = max(1, -(-length // steps))
    return list(range(step, length, step)) + [length]


# --- the sources panel -------------------------------------------------------


def _highlight(text: str, start: int, end: int) -> str:
    """`text` escaped, with text[start:end] in <mark>."""
    start, end = max(0, start), min(len(text), end)
    if start >= end:
        return esc(text)
    return f"{esc(text[:start])}<mark>{esc(text[start:end])}</mark>{esc(text[end:])}"


def _scores(p: dict, lang: str) -> str:
    s = p["scores"]
    return (
        f'<div class="nc-scores">{esc(t(lang, "lexical"))} {float(s["lexical"]):.3f} · '
        f"{esc(t(lang, 'dense'))} {float(s['dense']):.3f} · "
        f"{esc(t(lang, 'fused'))} {float(s['fused']):.3f}</div>"
    )


def _citation_html(c: dict, turn: dict, index: int, lang: str, show_scores: bool) -> str:
    n = int(c["n"])
    where = f"{file_name(c['note'])} · {t(lang, 'line')} {int(c['line'])}"
    p = turn["passages"][c["passage"]] if isinstance(c.get("passage"), int) else None
    if p is not None and 0 <= c["passage"] < len(turn["passages"]):
        off = int(c["start"]) - int(p["start"])
        passage = _highlight(str(p["text"]), off, off + len(str(c["quote"])))
    else:
        passage = f"<mark>{esc(c['quote'])}</mark>"
    parts = [
        f'<article class="nc-source" id="nc-src-{index}-{n}" data-turn="{index}" data-n="{n}">',
        f'<header><span class="nc-num">[{n}]</span> '
        f'<span class="nc-section">{esc(c["section"])}</span>'
        f' <span class="nc-where" title="{esc(c["note"])}">{esc(where)}</span></header>',
        f'<blockquote class="nc-passage">{passage}</blockquote>',
    ]
    if show_scores and p is not None:
        parts.append(_scores(p, lang))
    ctx = c.get("context")
    if isinstance(ctx, dict):
        body = (
            ("…" if ctx.get("more_before") else "")
            + esc(ctx.get("before", ""))
            + f'<mark class="nc-here">{esc(c["quote"])}</mark>'
            + esc(ctx.get("after", ""))
            + ("…" if ctx.get("more_after") else "")
        )
        parts.append(
            f'<details class="nc-context"><summary>{esc(t(lang, "show_in_note"))}'
            f" ({esc(file_name(c['note']))} · {esc(t(lang, 'line'))} {int(ctx.get('line', 1))})"
            f'</summary><div class="nc-note">{body}</div></details>'
        )
    parts.append("</article>")
    return "".join(parts)


def _passages_table(turn: dict, lang: str) -> str:
    rows = "".join(
        f"<tr><td>{int(p['rank'])}</td><td>{esc(p['section'])}</td>"
        f"<td>{esc(file_name(p['note']))}:{int(p['line'])}</td>"
        f"<td>{float(p['scores']['lexical']):.3f}</td><td>{float(p['scores']['dense']):.3f}</td>"
        f"<td>{float(p['scores']['fused']):.3f}</td></tr>"
        for p in turn["passages"]
    )
    head = "".join(
        f"<th>{esc(t(lang, k))}</th>"
        for k in ("rank", "section", "where", "lexical", "dense", "fused")
    )
    return (
        f'<details class="nc-passages" open><summary>{esc(t(lang, "passages"))}</summary>'
        f'<table class="nc-table"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'
        "</details>"
    )


def sources_html(turns: list[dict], lang: str, show_scores: bool = False) -> str:
    """The sources panel: the newest answer's citations open, older ones folded."""
    head = f'<h3 class="nc-sources-title">{esc(t(lang, "sources"))}</h3>'
    if not turns:
        empty = f'<p class="nc-empty">{esc(t(lang, "no_sources"))}</p>'
        return f'<div class="nc-sources">{head}{empty}</div>'
    blocks = []
    for i in range(len(turns), 0, -1):
        turn = turns[i - 1]
        cites = (
            "".join(_citation_html(c, turn, i, lang, show_scores) for c in turn["citations"])
            or f'<p class="nc-empty">{esc(t(lang, "no_citations"))}</p>'
        )
        table = _passages_table(turn, lang) if show_scores and turn["passages"] else ""
        blocks.append(
            f'<details class="nc-turn" id="nc-turn-{i}"{" open" if i == len(turns) else ""}>'
            f'<summary><span class="nc-qnum">{i}.</span> {esc(turn["question"])}</summary>'
            f"{cites}{table}</details>"
        )
    return f'<div class="nc-sources">{head}{"".join(blocks)}</div>'


# --- other panels ------------------------------------------------------------


def notes_html(notes: Iterable[dict], lang: str) -> str:
    """The indexed notes with their chunk counts."""
    rows = "".join(
        f'<tr><td title="{esc(n["path"])}">{esc(file_name(n["path"]))}</td>'
        f'<td class="nc-count">{int(n.get("chunks", 0))}</td></tr>'
        for n in notes
    )
    if not rows:
        return f'<p class="nc-empty">{esc(t(lang, "no_notes"))}</p>'
    return (
        f'<table class="nc-table nc-notes"><thead><tr><th>{esc(t(lang, "notes"))}</th>'
        f"<th>{esc(t(lang, 'chunks'))}</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def md_escape(text: str) -> str:
    r"""Backslash-escape Markdown syntax so note text reads literally when rendered.

    >>> md_escape("![x](https://a/b.png)")
    '\\!\\[x\\](https://a/b.png)'
    """
    return _MD_SPECIAL.sub(r"\\\1", text)


def export_markdown(turns: list[dict], lang: str) -> str:
    """The conversation as Markdown: each quote's marker becomes a footnote with its source.

    Footnote labels are turn-number, citation-number (`[^2-1]`), unique in the file.
    """
    out = [f"# {t(lang, 'export_title')}", ""]
    for i, turn in enumerate(turns, start=1):
        out += [f"## {i}. {md_escape(turn['question'])}", ""]
        body = []
        for kind, value in answer_segments(turn["answer"], turn["citations"]):
            body.append(md_escape(str(value)) if kind == "text" else f"[^{i}-{int(value)}]")
        out += ["".join(body), ""]
        if turn["confidence"] != "high":
            out += [f"*{t(lang, 'confidence')}: {turn['confidence']}*", ""]
        for c in turn["citations"]:
            out.append(
                f"[^{i}-{int(c['n'])}]: {md_escape(str(c['section']))} — "
                f"{md_escape(file_name(c['note']))}, {t(lang, 'line')} {int(c['line'])}: "
                f"“{md_escape(str(c['quote']))}”"
            )
        if turn["citations"]:
            out.append("")
    return "\n".join(out).rstrip() + "\n"
