"""Dates however they are written, and a question that names a day (index.dates)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from chatbot.config import Settings
from chatbot.engine import Engine
from index.dates import DatedRows, days


@pytest.mark.parametrize(
    "text",
    [
        "## 2026-11-16",
        "2026/11/16 晴",
        "2026.11.16",
        "2026年11月16日",
        "11月16号开会",
        "on November 16, 2026",
        "Nov. 16th",
        "16 November 2026",
        "the 16th of November",
    ],
)
def test_each_way_of_writing_a_day_gives_its_month_and_day(text):
    assert days(text) == ["@11-16"]


def test_the_year_does_not_change_the_day_and_numbers_that_are_no_dates_give_none():
    assert days("2025-11-16, 2026年11月16日") == days("November 16") == ["@11-16"]
    assert days("version 2.0.1, 13/2026, 99 bottles, 2026-13-40") == []
    assert days("You may 2 times") == days("march 3 miles") == []


def test_the_rows_to_search_are_those_that_hold_the_day_named():
    contexts = ["Journal › 2026-11-09\nDentist.", "Journal › 2026-11-16\nCar.", "Other"]
    dated = DatedRows([SimpleNamespace(context=c) for c in contexts])
    assert dated.among("What happened on November 16?", None).tolist() == [1]
    assert dated.among("11月9日做了什么？", np.array([1, 2])) is not None
    assert dated.among("11月9日做了什么？", np.array([1, 2])).tolist() == [1, 2]  # not in scope
    assert dated.among("What happened?", None) is None  # no day named: all rows
    assert dated.among("What happened on May 1?", None) is None  # a day no passage holds


JOURNAL = (
    "# Journal\n\n## 2026-11-09\n\nDentist at 9:30, one small cavity, filling booked for "
    "November 23. Paid 85 dollars.\n\n## 2026-11-16\n\nCar service: the mechanic replaced the "
    "front brake pads. Cost 340 dollars.\n\n## 2026-11-23\n\nFilling done. The dentist "
    "recommended an electric toothbrush.\n"
)


@pytest.fixture(scope="module")
def journal(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("journal")
    (tmp / "notes").mkdir()
    (tmp / "notes" / "journal.md").write_text(JOURNAL, "utf-8")
    settings = Settings(index_dir=tmp / "ix", notes=(str(tmp / "notes"),), upload_dir=tmp / "up")
    engine = Engine(settings, say=lambda m: None)
    engine.build(list(settings.notes))
    return engine.open()


@pytest.mark.parametrize(
    "question",
    ["What happened on November 16?", "11月16日发生了什么？", "What did I do on Nov 16th?"],
)
def test_a_question_about_a_day_quotes_that_days_entry(journal, question):
    # e5 reads the entry of November 9 ("filling booked for November 23") as closer
    a = journal.ask(question)
    assert a.citations and a.citations[0].section.endswith("2026-11-16"), a.text
