"""Paraphrased Chinese questions find the notes' own words through Cilin (index.synonyms)."""

from __future__ import annotations

from index.lexical import LexicalIndex, tokenize
from index.synonyms import expand, groups, synonyms_in_notes

NOTES = (
    "智能辅导系统提升了学生学习的自主性。",
    "影视创作者可以对生成的剧本进行筛选和优化。",
    "数字人主播可以全天候播报新闻。",
)


def _index(texts=NOTES) -> LexicalIndex:
    return LexicalIndex([tokenize(t) for t in texts])


def test_only_true_synonym_groups_are_read():
    table = groups()
    assert any("学习" in g for g in table["念书"])
    # "Aa01A01= 人 士 人物 …" is read; "#" (related) and "@" (alone) lines are not
    assert all(len(g) > 1 for g in table["剧本"])


def test_a_word_the_notes_lack_brings_its_synonyms_the_notes_use():
    notes = _index()
    assert synonyms_in_notes(["念书"], notes.df) == ["学习"]
    assert "剧本" in synonyms_in_notes(["本子"], notes.df)
    # a synonym the notes do not use is not added ("读书" is in 念书's group too)
    assert "读书" not in synonyms_in_notes(["念书"], notes.df)


def test_a_word_the_notes_use_is_not_expanded():
    notes = _index()
    assert synonyms_in_notes(["学习", "剧本"], notes.df) == []
    q = "学生学习的自主性提升了吗？"
    assert expand(q, notes) == q


def test_the_paraphrase_now_finds_the_passage_by_bm25():
    notes = _index()
    q = "孩子们念书会变得更主动吗？"
    assert notes.scores(tokenize(q))[0] == 0  # no word in common with the first note
    assert expand(q, notes).startswith(q)
    assert notes.scores(tokenize(expand(q, notes))).argmax() == 0


def test_english_and_traditional_questions():
    notes = _index()
    q = "Do pupils study more on their own?"
    assert expand(q, notes) == q  # English is bridged by index.crosslingual, not here
    assert "学习" in expand("孩子們念書會變得更主動嗎？", notes).split()  # read as Simplified
