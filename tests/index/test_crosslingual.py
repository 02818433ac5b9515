"""An English question on Chinese notes: its words in the notes' Chinese (index.crosslingual)."""

from __future__ import annotations

from index import IndexSettings, Searcher, build_index, load_index
from index.crosslingual import bridge, chinese_terms, english_terms
from index.lexical import LexicalIndex, tokenize


def _lexical(*texts: str) -> LexicalIndex:
    return LexicalIndex([tokenize(t) for t in texts])


def test_the_notes_choose_among_a_words_senses():
    # CC-CEDICT glosses "platform" as 平台, 站台, 讲台 …: only what the notes use is kept.
    assert chinese_terms("Which platform did they launch?", {"平台"}) == ["平台"]
    assert chinese_terms("Which platform did the train leave from?", {"站台"}) == ["站台"]
    assert chinese_terms("Which platform did they launch?", {"火车"}) == []


def test_plurals_and_word_pairs_are_looked_up():
    assert "风险" in chinese_terms("What copyright risks are there?", {"风险", "版权"})
    assert "版权" in chinese_terms("What copyright risks are there?", {"风险", "版权"})


def test_inflected_and_hyphenated_words_are_looked_up_by_their_dictionary_forms():
    # "companies" → company → 公司 (not by stripping an "s"); "begun" → begin → 开始
    vocab = {"公司", "开始", "影片"}
    found = chinese_terms("What have many film-tech companies begun to offer?", vocab)
    assert {"公司", "开始", "影片"} <= set(found)  # "film-tech": "film" as a word of its own
    assert "公司" not in chinese_terms("What have many film-tech companies begun?", {"开始"})


def test_questions_on_notes_of_their_own_language_are_left_alone():
    zh_notes = _lexical("百度推出的数字人平台名为曦灵。", "腾讯推出了写稿机器人。")
    en_notes = _lexical("Baidu launched a digital human platform.", "The rocket reached orbit.")
    assert bridge("百度的数字人平台叫什么？", zh_notes) == "百度的数字人平台叫什么？"
    q = "What is Baidu's digital human platform called?"
    assert bridge(q, en_notes) == q  # its words are the notes' own
    assert bridge(q, zh_notes).startswith(q + " ") and "平台" in bridge(q, zh_notes)


def test_bm25_finds_the_chinese_passage_by_the_bridged_words(tmp_path, fake_embedder):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "ai.md").write_text(
        "# 数字人\n\n百度推出的数字人平台名为曦灵，能够打造面向各行业的虚拟主播。\n\n"
        "# 写作\n\n腾讯推出了自动化新闻写作机器人，每天撰写大量稿件。\n\n"
        "# 音乐\n\n谷歌发布了音乐生成模型，可以根据文字描述生成一段音乐。\n",
        "utf-8",
    )
    settings = IndexSettings(fake_embedder.model_id, fake_embedder.dim)
    build_index([notes], tmp_path / "ix", fake_embedder, settings)
    s = Searcher(load_index(tmp_path / "ix", settings), fake_embedder)
    q = "Which company built the automated news writing robot?"
    assert not s.lexical.scores(tokenize(q)).any()  # BM25 sees no word it knows
    bm25 = s.lexical.scores(tokenize(bridge(q, s.lexical)))
    assert "写作机器人" in s.chunks[int(bm25.argmax())].text


def test_the_engine_bridges_an_english_question_on_the_chinese_seed_note(real_engine):
    # "platform" and "digital human" exist in the note only as 平台 and 数字人.
    hits, analysis = real_engine.analyse("What platform did Baidu build for digital humans?")
    assert analysis.cross and any(h.lexical > 0 for h in hits)  # BM25 took part
    assert any("曦灵" in h.chunk.text for h in hits[:5])
    a = real_engine.ask("What platform did Baidu build for digital humans?")
    assert a.citations and a.confidence != "high"  # English on Chinese notes: never high


def test_a_chinese_questions_words_in_the_english_notes():
    # CC-CEDICT: 预算 "budget", 项目 "item; project; event", 节点 "node": kept where notes say so
    vocab = {"budget", "project", "falcon", "node"}
    assert english_terms("项目Falcon的预算是多少？", vocab) == ["project", "budget"]
    assert english_terms("生产环境需要几个节点？", vocab) == ["node"]
    assert english_terms("项目Falcon的预算是多少？", {"weather"}) == []
    texts = ("Budget approved: 120,000 EUR.", "The staging cluster runs on three nodes.")
    en_notes = LexicalIndex([tokenize(t) for t in texts], [True, True])  # English chunks
    assert bridge("项目的预算是多少？", en_notes).split()[1:] == ["budget"]


def test_notes_of_both_languages_bridge_a_question_whose_words_they_know():
    # "hotel" and "stay" are known from the English note, yet the answer is in the Chinese one
    texts = ("We stay in a hotel near the office.", "住宿：四条乌丸附近的三井花园酒店。")
    mixed = LexicalIndex([tokenize(t) for t in texts], [True, False])
    q = "Which hotel do we stay at?"
    assert mixed.known_share(tokenize(q)) >= 0.5
    assert "酒店" in bridge(q, mixed).split()
    assert "hotel" in bridge("住在哪家酒店？", mixed).split()
