"""Rendering of the chat UI: escaping, marker links, highlights, export (chatbot/render.py)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from chatbot import render

NOTE = (
    "# 读书笔记\n\n## PGC\n\n"
    "> ![[外链图片转存失败(img-1)(https://note.youdao.com/yws/res/1.png)]](https://i-blog.csdnimg.cn/a.png)\n"
    "<script>alert('note')</script> "
    "专家通过专业的方式整合信息，这种内容生产方式被称为PGC。后来有了UGC。\n"
)
QUOTE = "专家通过专业的方式整合信息，这种内容生产方式被称为PGC。"
Q_START = NOTE.index(QUOTE)
PASSAGE_START = NOTE.index("<script>")
PASSAGE = NOTE[PASSAGE_START:].rstrip("\n")


def result(question="什么是PGC？", confidence="high", quote=QUOTE, start=Q_START, answer=None):
    """A `to_dict`-shaped answer over NOTE with one citation."""
    return {
        "id": None,
        "question": question,
        "answer": answer if answer is not None else f"根据笔记：“{quote}”[1]",
        "confidence": confidence,
        "citations": [
            {
                "n": 1,
                "quote": quote,
                "note": "/notes/aigc.md",
                "section": "读书笔记 › PGC",
                "line": NOTE.count("\n", 0, start) + 1,
                "start": start,
                "end": start + len(quote),
                "score": 0.9,
            }
        ],
        "passages": [
            {
                "rank": 1,
                "text": PASSAGE,
                "note": "/notes/aigc.md",
                "section": "读书笔记 › PGC",
                "start": PASSAGE_START,
                "end": PASSAGE_START + len(PASSAGE),
                "line": 6,
                "score": 1.0,
                "scores": {"lexical": 3.21, "dense": 0.876, "fused": 1.0},
            }
        ],
    }


def turn(**kw) -> dict:
    return render.make_turn(result(**kw), {"/notes/aigc.md": NOTE}, "zh")


class Tags(HTMLParser):
    """Every start tag and attribute name in a piece of HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [name for name, _ in attrs]


def tags(html: str) -> Tags:
    p = Tags()
    p.feed(html)
    return p


def test_user_html_is_escaped():
    out = render.user_html("<img src=x onerror=alert(1)>")
    assert "&lt;img src=x onerror=alert(1)&gt;" in out
    assert tags(out).tags == ["div"]


def test_marker_becomes_a_link_to_its_source():
    out = render.answer_html(turn(), 3, "zh")
    assert '<a class="nc-cite" href="#nc-src-3-1"' in out and ">[1]</a>" in out
    assert "读书笔记 › PGC · aigc.md:" in out  # the link's tooltip names the source


def test_marker_inside_a_quote_stays_text():
    q = "见文献[1]，这种方式被称为PGC。"
    note = NOTE.replace(QUOTE, q)
    r = result(quote=q, start=note.index(q))
    out = render.answer_html(render.make_turn(r, {"/notes/aigc.md": note}, "zh"), 1, "zh")
    assert out.count('class="nc-cite"') == 1 and "见文献[1]，" in out


def test_streamed_prefixes_are_whole_and_end_with_the_answer():
    tr = turn()
    limits = render.stream_limits(render.answer_length(tr))
    assert limits == sorted(limits) and limits[-1] == len(tr["answer"])
    outs = [render.answer_html(tr, 1, "zh", n) for n in limits]
    assert outs[-1] == render.answer_html(tr, 1, "zh")
    for out in outs:  # never half a marker: a link is whole or absent
        assert out.count("<a ") == out.count("</a>")
        assert not re.search(r"\[\d*$", re.sub(r"<[^>]+>", "", out))


def test_confidence_banners_in_the_ui_language():
    assert "笔记中似乎没有直接答案" in render.answer_html(turn(confidence="low"), 1, "zh")
    assert "The note does not seem to say this" in render.answer_html(
        turn(confidence="low"), 1, "en"
    )
    none = turn(confidence="none", answer="笔记中没有找到与这个问题相关的内容。")
    none["citations"] = []
    assert "nothing about this was found" in render.answer_html(none, 1, "en").lower()
    assert "nc-banner" not in render.answer_html(turn(), 1, "en")


def test_sources_highlight_the_quote_in_its_passage_and_note():
    out = render.sources_html([turn()], "zh")
    assert 'id="nc-src-1-1"' in out
    assert f"<mark>{QUOTE}</mark>" in out  # in the passage
    assert f'<mark class="nc-here">{QUOTE}</mark>' in out  # in "show in note"
    assert "在笔记中显示" in out and "读书笔记 › PGC" in out and "aigc.md · 行 " in out


def test_note_html_and_remote_images_stay_text():
    out = render.sources_html([turn()], "en", show_scores=True)
    assert "<script>" not in out and "&lt;script&gt;alert(&#x27;note&#x27;)&lt;/script&gt;" in out
    assert "https://i-blog.csdnimg.cn/a.png" in out  # shown as text…
    parsed = tags(out)
    assert "img" not in parsed.tags and "script" not in parsed.tags  # …never an element
    assert not [a for a in parsed.attrs if a.startswith("on") or a == "src"]


def test_scores_only_when_asked():
    assert "nc-scores" not in render.sources_html([turn()], "en")
    out = render.sources_html([turn()], "en", show_scores=True)
    assert "lexical (BM25) 3.210" in out and "dense (cosine) 0.876" in out and "fused 1.000" in out


def test_newest_turn_open_older_folded():
    out = render.sources_html([turn(), turn(question="UGC?")], "en")
    assert '<details class="nc-turn" id="nc-turn-2" open>' in out
    assert '<details class="nc-turn" id="nc-turn-1">' in out
    assert out.index("nc-turn-2") < out.index("nc-turn-1")


def test_chat_messages_pair_questions_and_answers():
    msgs = render.chat_messages([turn(), turn(question="<b>UGC</b>?")], "en")
    assert [m["role"] for m in msgs] == ["user", "assistant"] * 2
    assert "&lt;b&gt;UGC&lt;/b&gt;?" in msgs[2]["content"]
    assert 'href="#nc-src-2-1"' in msgs[3]["content"]


def test_export_markdown_quotes_are_footnotes():
    md = render.export_markdown([turn(), turn(question="![x](https://evil/x.png)")], "en")
    assert md.startswith("# notechat conversation\n")
    assert "## 1. 什么是PGC？" in md
    assert f"根据笔记：“{QUOTE}”[^1-1]" in md and "[^2-1]" in md
    line = NOTE.count("\n", 0, Q_START) + 1
    assert f"[^1-1]: 读书笔记 › PGC — aigc.md, line {line}: “{QUOTE}”" in md
    assert "## 2. \\!\\[x\\](https://evil/x.png)" in md  # Markdown in text stays literal


def test_context_is_whole_lines_around_the_quote():
    ctx = turn()["citations"][0]["context"]
    assert NOTE.endswith(ctx["after"]) and ctx["before"].startswith("#")
    assert ctx["before"] + QUOTE + ctx["after"] in NOTE
    assert ctx["line"] == 1 and not ctx["more_before"] and not ctx["more_after"]


def test_a_quote_not_verbatim_gets_no_context():
    bad = render.make_turn(result(start=Q_START + 1), {"/notes/aigc.md": NOTE}, "zh")
    assert "context" not in bad["citations"][0]


def test_valid_turns_drops_malformed_storage():
    good = turn()
    assert render.valid_turns([good, {"question": 1}, "x", {"question": "q"}]) == [good]
    assert render.valid_turns("not a list") == []


def test_notes_table_escapes_names():
    out = render.notes_html([{"path": "/u/<b>x</b>.md", "chunks": 7}], "en")
    assert "&lt;b&gt;x&lt;/b&gt;.md" in out and ">7<" in out
    assert "No notes" in render.notes_html([], "en")


def test_language_follows_browser_tags():
    assert [render.lang_of(x) for x in ("zh-CN", "zh-TW", "en-US", "fr", None)] == [
        "zh",
        "zh",
        "en",
        "en",
        "en",
    ]


ALLOWED = {
    "div",
    "a",
    "h3",
    "details",
    "summary",
    "span",
    "article",
    "header",
    "blockquote",
    "mark",
    "p",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}


@settings(max_examples=60, deadline=None)
@given(
    question=st.text(max_size=40),
    quote=st.text(min_size=1, max_size=40),
    section=st.text(max_size=20),
    note_name=st.text(max_size=20),
)
def test_any_text_renders_only_our_tags(question, quote, section, note_name):
    note = f"<p onclick=x>{quote}</p>"
    r = result(
        question=question, quote=quote, start=note.index(quote), answer=f"“{quote}”[1] <img src=x>"
    )
    r["citations"][0]["section"] = section
    r["citations"][0]["note"] = r["passages"][0]["note"] = note_name
    tr = render.make_turn(r, {note_name: note}, "en")
    for html in (
        render.user_html(question),
        render.answer_html(tr, 1, "en"),
        render.sources_html([tr], "en", True),
        render.notes_html([{"path": note_name}], "en"),
    ):
        parsed = tags(html)
        assert set(parsed.tags) <= ALLOWED
        assert not [a for a in parsed.attrs if a.startswith("on") or a == "src"]
