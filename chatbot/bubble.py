"""The chat bubbles: Markdown messages for `gr.Chatbot`, built from a turn's fields.

An answer is its lead, then each quote in “…” with its marker [n]. Each
marker is a reference link whose definition sits below the text:

    根据笔记：“这种内容生产方式被称为PGC。”[1]

    [1]: #source-1-1 "读书笔记 › PGC · aigc.md:12"

Rendered, [1] links to its source card (the browser opens the card's folded
answer and scrolls to it; no script of ours). Gradio's copy button copies a
message's Markdown as it is, so the copy is the text with its citations.
Every piece of user and note text goes through `md_escape`: Markdown and HTML
in a note (`![](https://…)`, `<img onerror=…>`, `[x](javascript:…)`) read
as literal text, so nothing from a note becomes a tag, a link or a request.
Leaves out: the source cards (chatbot/cards.py).
"""

from __future__ import annotations

import re
from pathlib import PurePath

from .links import place
from .turns import conversation

# Always special in (GitHub-flavoured) Markdown or HTML.
_INLINE = re.compile(r"[\\`*_\[\]<>!|~&]")
# Bare URLs and www. names become links in GFM: break them up.
_AUTOLINK = re.compile(r"(?<=:)/|(?<=www)\.", re.I)
# Special at the start of a line: headings, quotes, lists, rules, setext underlines.
_BLOCK = re.compile(r"^([ \t]*)([#+\-=])", re.M)
_ORDERED = re.compile(r"^([ \t]*\d+)([.)])", re.M)
CONFIDENCE_MARK = {"low": "⚠️ ", "none": ""}


def md_escape(text: str) -> str:
    r"""`text` as Markdown that renders as exactly this text.

    >>> md_escape("![x](https://a/b.png) <b>1.</b>")
    '\\!\\[x\\](https:\\//a/b.png) \\<b\\>1.\\</b\\>'
    >>> md_escape("# 标题\n1. 一")
    '\\# 标题\n1\\. 一'
    """
    text = _INLINE.sub(r"\\\g<0>", text)
    text = _AUTOLINK.sub(r"\\\g<0>", text)
    text = _ORDERED.sub(r"\1\\\2", text)
    return _BLOCK.sub(r"\1\\\2", text)


def file_name(path: str) -> str:
    return PurePath(str(path)).name or str(path)


def source_id(turn_no: int, n: int) -> str:
    """The element id of a citation's card in the sources panel."""
    return f"source-{turn_no}-{n}"


def where(c: dict) -> str:
    """'section · note.md:line' of a citation ('section · note.pdf p. 3' in a PDF)."""
    return f"{c['section']} · {place(c)}"


def _title(text: str) -> str:
    # A link title in "…": only the backslash and the quote are special there.
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def answer_markdown(turn: dict, turn_no: int) -> str:
    """The answer bubble: lead, quotes with their markers, and the markers' targets."""
    mark = CONFIDENCE_MARK.get(turn["confidence"], "") if turn["kind"] == "answer" else ""
    cites = turn["citations"]
    sep = "" if turn["language"] == "zh" else " "
    quotes = sep.join(f"“{md_escape(c['quote'])}”{sep}[{int(c['n'])}]" for c in cites)
    lead = md_escape(turn["lead"])
    body = mark + lead + (sep if lead and not lead.endswith((" ", "：", ":")) else "") + quotes
    if not cites:
        return mark + lead
    refs = "\n".join(
        f"[{int(c['n'])}]: #{source_id(turn_no, int(c['n']))} {_title(where(c))}" for c in cites
    )
    return f"{body}\n\n{refs}"


def question_markdown(question: str) -> str:
    return md_escape(question)


def chat_messages(asked: object, answers: object, thinking: str = "…") -> list[dict]:
    """`gr.Chatbot` messages for the whole conversation, oldest first.

    A question still being answered gets `thinking` as its answer; a greeting
    offers its suggestions as the message's options (Gradio's own buttons).
    """
    out: list[dict] = []
    turn_no = 0
    for _, question, turn in conversation(asked, answers):
        out.append({"role": "user", "content": question_markdown(question)})
        if turn is None:
            out.append({"role": "assistant", "content": thinking})
            continue
        turn_no += 1
        msg: dict = {"role": "assistant", "content": answer_markdown(turn, turn_no)}
        if turn["suggestions"]:
            msg["options"] = [{"value": s, "label": s} for s in turn["suggestions"]]
        out.append(msg)
    return out


def export_markdown(turns: list[dict], title: str = "notechat") -> str:
    """The conversation as a Markdown file; each marker becomes a footnote with its source.

    Footnote labels are turn-number, citation-number (`[^2-1]`), unique in the file.
    """
    out = [f"# {title}", ""]
    for i, turn in enumerate(turns, start=1):
        out += [f"## {i}. {md_escape(turn['question'])}", ""]
        sep = "" if turn["language"] == "zh" else " "
        quotes = sep.join(
            f"“{md_escape(c['quote'])}”[^{i}-{int(c['n'])}]" for c in turn["citations"]
        )
        lead = md_escape(turn["lead"])
        out += [lead + (sep if quotes and not lead.endswith((" ", "：", ":")) else "") + quotes, ""]
        if turn["kind"] == "answer" and turn["confidence"] != "high":
            out += [f"*confidence: {turn['confidence']}*", ""]
        for c in turn["citations"]:
            out.append(f"[^{i}-{int(c['n'])}]: {md_escape(where(c))}: “{md_escape(c['quote'])}”")
        if turn["citations"]:
            out.append("")
    return "\n".join(out).rstrip() + "\n"
