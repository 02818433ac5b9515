"""Chat bubbles (chatbot/bubble.py): Markdown from the answer's fields, all note text literal.

Rendered with markdown-it (CommonMark plus GitHub's tables and strikethrough,
the syntax Gradio's chat renders) to check what a browser would show.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from chatbot import bubble, turns

MD = MarkdownIt("commonmark").enable(["table", "strikethrough"])
NOTE = (
    "# 读书笔记\n\n## PGC\n\n"
    "> ![[外链图片转存失败(img-1)(https://note.youdao.com/yws/res/1.png)]](https://i-blog.csdnimg.cn/a.png)\n"
    "<script>alert('note')</script> "
    "专家通过专业的方式整合信息，这种内容生产方式被称为PGC。后来有了UGC。\n"
)
QUOTE = "专家通过专业的方式整合信息，这种内容生产方式被称为PGC。"
HOSTILE = "<img src=x onerror=alert(1)> ![](http://remote.example/x.png) [x](javascript:alert(1))"


def result(question="什么是PGC？", confidence="high", quote=QUOTE, note=NOTE, **kw):
    """A `to_dict`-shaped answer over `note` with one citation of `quote`."""
    start = note.index(quote)
    passage_start = max(0, note.rfind("\n", 0, start) + 1)
    passage = note[passage_start:].rstrip("\n")
    return {
        "id": None,
        "question": question,
        "answer": f"根据笔记：“{quote}”[1]",
        "lead": kw.get("lead", "根据笔记："),
        "kind": kw.get("kind", "answer"),
        "suggestions": kw.get("suggestions", []),
        "confidence": confidence,
        "citations": [
            {
                "n": 1,
                "quote": quote,
                "note": "/notes/aigc.md",
                "section": kw.get("section", "读书笔记 › PGC"),
                "line": note.count("\n", 0, start) + 1,
                "start": start,
                "end": start + len(quote),
                "score": 0.9,
            }
        ],
        "passages": [
            {
                "rank": 1,
                "text": passage,
                "note": "/notes/aigc.md",
                "section": "读书笔记 › PGC",
                "start": passage_start,
                "end": passage_start + len(passage),
                "line": 6,
                "score": 1.0,
                "scores": {"lexical": 3.21, "dense": 0.876, "fused": 1.0},
            }
        ],
    }


def turn(lang="zh", note=NOTE, **kw) -> dict:
    return turns.make_turn(result(note=note, **kw), {"/notes/aigc.md": note}, lang)


class Parsed(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def rendered(markdown: str) -> Parsed:
    p = Parsed()
    p.feed(MD.render(markdown))
    return p


CHARS = st.one_of(
    st.sampled_from(list("\\`*_[]<>!|~&#+-=.():/;\"'$%{}wW0123 \n中文")),
    st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]),
)


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.text(alphabet=CHARS, max_size=60))
def test_any_text_renders_as_itself(text):
    # Markdown folds runs of white space and drops blank lines; nothing else may change.
    text = "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())
    out = MD.render(bubble.md_escape(text))
    if not text:
        assert out == ""
        return
    assert out.startswith("<p>") and out.endswith("</p>\n"), out
    inner = out[3:-5]
    assert "<" not in inner, out  # no tag of any kind
    assert html.unescape(inner) == text


def test_hostile_note_text_renders_as_text_in_a_bubble():
    note = f"# 笔记\n\n{HOSTILE} **粗体** `代码` | 表格 |\n---\n"
    md = bubble.answer_markdown(turn(note=note, quote=HOSTILE, section="<b>节</b>"), 1)
    parsed = rendered(md)
    assert [t for t, _ in parsed.tags] == ["p", "a"]  # the paragraph and our one marker
    assert parsed.tags[1][1]["href"] == "#source-1-1"
    assert HOSTILE in html.unescape(re.sub(r"<[^>]+>", "", MD.render(md)))
    assert "<b>节</b>" in parsed.tags[1][1]["title"]  # a title attribute is text


def test_bare_urls_do_not_become_links():
    # GitHub-flavoured Markdown links bare URLs: they are broken up, and read the same.
    md = bubble.md_escape("见 https://evil.example/x.png 与 www.evil.example")
    assert "https://" not in md and "www." not in md
    assert MD.render(md) == "<p>见 https://evil.example/x.png 与 www.evil.example</p>\n"


def test_an_answer_is_its_lead_then_quotes_with_markers_that_link_to_sources():
    md = bubble.answer_markdown(turn(), 3)
    line = NOTE.count("\n", 0, NOTE.index(QUOTE)) + 1
    assert md.startswith(f"根据笔记：“{QUOTE}”[1]\n\n")
    assert md.endswith(f'[1]: #source-3-1 "读书笔记 › PGC · aigc.md:{line}"')
    assert rendered(md).tags[1] == (
        "a",
        {"href": "#source-3-1", "title": f"读书笔记 › PGC · aigc.md:{line}"},
    )


def test_english_answers_space_their_markers():
    md = bubble.answer_markdown(turn(lang="en", lead="According to the note: "), 1)
    assert md.startswith(f"According to the note: “{QUOTE}” [1]")


def test_a_marker_inside_a_quote_stays_text():
    q = "见文献[1]，这种方式被称为PGC。"
    md = bubble.answer_markdown(turn(note=NOTE.replace(QUOTE, q), quote=q), 1)
    assert [t for t, _ in rendered(md).tags].count("a") == 1
    assert "见文献[1]，" in MD.render(md)


def test_low_confidence_is_marked_and_a_greeting_offers_its_suggestions():
    assert bubble.answer_markdown(turn(confidence="low"), 1).startswith("⚠️ ")
    hello = turn(lead="你好！我回答关于笔记的问题。", kind="greeting", suggestions=["什么是PGC？"])
    hello["citations"] = []
    asked = [{"id": "a", "q": "你好"}]
    [_, msg] = bubble.chat_messages(asked, {"a": hello})
    assert msg["content"] == "你好！我回答关于笔记的问题。"
    assert msg["options"] == [{"value": "什么是PGC？", "label": "什么是PGC？"}]


def test_chat_pairs_questions_with_answers_and_shows_pending_ones():
    asked = [{"id": "a", "q": "<b>什么</b>是PGC？"}, {"id": "b", "q": "UGC呢？"}]
    msgs = bubble.chat_messages(asked, {"a": turn()})
    assert [m["role"] for m in msgs] == ["user", "assistant"] * 2
    assert msgs[0]["content"] == r"\<b\>什么\</b\>是PGC？"
    assert msgs[3]["content"] == "…"  # still being answered
    assert "#source-1-1" in msgs[1]["content"]


def test_copying_a_message_gives_its_text_and_citations():
    # Gradio's copy button copies a message's content as it is.
    md = bubble.answer_markdown(turn(), 1)
    assert "<" not in md and "[1]" in md and "aigc.md:" in md


def test_export_turns_markers_into_footnotes():
    md = bubble.export_markdown([turn(), turn(question="![x](https://evil/x.png)")])
    line = NOTE.count("\n", 0, NOTE.index(QUOTE)) + 1
    assert md.startswith("# notechat\n") and "## 1. 什么是PGC？" in md
    assert f"根据笔记：“{QUOTE}”[^1-1]" in md and "[^2-1]" in md
    assert f"[^1-1]: 读书笔记 › PGC · aigc.md:{line}: “{QUOTE}”" in md
    assert "## 2. \\!\\[x\\](https:\\//evil/x.png)" in md  # Markdown in text stays literal
