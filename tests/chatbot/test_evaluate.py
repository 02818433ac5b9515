"""Retrieval figures: which passage counts as relevant, and the report of a question file."""

from __future__ import annotations

from chatbot.evaluate import Question, first_relevant_rank, relevant, report, score_results


def _passage(rank: int, text: str, section: str = "", note: str = "n.md") -> dict:
    return {"rank": rank, "text": text, "section": section, "note": note}


HEADED = _passage(1, "在AI虚拟数字人方面，百度推出了曦灵。", "市场概况 › 百度：全栈布局AI技术")
Q = Question("q1", "What is Baidu's AI strategy?", "crosslingual", ("百度：全栈布局AI技术",))


def test_a_passage_holds_its_heading_only_when_headings_are_counted():
    assert not relevant(HEADED, Q)
    assert relevant(HEADED, Q, headed=True)
    # only its own heading: a heading higher up its path is not the passage's subject
    upper = Question("q2", "overview?", "crosslingual", ("市场概况",))
    assert not relevant(HEADED, upper, headed=True)
    elsewhere = Question("q3", "?", "crosslingual", Q.evidence, note="other.md")
    assert not relevant(HEADED, elsewhere, headed=True)


def test_first_relevant_rank_with_and_without_headings():
    passages = [HEADED, _passage(2, "百度：全栈布局AI技术，见下文。")]
    assert first_relevant_rank(passages, Q) == 2
    assert first_relevant_rank(passages, Q, headed=True) == 1


def test_the_report_adds_the_heading_figures_only_when_they_differ():
    plain = Question("q4", "曦灵是什么？", "lexical", ("百度推出了曦灵",))
    out = {"passages": [HEADED], "citations": [], "confidence": "low"}
    only_text = report([plain], [out])
    assert "with headings" not in only_text and "hit@1=1.000" in only_text
    both = report([plain, Q], [out, out])
    assert "answerable     n=2    hit@1=0.500" in both
    assert "with headings  n=2    hit@1=1.000" in both
    assert score_results([Q], [out])["answerable"].hit1 == 0.0


def test_confidence_figures_overall_and_for_each_kind_of_answerable_question():
    from chatbot.evaluate import confidence_report

    qs = [
        Question("1", "q1", "lexical", ("甲乙丙",)),
        Question("2", "q2", "lexical", ("丁戊己",)),
        Question("3", "q3", "crosslingual", ("庚辛壬",)),
        Question("4", "q4", "unanswerable"),
    ]

    def res(conf, quote):
        return {"confidence": conf, "citations": [{"quote": quote}] if quote else []}

    results = [
        res("high", "甲乙丙。"),
        res("low", "别的。"),
        res("low", "庚辛壬。"),
        res("low", ""),
    ]
    got = confidence_report(qs, results)
    assert got["answerable: high"] == 1 / 3
    assert got["answerable: first citation holds evidence"] == 2 / 3
    assert got["lexical: high"] == 0.5 and got["lexical: first citation holds evidence"] == 0.5
    assert got["crosslingual: high"] == 0.0
    assert got["crosslingual: first citation holds evidence"] == 1.0
    assert got["unanswerable: not high"] == 1.0
    one_kind = confidence_report(qs[:2], results[:2])
    assert not any(k.startswith("lexical") for k in one_kind)  # one kind: the overall says it
