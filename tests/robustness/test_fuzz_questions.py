"""Hostile questions never crash `ask`: a clear refusal, or an answer with verbatim quotes."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatbot.config import Settings
from chatbot.engine import Engine, QuestionError

PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    "<script>alert('x')</script>什么是PGC？",
    "[click](javascript:alert(1))",
    "![x](https://evil.example/x.png)",
    "**bold** `code` # heading\n---",
    "'; DROP TABLE notes; --",
    "\u202eevil\u202c",
    "🤖🧠📚 AIGC是什么？",
    "Magic3D是什么？" * 200,
]

questions = st.one_of(
    st.text(max_size=300),
    st.text(
        alphabet=st.characters(codec="utf-8", categories=["Cc", "Cf", "Zs", "So"]), max_size=50
    ),
    st.sampled_from(PAYLOADS),
    st.builds(lambda a, b: a + b, st.sampled_from(PAYLOADS), st.text(max_size=50)),
    st.just("\ud800 lone surrogate \udfff"),
    st.just("x" * 100_000),
)


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from conftest import SEED_NOTE, FakeEmbedder

    tmp = tmp_path_factory.mktemp("fuzz")
    (tmp / "notes").mkdir()
    (tmp / "notes" / "aigc.md").write_bytes(SEED_NOTE.read_bytes())
    s = Settings(index_dir=tmp / "ix", notes=(str(tmp / "notes"),), upload_dir=tmp / "up")
    return Engine(s, embedder=FakeEmbedder(), say=lambda m: None).open()


@settings(
    max_examples=200, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)
@given(
    q=questions,
    history=st.lists(st.one_of(st.text(max_size=40), st.sampled_from(PAYLOADS)), max_size=3),
)
def test_ask_never_crashes(engine, q, history):
    try:
        a = engine.ask(q, history)
    except QuestionError as exc:
        assert str(exc) and ("empty" in str(exc) or "too long" in str(exc))
        return
    assert a.confidence in ("high", "low", "none")
    notes = engine.searcher.loaded.notes
    for c in a.citations:
        assert notes[c.note][c.start : c.end] == c.quote
    a.text.encode("utf-8")  # always valid text, never lone surrogates


@settings(
    max_examples=120, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)
@given(q=questions, show=st.booleans())
def test_ui_answer_function_never_injects_html(engine, q, show):
    import re

    from markdown_it import MarkdownIt

    from chatbot import chat

    asked = [{"id": "a", "q": q}]
    msgs, sources = chat.page(asked, chat.answer_pending(engine, asked, {}), show)
    assert len(msgs) == 2  # every question is answered, if only with why not
    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    for html in [md.render(m["content"]) for m in msgs] + [sources]:
        # Whatever the question held, the page gets no live tags of its own making.
        assert not re.search(r"<\s*(script|img|iframe|svg|object)\b", html, re.I), html[:200]
        # Links: the markers' targets, and each source card's "open" link (chatbot/links.py).
        assert not re.search(r"<a [^>]*href=\"(?!#source-|file:///|obsidian://open\?)", html)
