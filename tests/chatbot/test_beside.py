"""The chosen sentence is quoted with the sentences beside it while the quote stays short."""

from __future__ import annotations

import numpy as np

from chatbot.answer import pick, to_dict, verified_citations
from chatbot.beside import BESIDE_WIDTH, width
from chatbot.cards import sources_html
from chatbot.features import Candidate
from index.chunking import Chunk, split_sentences
from index.search import Hit

NOTE = (
    "西贡商信银行的总部位于胡志明市，成立时最初的注册资本为30亿越南盾。"
    "至2007年，该银行的注册资本为4兆4,490亿越南盾，网点遍布国内44个省份。"
    "该银行在越南证券交易所上市。\n"
    "另一段落说的是别的事情，和上面那一行无关。"
)


def _cands(note: str) -> list[Candidate]:
    hit = Hit(Chunk("n.md", "T", "S", 0, len(note), 1, note), 0, 1, 1.0, 1.0, 0.9)
    return [Candidate(hit, s, e, note[s:e]) for s, e in split_sentences(note)]


def test_the_sentences_beside_the_chosen_one_join_it_and_it_stays_marked():
    cands = _cands(NOTE)
    (quote, _), *rest = pick(cands, np.array([-1.0, 2.0, -4.0, 1.5]), {"n.md": NOTE})
    first, second, third = (c.text for c in cands[:3])
    assert quote.text == first + second + third  # both neighbours fit: 200 columns
    assert width(quote.text) <= BESIDE_WIDTH
    assert quote.focus == (cands[1].start, cands[1].end)
    assert NOTE[quote.start : quote.end] == quote.text
    assert all("另一段落" not in c.text for c, _ in rest) or rest[0][0].focus is None


def test_a_neighbour_that_would_make_the_quote_too_wide_is_left_out():
    more = "并且在全国各地开设了许多分行和办事处，" * 6
    long = "该银行在越南证券交易所上市，" + more + "规模很大。"
    note = NOTE.replace("该银行在越南证券交易所上市。", long)
    cands = _cands(note)
    (quote, _), *_ = pick(cands, np.array([0.5, 2.0, -1.5, -3.0]), {"n.md": note})
    assert quote.text == cands[0].text + cands[1].text  # the wide third one stays out
    assert width(cands[1].text + cands[2].text) > BESIDE_WIDTH


def test_a_sentence_on_another_line_is_not_beside_it():
    cands = _cands(NOTE)
    (quote, _), *_ = pick(cands, np.array([-5.0, -5.0, 2.0, 1.9]), {"n.md": NOTE})
    assert "另一段落" not in quote.text
    assert quote.text.endswith("该银行在越南证券交易所上市。")


def test_the_citation_and_its_card_carry_the_chosen_sentence():
    cands = _cands(NOTE)
    picked = pick(cands, np.array([-1.0, 2.0, -4.0, -4.0]), {"n.md": NOTE})
    cite = verified_citations(picked, {"n.md": NOTE})[0]
    assert NOTE[cite.focus[0] : cite.focus[1]] == cands[1].text
    assert NOTE[cite.start : cite.end] == cite.quote  # the quote itself stays verbatim
    from chatbot.answer import Answer

    turn = to_dict(Answer("q", "", "high", (cite,), (), "zh"))
    assert turn["citations"][0]["focus"] == [cands[1].start, cands[1].end]
    html = sources_html([turn])
    assert f"<strong>{cands[1].text}</strong>" in html


def test_a_sentence_quoted_alone_has_no_mark_inside():
    note = "只有这一句话，说完了。\n下一行。"
    cands = _cands(note)
    cite = verified_citations(pick(cands, np.array([2.0, -9.0]), {"n.md": note}), {"n.md": note})
    assert cite[0].quote == "只有这一句话，说完了。" and cite[0].focus is None
