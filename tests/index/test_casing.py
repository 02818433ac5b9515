"""A question typed in lower case reads as the notes write its words (index.casing)."""

from __future__ import annotations

import copy

import pytest

from index.casing import forms, recased


def test_the_notes_own_form_wins_only_when_they_mostly_use_it():
    notes = ["ChatGPT 与 GPT-4。ChatGPT 的用户", "ChatGPT, chatgpt", "Apple apple apple 3D"]
    f = forms(notes)
    assert f["chatgpt"] == "ChatGPT" and f["gpt-4"] == "GPT-4"  # 3 of 4, then 1 of 1
    assert "apple" not in f  # the notes write it mostly in lower case
    assert f["3d"] == "3D" and "2023" not in forms(["2023年"])


def test_only_all_lower_case_words_are_recased():
    f = {"aigc": "AIGC", "ibm": "IBM"}
    assert recased("who founded ibm? aigc是什么", f) == "who founded IBM? AIGC是什么"
    assert recased("Who founded Ibm", f) == "Who founded Ibm"  # typed with a capital: as typed
    assert recased("什么是PGC", f) == "什么是PGC"


@pytest.mark.slow
def test_a_question_in_lower_case_gets_the_answer_of_the_cased_one(real_engine):
    lower = real_engine.ask("magic3d生成一个3d模型要多久？")
    cased = real_engine.ask("Magic3D生成一个3D模型要多久？")
    assert lower.citations and lower.citations[0].quote == cased.citations[0].quote
    assert lower.confidence == cased.confidence


@pytest.mark.slow
def test_a_scoped_copy_shares_the_forms_worked_out_once(real_engine):
    searcher = real_engine._searcher()
    searcher.recased("aigc")
    scoped = copy.copy(searcher)  # as Searcher.within makes a scoped one
    assert scoped._casing is searcher._casing and "forms" in scoped._casing
    assert scoped.recased("aigc是什么") == "AIGC是什么"
