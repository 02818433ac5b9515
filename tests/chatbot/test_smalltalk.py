"""Greetings get a reply, junk gets nothing, follow-ups are told by whole words."""

from __future__ import annotations

import pytest

from chatbot.config import Settings
from chatbot.engine import Engine
from chatbot.smalltalk import asks, has_content, refers_back, small_talk

GREETINGS = [
    "你好",
    "您好！",
    "hello",
    "Hi!",
    "hey there",
    "谢谢",
    "Thank you!",
    "早上好",
    "在吗？",
    "謝謝！",  # Traditional
    "你們好",
]
JUNK = [
    "ok",
    "OK!!",
    "。。。",
    "...",
    "？？？",
    "<img src=x onerror=alert(1)>",
    "<script></script>",
    "&nbsp;&lt;&gt;",
    "😀😀😀",
    "嗯嗯",
    "好的",
    "哈哈哈",
    "lol",
    "---",
    "[](#)",
]


@pytest.mark.parametrize("text", GREETINGS)
def test_greetings_and_thanks_are_small_talk(text):
    assert small_talk(text) in ("greeting", "thanks")


@pytest.mark.parametrize(
    "text", ["你好，什么是PGC？", "Hi, what is UGC?", "谢谢你的回答里提到的曦灵是什么"]
)
def test_a_greeting_with_a_question_is_a_question(text):
    assert small_talk(text) is None


@pytest.mark.parametrize("text", JUNK)
def test_inputs_without_content(text):
    assert not has_content(text)


@pytest.mark.parametrize("text", ["什么是PGC？", "UGC", "Magic3D要多久", "What is MaaS?", "曦灵"])
def test_questions_have_content(text):
    assert has_content(text)


@pytest.mark.parametrize(
    ("text", "refers"),
    [
        ("它生成一个模型要多久？", True),
        ("他们打造了多少位？", True),
        ("What could it do with voice technology?", True),
        ("其他平台有哪些？", False),  # 其 inside a word is no reference
        ("因此AIGC尤其重要吗？", False),
        ("AIGC有哪些应用？", False),
        ("Which italian city?", False),
        ("它們的特點是什麼？", True),  # Traditional
        ("其他國家有哪些？", False),
    ],
)
def test_follow_ups_are_told_by_whole_words(text, refers):
    assert refers_back(text) is refers


@pytest.fixture
def engine(tmp_path, notes_dir, fake_embedder):
    settings = Settings(
        index_dir=tmp_path / "ix", notes=(str(notes_dir),), upload_dir=tmp_path / "u"
    )
    eng = Engine(settings, embedder=fake_embedder, say=lambda m: None)
    eng.build(list(settings.notes))
    return eng.open()


@pytest.mark.parametrize("text", GREETINGS)
def test_a_greeting_gets_a_reply_with_examples_and_no_quote(engine, text):
    a = engine.ask(text)
    assert a.kind == "greeting" and not a.citations and a.confidence == "none"
    assert a.lead and a.text == a.lead
    if small_talk(text) == "greeting":
        assert a.suggestions and all(isinstance(s, str) for s in a.suggestions)


@pytest.mark.parametrize("text", JUNK)
def test_junk_gets_none_without_searching(engine, text, fake_embedder):
    before = fake_embedder.calls
    a = engine.ask(text)
    assert a.confidence == "none" and not a.citations and not a.passages
    assert fake_embedder.calls == before


def test_a_follow_up_with_a_pronoun_searches_once(engine, monkeypatch):
    calls = []
    real = engine._answer
    monkeypatch.setattr(
        engine, "_answer", lambda s, q, query, k: calls.append(query) or real(s, q, query, k)
    )
    engine.ask("它生成一个模型要多久？", ["Magic3D是什么？"])
    assert calls == ["Magic3D是什么？ 它生成一个模型要多久？"]


@pytest.mark.parametrize(
    "text",
    [
        "什么是PGC",
        "GPT-4用了多长时间",
        "Magic3D要多久",
        "百度的数字人平台叫什么名字？",
        "數字人是什麼",
        "介绍一下曦灵",
        "请列出三大功能",
        "数字人？",
        "What is MaaS",
        "Name a luxury division of Toyota.",
        "Does it run offline",
        "describe Magic3D",
    ],
)
def test_questions_and_requests_ask(text):
    assert asks(text)


@pytest.mark.parametrize(
    "text", ["数字人", "人工智能", "AIGC", "百度的数字人平台", "Magic3D", "GPT-4 demo"]
)
def test_a_bare_topic_does_not_ask(text):
    assert not asks(text)
