"""How far a quote reaches: a fact one sentence, a reason its cause, a description more."""

from __future__ import annotations

import pytest

from chatbot.answer import pick
from chatbot.extent import MAX_WIDE_CHARS, kind_of, label_on, reach, widen
from chatbot.features import Candidate
from index.chunking import Chunk, split_sentences
from index.search import Hit

NOTE = (
    "# 次磷酸\n\n"
    "次磷酸可以将碘还原为氢碘酸。因此，次磷酸被列为易制毒化学品，购买受到严格管制。它是无色液体。\n"
    "凉茶店有多种功能：听歌、看电视。后来也卖龟苓膏。再后来变成了茶餐厅。最后一句。\n"
    "The tower was built in 1889. Therefore it is old. It is tall.\n"
)


def _cand(sentence: str, note: str = NOTE) -> Candidate:
    start = note.index(sentence)
    hit = Hit(Chunk("n.md", "T", "S", 0, len(note), 1, note), 0, 1, 1.0, 1.0, 1.0)
    return Candidate(hit, start, start + len(sentence), sentence)


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("为什么次磷酸受到管制？", "reason"),
        ("為什麼次磷酸受到管制？", "reason"),
        ("Why is it old?", "reason"),
        ("凉茶店有哪些功能？", "describe"),
        ("黑龍江省博物館經歷了哪些發展？", "describe"),
        ("How does the engine work?", "describe"),
        ("谁发明了它？", None),
        ("次磷酸是什么颜色？", None),
        ("How many floors does it have?", None),
        ("When was it built?", None),
    ],
)
def test_kind_of_question(question, kind):
    assert kind_of(question) == kind


def test_a_reason_quotes_the_cause_before_a_therefore():
    c = widen(
        _cand("因此，次磷酸被列为易制毒化学品，购买受到严格管制。"),
        {"n.md": NOTE},
        "为什么次磷酸的购买受到管制？",
    )
    assert (
        c.text == "次磷酸可以将碘还原为氢碘酸。因此，次磷酸被列为易制毒化学品，购买受到严格管制。"
    )
    assert NOTE[c.start : c.end] == c.text
    en = widen(_cand("Therefore it is old."), {"n.md": NOTE}, "Why is the tower old?")
    assert en.text == "The tower was built in 1889. Therefore it is old."


def test_a_description_runs_on_within_its_line_and_a_fact_does_not():
    first = "凉茶店有多种功能：听歌、看电视。"
    c = widen(_cand(first), {"n.md": NOTE}, "凉茶店有哪些功能？")
    assert c.text == first + "后来也卖龟苓膏。再后来变成了茶餐厅。"  # two more, not three
    assert "\n" not in c.text and NOTE[c.start : c.end] == c.text
    fact = _cand("它是无色液体。")
    assert widen(fact, {"n.md": NOTE}, "次磷酸是什么颜色？") == fact
    last = _cand("它是无色液体。")  # the last sentence of its line: nothing to run on to
    assert widen(last, {"n.md": NOTE}, "次磷酸有哪些特点？") == last


def test_a_widened_quote_stays_short():
    long_note = "开头。" + "这是一个很长的句子，" * 20 + "结束。" + "下一句。"
    c = widen(_cand("开头。", long_note), {"n.md": long_note}, "它有哪些特点？")
    assert len(c.text) <= MAX_WIDE_CHARS and long_note[c.start : c.end] == c.text


def test_pick_merges_a_widened_quote_with_the_sentence_it_reached():
    note = NOTE
    cands = [_cand(note[s:e]) for s, e in split_sentences(note) if "#" not in note[s:e]]
    texts = [c.text for c in cands]
    scores = [0.0] * len(cands)
    scores[texts.index("凉茶店有多种功能：听歌、看电视。")] = 5.0
    scores[texts.index("后来也卖龟苓膏。")] = 4.5  # a runner-up inside the widened quote
    picked = pick(cands, scores, {"n.md": note}, "凉茶店有哪些功能？")
    quotes = [c.text for c, _ in picked]
    # the runner-up, widened in turn, joins the best quote as one span of the note
    assert (
        quotes[0]
        == "凉茶店有多种功能：听歌、看电视。后来也卖龟苓膏。再后来变成了茶餐厅。最后一句。"
    )
    assert not any("龟苓膏" in q for q in quotes[1:])  # not quoted twice


CAUSES = (
    "# 局长\n\n"
    "他成为第一位入狱的前局长。由于他泄露了情资，被判有期徒刑10年。他后来出狱。\n"
    "事故有多种原因。首先是轮胎未检查。其次是机长决定太晚。跑道尽头还有溪谷。\n"
    "The bridge was closed. This was because the river flooded. It reopened in May.\n"
)


def test_a_reason_quotes_the_cause_after_the_sentence_it_explains():
    notes = {"n.md": CAUSES}
    c = widen(
        _cand("他成为第一位入狱的前局长。", CAUSES), notes, "他为什么会成为第一位入狱的前局长？"
    )
    assert c.text == "他成为第一位入狱的前局长。由于他泄露了情资，被判有期徒刑10年。"
    assert CAUSES[c.start : c.end] == c.text
    en = widen(_cand("The bridge was closed.", CAUSES), notes, "Why was the bridge closed?")
    assert en.text == "The bridge was closed. This was because the river flooded."
    # no cause follows: the sentence alone
    alone = widen(_cand("他后来出狱。", CAUSES), notes, "他为什么出狱？")
    assert alone.text == "他后来出狱。"


def test_reasons_asked_as_a_list_run_on_like_a_description():
    notes = {"n.md": CAUSES}
    c = widen(_cand("事故有多种原因。", CAUSES), notes, "导致事故的原因有哪些？")
    assert c.text == "事故有多种原因。首先是轮胎未检查。其次是机长决定太晚。"
    one = widen(_cand("事故有多种原因。", CAUSES), notes, "为什么会有事故？")
    assert one.text == "事故有多种原因。"


LABELS = (
    "# 应用\n\n"
    "* 读者细分管理。提升读者与平台的交互体验。进一步提升满意度。\n"
    "2. Speed. It answers in a second. It never waits.\n"
    "它很快。第二句。\n"
    "* 这是一个足够长的句子，长到不算是标签。后文。\n"
    "* 单独一项。\n"
    "系统分为两个阶段：第一阶段建模；第二阶段渲染。另一句。\n"
)


def test_a_short_label_runs_on_into_its_explanation_whatever_is_asked():
    notes = {"n.md": LABELS}
    c = label_on(_cand("* 读者细分管理。", LABELS), notes)
    assert c.text == "* 读者细分管理。提升读者与平台的交互体验。"
    assert LABELS[c.start : c.end] == c.text
    en = label_on(_cand("2. Speed.", LABELS), notes)
    assert en.text == "2. Speed. It answers in a second."
    assert label_on(_cand("它很快。", LABELS), notes).text == "它很快。第二句。"
    # a fact question, which widen() leaves at one sentence, still gets the label's sense
    # (here the whole item, a short one: item_on)
    assert (
        "读者细分管理。提升读者与平台的交互体验。"
        in reach(_cand("* 读者细分管理。", LABELS), notes, "谁负责？").text
    )


def test_a_label_only_at_the_opening_of_a_line_and_only_when_short():
    notes = {"n.md": LABELS}
    mid = "前文很长的一句话在这里。读者细分管理。后文。\n"
    inside = _cand("读者细分管理。", mid)
    assert label_on(inside, {"n.md": mid}) == inside  # mid-line: a sentence, not a label
    long = _cand("* 这是一个足够长的句子，长到不算是标签。", LABELS)
    assert label_on(long, notes) == long
    alone = _cand("* 单独一项。", LABELS)
    assert label_on(alone, notes) == alone  # nothing after it on its line
    heading = Candidate(_cand("# 应用", LABELS).hit, 0, 4, "# 应用", heading=True)
    assert label_on(heading, notes) == heading


def test_a_lead_in_runs_through_its_list_then_stops():
    c = reach(_cand("系统分为两个阶段：", LABELS), {"n.md": LABELS}, "系统分为几个阶段？")
    assert c.text == "系统分为两个阶段：第一阶段建模；第二阶段渲染。"


LISTED = (
    "## 死锁\n\n"
    "死锁的四个必要条件（Coffman 条件）：\n\n"
    "1. 互斥\n2. 占有并等待（hold and wait）\n3. 不可抢占\n4. 循环等待\n\n"
    "四个条件同时成立才可能发生死锁。\n"
    "Steps to roll back:\n- revert the commit\n- page the owner\nThen write it up.\n"
)


def test_a_lead_in_ending_its_line_runs_through_the_list_below_it():
    notes = {"n.md": LISTED}
    c = reach(_cand("死锁的四个必要条件（Coffman 条件）：", LISTED), notes, "死锁的条件是什么？")
    assert c.text.endswith("4. 循环等待") and "2. 占有并等待（hold and wait）" in c.text
    assert LISTED[c.start : c.end] == c.text  # still verbatim
    c = reach(_cand("Steps to roll back:", LISTED), notes, "How do I roll back?")
    assert c.text == "Steps to roll back:\n- revert the commit\n- page the owner"


def test_a_line_ending_in_a_colon_with_no_list_below_stays_as_it_is():
    note = "结论如下：\n\n这是一段普通的文字。\n"
    c = reach(_cand("结论如下：", note), {"n.md": note}, "结论是什么？")
    assert c.text == "结论如下："


def test_a_line_ending_in_a_semicolon_does_not_run_into_the_list_below():
    note = "x = 1;\n- not its list\n"
    assert reach(_cand("x = 1;", note), {"n.md": note}, "What is x?").text == "x = 1;"


ITEMS = (
    "Scaling:\n"
    "- Scale consumers with `--replicas=8`. Don't go above 8, the DB won't take more.\n"
    "- " + "A long item that says a great deal about many things in turn. " * 4 + "Its end.\n"
    "A plain line, long enough to be no label. Not an item.\n"
)


def test_a_short_list_item_is_quoted_whole_from_its_opening_sentence():
    notes = {"n.md": ITEMS}
    c = reach(_cand("- Scale consumers with `--replicas=8`.", ITEMS), notes, "How far?")
    assert c.text.endswith("Don't go above 8, the DB won't take more.")
    assert ITEMS[c.start : c.end] == c.text


def test_an_item_runs_on_only_from_its_opening_and_only_when_short():
    notes = {"n.md": ITEMS}
    second = _cand("Don't go above 8, the DB won't take more.", ITEMS)
    assert reach(second, notes, "How far?") == second  # not the item's opening sentence
    long = _cand("- A long item that says a great deal about many things in turn.", ITEMS)
    assert reach(long, notes, "Who wrote it?") == long
    plain = _cand("A plain line, long enough to be no label.", ITEMS)
    assert reach(plain, notes, "What is it?") == plain  # no list item
