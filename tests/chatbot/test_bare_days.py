"""A heading that is only the day the question names is not the quote (chatbot.candidates)."""

from __future__ import annotations

import numpy as np

from chatbot.candidates import Candidate, past_bare_days


def _cands(*texts: tuple[str, bool]) -> list[Candidate]:
    return [
        Candidate(None, i * 100, i * 100 + len(t), t, heading=h) for i, (t, h) in enumerate(texts)
    ]


def test_a_heading_of_the_asked_day_goes_last():
    cands = _cands(("2026-11-16", True), ("Called Mom; she lands on Dec 18.", False))
    got = past_bare_days(np.array([3.0, 1.0]), cands, "What happened on November 16?")
    assert int(np.argmax(got)) == 1
    got = past_bare_days(
        np.array([3.0, 1.0]),
        _cands(("## 11月17日", True), ("改到周四。", False)),
        "11月17日定了什么？",
    )
    assert int(np.argmax(got)) == 1


def test_other_headings_days_and_questions_are_left_alone():
    choice = np.array([3.0, 1.0])
    body = ("Dentist at 9:30.", False)
    # a day the question does not name; a heading with words; a sentence; no day asked
    for cands, q in (
        (_cands(("2026-11-09", True), body), "What happened on November 16?"),
        (_cands(("11月16日 周会", True), body), "11月16日发生了什么？"),
        (_cands(("2026-11-16", False), body), "What happened on November 16?"),
        (_cands(("2026-11-16", True), body), "When did I see the dentist?"),
    ):
        assert past_bare_days(choice, cands, q).tolist() == choice.tolist()


def test_when_every_candidate_is_a_bare_day_the_order_stands():
    cands = _cands(("2026-11-16", True))
    assert past_bare_days(np.array([2.0]), cands, "What happened on Nov 16?").tolist() == [2.0]


def test_the_engine_quotes_the_day_s_entry_not_its_heading(journal_engine):
    for q in ("What happened on November 16?", "What was decided on November 17?"):
        a = journal_engine.ask(q)
        assert a.citations and a.citations[0].quote.strip("# ") not in ("2026-11-16", "11月17日")
        assert len(a.citations[0].quote) > 12
