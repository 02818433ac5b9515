"""Answers quote the note verbatim, cite it, and know when the note is silent."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from chatbot.answer import compose, pick, verified_citations
from chatbot.engine import QuestionError, clean_question
from chatbot.evaluate import holds_evidence, load_questions
from chatbot.features import Candidate as _Sentence
from index.chunking import Chunk, split_sentences
from index.search import Hit

from ..conftest import DEV_FOLLOWUPS, DEV_QUESTIONS


def _hit(text: str, start: int) -> Hit:
    chunk = Chunk("n.md", "T", "S", start, start + len(text), 1, text)
    return Hit(chunk, 0, 1, 1.0, 1.0, 0.9)


def test_planted_non_verbatim_quote_is_dropped_and_logged(caplog):
    note = "前言。专家通过专业的方式将信息整合在一起。后记。"
    hit = _hit(note, 0)
    good = _Sentence(hit, 3, 21, note[3:21])
    planted = _Sentence(hit, 3, 21, "专家通过业余的方式将信息整合在一起。")
    with caplog.at_level(logging.ERROR):
        cites = verified_citations([(planted, 0.9), (good, 0.8)], {"n.md": note})
    assert [c.quote for c in cites] == [note[3:21]] and cites[0].n == 1
    assert "not verbatim" in caplog.text


def test_quote_from_an_unknown_note_is_dropped():
    hit = _hit("一句话。", 0)
    assert verified_citations([(_Sentence(hit, 0, 4, "一句话。"), 1.0)], {}) == []


def test_split_sentences_keeps_exact_spans():
    text = "第一句。第二句！  Third one. Fourth\n第五句"
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans] == [
        "第一句。",
        "第二句！",
        "Third one.",
        "Fourth",
        "第五句",
    ]


@pytest.mark.parametrize(
    ("lang", "confidence", "expected"),
    [
        ("zh", "low", "不确定笔记是否直接回答了这个问题"),
        ("en", "low", "Not sure the notes answer this directly"),
        ("zh", "none", "笔记中没有找到这个问题的答案"),
        ("en", "none", "do not seem to answer this"),
        ("zh", "high", "根据笔记"),
        ("en", "high", "According to the note"),
    ],
)
def test_wording_in_both_languages(lang, confidence, expected):
    hit = _hit("一句话。", 0)
    cites = verified_citations([(_Sentence(hit, 0, 4, "一句话。"), 1.0)], {"n.md": "一句话。"})
    text = compose(cites, confidence, lang)
    assert expected in text
    assert ("[1]" in text) == (confidence != "none")


def test_neighbouring_sentences_become_one_quote():
    note = "甲说了一句。乙接着说完。\n丙另起一段。"
    hit = _hit(note, 0)
    cands = [_Sentence(hit, s, e, note[s:e]) for s, e in split_sentences(note)]
    picked = pick(cands, np.array([2.0, 1.8, -3.0]), {"n.md": note})
    assert [c.text for c, _ in picked] == ["甲说了一句。乙接着说完。"]
    cites = verified_citations(picked, {"n.md": note})
    assert note[cites[0].start : cites[0].end] == cites[0].quote


def test_a_weak_runner_up_on_another_line_is_not_quoted():
    note = "甲说了一句。\n乙接着把话说完了。\n丙另起一段。"
    hit = _hit(note, 0)
    cands = [_Sentence(hit, s, e, note[s:e]) for s, e in split_sentences(note)]
    picked = pick(cands, np.array([-3.0, 2.0, 0.5]), {"n.md": note})
    assert [c.text for c, _ in picked] == ["乙接着把话说完了。"]


@pytest.mark.parametrize("bad", ["", "   ", "\x00\x01", "\u200b"])
def test_empty_questions_are_refused(bad):
    with pytest.raises(QuestionError, match="empty"):
        clean_question(bad)


def test_question_cleaning_keeps_text_and_drops_junk():
    assert clean_question("什么\ud800是\x07PGC？") == "什么?是PGC？"
    with pytest.raises(QuestionError, match="too long"):
        clean_question("x" * 2001)


# ---- with the real default model -------------------------------------------------


@pytest.fixture(scope="module")
def dev_answers(real_engine):
    qs = load_questions(DEV_QUESTIONS)
    return [(q, real_engine.ask(q.question, q.history)) for q in qs]


@pytest.mark.slow
def test_every_citation_is_verbatim(dev_answers, real_engine):
    notes = real_engine.searcher.loaded.notes
    n = 0
    for _, a in dev_answers:
        for c in a.citations:
            assert notes[c.note][c.start : c.end] == c.quote
            assert notes[c.note].count("\n", 0, c.start) + 1 == c.line
            assert f"[{c.n}]" in a.text and c.quote in a.text
            n += 1
    assert n >= 20


@pytest.mark.slow
def test_high_means_the_quote_answers_and_silence_is_never_high(dev_answers):
    ans = [(q, a) for q, a in dev_answers if q.evidence]
    una = [a for q, a in dev_answers if not q.evidence]
    first = [bool(a.citations) and holds_evidence(a.citations[0].quote, q.evidence) for q, a in ans]
    assert sum(first) / len(ans) >= 0.85
    high = [ok for ok, (_, a) in zip(first, ans, strict=True) if a.confidence == "high"]
    assert all(high), "a 'high' answer whose first quote does not hold the evidence"
    assert not [a.question for a in una if a.confidence == "high"]


@pytest.mark.slow
def test_unanswerable_wording(dev_answers):
    for q, a in dev_answers:
        if not q.evidence and a.confidence == "low":
            lead = (
                "不确定笔记是否直接回答了这个问题"
                if a.language == "zh"
                else "Not sure the notes answer this directly"
            )
            assert a.text.startswith(lead)


FOLLOWUPS = [
    # (history, question, a word the relevant passage must hold)
    (["Magic3D是什么？"], "它生成一个模型要多久？", "40分钟"),
    (["剪映App里的AI视频生成系统是什么？"], "它是哪家公司的？", "字节跳动"),
    (["What is Dreamwriter?"], "Which company made it?", "腾讯"),
    (["海马轻帆是什么？"], "它怎么把小说改成剧本？", "小说转剧本"),
    # Self-contained questions must not be dragged off by old history.
    (["Magic3D是什么？"], "百度的数字人平台叫什么名字？", "曦灵"),
    (["What is Dreamwriter?"], "什么是PGC？", "PGC"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("history", "question", "needle"), FOLLOWUPS)
def test_followups_retrieve_what_the_conversation_is_about(real_engine, history, question, needle):
    a = real_engine.ask(question, history)
    # The passage or its heading ("腾讯推出…Dreamwriter" is said only in a heading).
    assert any(needle in h.chunk.context for h in a.passages[:5]), [
        h.chunk.text[:40] for h in a.passages
    ]


@pytest.mark.slow
def test_shared_followups(real_engine):
    qs = load_questions(DEV_FOLLOWUPS)
    ok = 0
    for q in qs:
        a = real_engine.ask(q.question, q.history)
        ok += any(holds_evidence(h.chunk.text, q.evidence) for h in a.passages[:5])
    assert ok / len(qs) >= 0.8


JUNK = [
    "hello",
    "ok",
    "lorem ipsum",
    "lorem ipsum dolor sit amet, consectetur adipiscing elit",
    "<img src=x onerror=alert(1)>",
    "。。。",
    "asdf qwer zxcv",
    "jjjjjjjj",
    "1234",
    "???",
    "the",
    "测试一下",
    "啊啊啊啊",
    "随便说点什么",
    "The quick brown fox jumps over the lazy dog",
    "今天天气怎么样？",
    "xyzzy plugh",
    "🙂🙂",
    "null",
    "undefined",
    "SELECT * FROM notes; --",
    "{{7*7}}",
    "../../etc/passwd",
    "%s%s%s%n",
    "你好",
    "谢谢",
]


@pytest.mark.slow
@pytest.mark.parametrize("text", JUNK)
def test_no_junk_input_gets_high(real_engine, text):
    a = real_engine.ask(text)
    assert a.confidence != "high", [c.quote for c in a.citations]
    if a.kind == "greeting":
        assert not a.citations


@pytest.mark.slow
@pytest.mark.parametrize(
    "text", ["asdfghjkl", "lorem ipsum dolor sit amet", "1234567", "xyzzy plugh", "\x01abc"]
)
def test_input_none_of_whose_words_the_notes_hold_gets_no_quote(real_engine, text):
    a = real_engine.ask(text)
    assert a.confidence == "none" and not a.citations, [c.quote for c in a.citations]


@pytest.mark.slow
def test_a_bare_topic_is_quoted_but_never_high(real_engine):
    asked = real_engine.ask("百度的数字人平台叫什么名字？")
    topic = real_engine.ask("百度的数字人平台")
    assert asked.confidence == "high"
    assert topic.confidence == "low" and topic.features["probability"] >= 0.9
    assert topic.citations[0].quote == asked.citations[0].quote  # the same passage, not "high"


def _passages(sentences_each: int, n: int) -> tuple[list[Hit], dict[str, str]]:
    """`n` passages of one note, one after another, each of `sentences_each` sentences."""
    parts = [
        "".join(f"第{p}段第{s}句说的是另一件事。" for s in range(sentences_each)) for p in range(n)
    ]
    note, hits, at = "", [], 0
    for rank, text in enumerate(parts, 1):
        chunk = Chunk("n.md", "T", "", at, at + len(text), 1, text)
        hits.append(Hit(chunk, rank - 1, rank, 1.0 / rank, 0.0, 0.5))
        note, at = note + text, at + len(text)
    return hits, {"n.md": note}


@pytest.mark.parametrize(
    ("sentences_each", "passages_used"),
    [(6, 4), (3, 4), (2, 5), (1, 5)],  # short paragraphs: more passages, up to MAX_POOL
)
def test_short_passages_bring_more_of_them_into_the_sentence_pool(sentences_each, passages_used):
    from chatbot.features import MAX_POOL, POOL_SENTENCES, SENTENCE_POOL, candidates

    hits, notes = _passages(sentences_each, 8)
    cands = candidates(hits, notes)
    assert {c.hit.rank for c in cands} == set(range(1, passages_used + 1))
    assert SENTENCE_POOL <= passages_used <= MAX_POOL
    assert len(cands) == sentences_each * passages_used
    if passages_used > SENTENCE_POOL:
        assert sentences_each * SENTENCE_POOL < POOL_SENTENCES
    for c in cands:  # every candidate is the note's own text
        assert notes["n.md"][c.start : c.end] == c.text
