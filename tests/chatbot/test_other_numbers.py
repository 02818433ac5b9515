"""A quote that gives other numbers than the question's is not `high` (chatbot.other_numbers)."""

from __future__ import annotations

import pytest

from chatbot.other_numbers import another_number, numbers


@pytest.mark.parametrize(
    ("question", "quote", "context", "expected"),
    [
        ("Which debate lasts 55 minutes?", "It lasts for 45 minutes.", "", True),
        ("Who can change income tax by up to 33 pence?", "Up to 3 pence in the pound.", "", True),
        ("每月 18 日定投的是哪个基金？", "每月 8 日定投沪深 300 指数基金 1,000 元。", "", True),
        ("Stage 2 of the bill is led by whom?", "Stage 1 is led by the minister.", "", True),
        # the question's number is there, or written another way
        ("每月 8 日定投的是哪个基金？", "每月 8 日定投沪深 300 指数基金 1,000 元。", "", False),
        ("How many of the 2,000 users came back?", "Of 2000 users, 340 came back.", "", False),
        ("Who came third in 2019?", "Dana came 3rd in 2019.", "", False),
        ("Who came 3rd?", "Dana came third, 2 points behind.", "", False),
        ("这 2 个方案哪个便宜？", "两个方案里 B 便宜 300 元。", "", False),
        ("這 2 個方案哪個便宜？", "兩個方案裡 B 便宜 300 元。", "", False),  # Traditional
        ("What happened in the 1700s?", "In the 18th century 500,000 fled.", "", False),
        ("预算 1万 的方案是哪个？", "方案 B：10,000 元，两周。", "", False),
        ("Which plan costs 10,000 EUR?", "Plan B costs 10k EUR over 2 weeks.", "", False),
        ("Who presents at 10:00?", "Dana presents at 10 am, Sam at 11.", "", False),
        ("Who presents at 2.30 pm?", "Sam presents at 2:30 pm in room 4.", "", False),
        ("Who presents at 10:30?", "Dana presents at 10 am, Sam at 11.", "", True),
        # the heading path holds the question's number
        ("Who won Super Bowl 50?", "The Broncos beat the Panthers 24–10.", "Super Bowl 50", False),
        # the quote has no number of its own: left to the judge
        ("What did I decide in the 1:1 on May 7?", "I take multi-currency.", "", False),
        # no number asked
        ("How many pages did I get?", "I got 3 night pages.", "", False),
    ],
)
def test_another_number(question, quote, context, expected):
    assert another_number(question, quote, context) is expected


def test_a_journal_day_in_the_note_name_is_the_quote_s_own():
    """A journal's note is named by its day; the quote under it is about that day."""
    from chatbot.answer import Citation
    from chatbot.engine import _qualified_otherwise

    quote = "Met Sam at 10:30 about the 3 open tickets."
    cite = Citation(1, quote, "journal/2024-03-05.md", "", 1, 0, len(quote), 1.0)
    assert not _qualified_otherwise("What did I do on 2024-03-05?", [cite])
    assert _qualified_otherwise("What did I do on 2024-03-07?", [cite])


def test_numbers_are_read_as_plain_decimals():
    assert numbers("1,800 EUR, 0.50, 007 and v2.10") == {"1800", "0.5", "7", "2.1"}


@pytest.mark.slow
def test_the_engine_lowers_a_quote_of_another_number(study_vault_engine):
    """The same sentence is `high` for the day it names and `low` for another day."""
    same = study_vault_engine.ask("每月 8 日定投的是哪个指数基金？")
    other = study_vault_engine.ask("每月 18 日定投的是哪个指数基金？")
    assert same.confidence == "high" and "每月 8 日定投" in same.citations[0].quote
    assert other.citations and other.citations[0].quote == same.citations[0].quote
    assert other.confidence == "low"
