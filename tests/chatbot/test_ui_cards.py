"""Source cards, the notes table (chatbot/cards.py) and the stored turns (chatbot/turns.py)."""

from __future__ import annotations

from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from chatbot import bubble, cards, labels, turns

from .test_ui_bubble import NOTE, QUOTE, result, turn


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


def test_cards_highlight_the_quote_in_its_passage_and_its_note():
    out = cards.sources_html([turn()])
    assert 'id="source-1-1"' in out
    assert f"<mark>{QUOTE}</mark>" in out  # in the passage
    assert f'<mark class="nc-here">{QUOTE}</mark>' in out  # in "show in note"
    assert "读书笔记 › PGC" in out and labels.both("show_in_note") in out


def test_labels_come_in_both_languages():
    out = cards.sources_html([])
    assert '<span lang="en">Sources</span><span lang="zh">来源</span>' in out


def test_note_html_and_remote_images_stay_text():
    out = cards.sources_html([turn()], show_scores=True)
    assert "<script>" not in out and "&lt;script&gt;alert(&#x27;note&#x27;)&lt;/script&gt;" in out
    assert "https://i-blog.csdnimg.cn/a.png" in out  # shown as text…
    parsed = tags(out)
    assert "img" not in parsed.tags and "script" not in parsed.tags  # …never an element
    assert not [a for a in parsed.attrs if a.startswith("on") or a == "src"]


def test_scores_only_when_asked():
    assert "nc-scores" not in cards.sources_html([turn()])
    out = cards.sources_html([turn()], show_scores=True)
    assert "3.210" in out and "0.876" in out and "1.000" in out and labels.both("fused") in out


def test_newest_answer_open_older_folded():
    out = cards.sources_html([turn(), turn(question="UGC?")])
    assert '<details class="nc-turn" id="nc-turn-2" open>' in out
    assert '<details class="nc-turn" id="nc-turn-1">' in out
    assert out.index("nc-turn-2") < out.index("nc-turn-1")


def test_notes_table_escapes_names():
    out = cards.notes_html([{"path": "/u/<b>x</b>.md", "chunks": 7}])
    assert "&lt;b&gt;x&lt;/b&gt;.md" in out and ">7<" in out
    assert labels.both("no_notes") in cards.notes_html([])


def test_context_is_whole_lines_around_the_quote():
    ctx = turn()["citations"][0]["context"]
    assert NOTE.endswith(ctx["after"]) and ctx["before"].startswith("#")
    assert ctx["before"] + QUOTE + ctx["after"] in NOTE
    assert ctx["line"] == 1 and not ctx["more_before"] and not ctx["more_after"]


def test_a_quote_not_verbatim_gets_no_context():
    r = result()
    r["citations"][0]["start"] += 1
    assert "context" not in turns.make_turn(r, {"/notes/aigc.md": NOTE}, "zh")["citations"][0]


def test_storage_is_checked_not_trusted():
    good = turn()
    assert turns.valid_turn(good) == good
    for bad in ({"question": 1}, "x", {**good, "citations": [{"n": "x"}]}, {**good, "lead": None}):
        assert turns.valid_turn(bad) is None
    asked = [{"id": "a", "q": "1"}, {"id": 2, "q": "x"}, "junk", {"id": "b", "q": "2"}]
    assert turns.conversation(asked, {"a": good, "b": {"lead": 1}}) == [
        ("a", "1", good),
        ("b", "2", None),
    ]
    assert turns.conversation("not a list", None) == []


ALLOWED = {"div", "h3", "details", "summary", "span", "article", "header", "blockquote", "mark"}
ALLOWED |= {"p", "table", "thead", "tbody", "tr", "th", "td"}


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    question=st.text(max_size=40),
    quote=st.text(min_size=1, max_size=40),
    section=st.text(max_size=20),
    note_name=st.text(max_size=20),
)
def test_any_text_renders_only_our_tags(question, quote, section, note_name):
    note = f"<p onclick=x>{quote}</p>"
    r = result(question=question, quote=quote, note=note, section=section)
    r["citations"][0]["note"] = r["passages"][0]["note"] = note_name
    tr = turns.make_turn(r, {note_name: note}, "en")
    for html in (cards.sources_html([tr], True), cards.notes_html([{"path": note_name}])):
        parsed = tags(html)
        assert set(parsed.tags) <= ALLOWED
        assert not [a for a in parsed.attrs if a.startswith("on") or a == "src"]


def _with(t: dict, **fields) -> dict:
    t["citations"] = [{**t["citations"][0], **fields}]
    return t


def test_a_card_shows_the_page_and_an_escaped_open_link():
    link = "obsidian://open?vault=My%20Vault&file=a%22b&x=<1>"
    out = cards.sources_html([_with(turn(), open=link, page=3)])
    anchors = [a for t, a in _anchors(out) if t == "a"]
    assert [a["href"] for a in anchors] == [link]  # attribute-escaped, read back whole
    assert 'href="obsidian://open?vault=My%20Vault&amp;file=a%22b&amp;x=&lt;1&gt;"' in out
    assert f"aigc.md · {labels.both('page')} 3" in out
    assert bubble.where(_with(turn(), page=3)["citations"][0]) == "读书笔记 › PGC · aigc.md p. 3"
    assert turns.valid_turn(_with(turn(), open=link, page=3)) is not None


def test_a_planted_link_in_a_stored_turn_is_not_drawn():
    for bad in ("javascript:alert(1)", "https://evil.example/", "data:text/html,x"):
        out = cards.sources_html([_with(turn(), open=bad)])
        assert not [a for t, a in _anchors(out) if t == "a"] and bad not in out
    assert turns.valid_turn(_with(turn(), open=["x"])) is None
    assert turns.valid_turn(_with(turn(), page="3")) is None


def _anchors(html: str) -> list[tuple[str, dict]]:
    class P(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.found: list[tuple[str, dict]] = []

        def handle_starttag(self, tag, attrs):
            self.found.append((tag, dict(attrs)))

    p = P()
    p.feed(html)
    return p.found
