"""Chinese names in an English question, by their pinyin (index.pinyin) and CC-CEDICT glosses."""

from __future__ import annotations

from index.crosslingual import bridge, chinese_terms, glossary
from index.lexical import LexicalIndex, tokenize
from index.pinyin import by_pinyin, names, read_words


def test_a_name_is_read_off_the_notes_words():
    read = read_words(["喜马拉雅", "海马", "平台", "AIGC", "百"])
    assert read["ximalaya"] == ["喜马拉雅"]  # CC-CEDICT's reading of the word
    assert "haima" in read and "pingtai" in read
    assert "aigc" not in read and "bai" not in read  # only Chinese words of two characters or more
    assert by_pinyin("What does Ximalaya's TTS do?", read) == ["喜马拉雅"]


def test_words_the_dictionary_lacks_are_read_by_their_characters():
    # 海马轻帆 (a screenwriting company) is in no dictionary: its characters' readings are.
    read = read_words(["海马轻帆"])
    assert by_pinyin("How widely has Haima Qingfan been adopted?", read) == ["海马轻帆"]


def test_only_capitalised_words_are_names():
    assert names("which platform did baidu build?") == []
    assert names("What did Baidu and Tencent build?") == ["what", "baidu", "tencent"]
    assert "haimaqingfan" in names("Haima Qingfan's scripts")
    # words apart do not join: "Baidu" and "Tencent" are not one name
    assert "baidutencent" not in names("Baidu, Tencent")
    assert names("Is AIGC in TV new?") == []  # all capitals are acronyms, not pinyin


def test_a_common_english_word_that_reads_as_pinyin_is_kept_only_if_the_notes_use_it():
    read = read_words(["平台"])
    assert by_pinyin("Which Change did they make?", read) == []  # "change" → 嫦娥 not in the notes


def test_a_glosss_head_before_a_comma_is_looked_up():
    # "百度 [Bai3 du4] /Baidu, Internet portal and search engine, …/"
    assert "百度" in glossary()["baidu"].split()
    assert chinese_terms("What did NVIDIA release?", {"英伟达"}) == ["英伟达"]


def test_the_bridge_adds_the_named_words_the_notes_use():
    texts = ("喜马拉雅用TTS合成有声书。", "海马轻帆提供剧本评估服务。", "谷歌发布了音乐模型。")
    notes = LexicalIndex([tokenize(t) for t in texts])
    q = "What does Ximalaya make with TTS?"
    assert "喜马拉雅" in bridge(q, notes).split()
    q = "What services does Haima Qingfan offer?"
    assert notes.scores(tokenize(bridge(q, notes))).argmax() == 1
