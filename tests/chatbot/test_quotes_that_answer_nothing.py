"""Quotes that cannot answer are not `high`: an English "who" quote naming nobody, and a quote
that asks a question itself (answer_type.names_none, engine._qualified_otherwise)."""

from __future__ import annotations

import pytest

from chatbot.answer import Citation
from chatbot.answer_type import names_none
from chatbot.engine import _qualified_otherwise


@pytest.mark.parametrize(
    ("question", "quote", "expected"),
    [
        ("Who was incident commander on January 18?", "It is not related to January 18.", True),
        ("Where is the replica hosted?", "The replica is hosted with the rest.", True),
        ("Which company makes the sensor?", "The sensor is made elsewhere.", True),
        ("Who was the bar raiser?", "- Bar raiser: Hannah Leclerc (search team)", False),
        ("Where did we meet?", "We met in Lisbon at InfraCon.", False),
        # a hotel is known by its name; a currency's code is none
        ("Which hotel did I stay at?", "Spent: 1,640 EUR (ticket 690, hotel three nights).", True),
        ("Which hotel did I stay at?", "Three nights at the Hotel Avenida Palace.", False),
        # the question's own name is no answer
        ("Who did Priya meet?", "Priya met the team.", True),
        # not a kind found by capitals, or not English: left to the judge
        ("When was it built?", "It was built long ago.", False),
        ("谁是事故指挥？", "这次没有指挥。", False),
        ("Who leads the project?", "项目由陈晓负责。", False),
    ],
)
def test_names_none(question, quote, expected):
    assert names_none(question, quote) is expected


def _cite(quote: str) -> Citation:
    return Citation(1, quote, "n.md", "Notes", 1, 0, len(quote), 1.0)


def test_a_quote_that_asks_a_question_is_qualified():
    q = "Who signs off on the data-retention policy?"
    assert _qualified_otherwise(
        q, [_cite("Open question: who signs off on the data-retention policy?")]
    )
    assert _qualified_otherwise("数据保留政策谁来批？", [_cite("待定：谁来批数据保留政策？")])
    assert not _qualified_otherwise(q, [_cite("Aiko Tanaka signs off on the policy.")])


@pytest.mark.parametrize(
    ("quote", "expected"),
    [
        ("- [ ] 問 HR 明年有沒有 return offer（Amber 說 10 月才會知道）", True),
        ("- [ ] 问HR能不能转正", True),
        ("- [ ] Ask Sam whether we can make the design slot 75 minutes", True),
        ("* [ ] Check if the replica is caught up", True),
        # a task to do, not to find out; a task done
        ("- [ ] Ask Marcus for a 30-min follow-up in July", False),
        ("- [ ] Add a CI check that rejects maxOpen below 20", False),
        ("- [x] Asked HR whether there is a return offer: yes", False),
    ],
)
def test_an_open_task_to_find_out_is_a_question(quote, expected):
    assert _qualified_otherwise("Did I get a return offer?", [_cite(quote)]) is expected


@pytest.mark.slow
def test_the_engine_gives_no_high_to_a_who_quote_naming_nobody(work_vault_engine):
    named = work_vault_engine.ask("Who was the bar raiser on the senior backend loop?")
    nobody = work_vault_engine.ask(
        "Who was incident commander for the January 18 replica disk-full incident?"
    )
    assert named.confidence == "high" and "Hannah Leclerc" in named.citations[0].quote
    assert nobody.citations and nobody.confidence != "high"
