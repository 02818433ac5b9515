"""The page's words in English and Chinese, for `gr.I18n` and for our own HTML.

Gradio picks the language from the browser and lets the user switch it in its
settings panel; it then sets `<html lang>`. Components get their labels
through `gr.I18n(**TEXTS)` (chatbot/ui.py). The source cards and the notes
table are our HTML, so they carry both languages (`both(key)`) and a CSS rule
on `<html lang>` shows one (chatbot/static/notechat.css): they follow a
switch without a round trip.
Answers themselves speak the question's language (chatbot/answer.py).
"""

from __future__ import annotations

import html

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "title": "## notechat — ask your notes\n"
        "Answers quote your notes word for word; every quote cites its source.",
        "chat": "Conversation",
        "question": "Question",
        "placeholder": "Ask a question about your notes, then press Enter",
        "send": "Send",
        "clear": "Clear chat",
        "export": "Export conversation (Markdown)",
        "export_file": "Conversation as Markdown",
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
        "page": "page",
        "open": "open",
        "open_hint": "Open the source (a browser may refuse file:// links: copy it)",
        "notes": "Indexed notes",
        "add_notes": "Notes",
        "chunks": "chunks",
        "no_notes": "No notes are indexed yet.",
        "upload": "Add notes (.md, .markdown, .txt, .pdf, .html, .docx; at most 5 MB each)",
        "added": "Added and indexed:",
        "not_added": "Not added:",
        "thinking": "Searching the notes…",
        "scope": "Ask within",
    },
    "zh": {
        "title": "## notechat — 问问你的笔记\n回答逐字引用你的笔记，每段引文都注明出处。",
        "chat": "对话",
        "question": "问题",
        "placeholder": "输入关于笔记的问题，按回车发送",
        "send": "发送",
        "clear": "清空对话",
        "export": "导出对话（Markdown）",
        "export_file": "Markdown 格式的对话",
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
        "page": "页",
        "open": "打开",
        "open_hint": "打开原文件（浏览器可能拒绝 file:// 链接，可复制后打开）",
        "notes": "已索引的笔记",
        "add_notes": "笔记",
        "chunks": "段",
        "no_notes": "还没有索引任何笔记。",
        "upload": "添加笔记（.md、.markdown、.txt、.pdf、.html、.docx；每个最多 5 MB）",
        "added": "已添加并索引：",
        "not_added": "未添加：",
        "thinking": "正在检索笔记…",
        "scope": "提问范围",
    },
}


def both(key: str) -> str:
    """A label in both languages as HTML; the page's CSS shows the one in use.

    >>> both("line")
    '<span class="nc-i18n"><span lang="en">line</span><span lang="zh">行</span></span>'
    """
    spans = "".join(
        f'<span lang="{lang}">{html.escape(texts[key])}</span>' for lang, texts in TEXTS.items()
    )
    return f'<span class="nc-i18n">{spans}</span>'


def text(key: str, lang: str) -> str:
    """One label in one language ('zh…' is Chinese, anything else English)."""
    return TEXTS["zh" if str(lang).lower().startswith("zh") else "en"][key]
