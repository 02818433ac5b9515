"""A quote that names another month or year than the question's is not `high` (chatbot.periods)."""

from __future__ import annotations

import pytest

from chatbot.periods import contradicts, months, years


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("截至 3 月底累计投入", {3}),
        ("12 月到 2 月最多，冬天再來", {12, 2}),
        ("十月琵鷺還沒來多少", {10}),
        ("二〇二四年", set()),
        ("坚持了三个月，每月一次，上个月没去", set()),
        ("3.5 月", set()),
        ("The launch went out April 4, after the March review", {3, 4}),
        ("We may march on; Jan said so", set()),
        ("on Jan 5, or 12 Feb, or Sept. 3", {1, 2, 9}),
        ("the 2024-06 review, 2024-06-30", {6}),
    ],
)
def test_months_a_text_names(text, expected):
    assert months(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019年营收 1,200 万元，2020 年翻倍", {2019, 2020}),
        ("The Scotland Act 2012 extends the devolved competencies.", {2012}),
        ("in the 1990s, 2,019 people, version 2019.3", set()),
        ("FY2023 budget", {2023}),
    ],
)
def test_years_a_text_names(text, expected):
    assert years(text) == expected


@pytest.mark.parametrize(
    ("question", "quote", "expected"),
    [
        ("二月底的时候基金定投的市值是多少？", "截至 3 月底累计投入 14,000 元", True),
        ("In May 2010, Parliament was relocated where?", "In May 2000, it moved to the Hub.", True),
        ("What did the fund hold in March?", "By the end of March it held 9,400 EUR.", False),
        ("二月底的市值是多少？", "2 月底市值 13,520 元，3 月底 14,100 元", False),
        # the quote names no time: nothing to contradict
        ("What was revenue in 2019?", "Revenue rose to $3m.", False),
        # a date asked for: another time is the answer
        ("二月份下单的货什么时候到的？", "3 月 5 日到货", False),
        ("When was the 2004 building finished?", "It was finished in 2006.", False),
    ],
)
def test_contradicts(question, quote, expected):
    assert contradicts(question, quote) is expected


@pytest.mark.slow
def test_the_engine_lowers_a_quote_of_another_month(study_vault_engine):
    """The same sentence is `high` for the month it names and `low` for another one."""
    same = study_vault_engine.ask("截至3月底基金定投累计投入了多少？")
    other = study_vault_engine.ask("二月底的时候基金定投的市值是多少？")
    assert same.confidence == "high"
    assert "3 月底" in same.citations[0].quote
    assert other.citations and other.citations[0].quote == same.citations[0].quote
    assert other.confidence == "low"
