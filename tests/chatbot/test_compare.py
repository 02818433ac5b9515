"""`eval --compare`: the baseline recipes, their scoring and the printed table."""

from __future__ import annotations

import json
import re

import pytest

from chatbot import compare as cmp
from chatbot import compare_table
from chatbot.config import Settings
from chatbot.engine import Engine
from chatbot.evaluate import Question

from ..conftest import DEV_QUESTIONS, SEED_NOTE, FakeEmbedder

NAMES = (cmp.NOTECHAT, cmp.BM25_ONLY, cmp.DENSE_ONLY, cmp.LANGCHAIN_MINILM, cmp.BM25_JIEBA)
needs_dev = pytest.mark.skipif(not DEV_QUESTIONS.exists(), reason="no ../shared/eval")


@pytest.fixture
def fake_engine(fake_embedder, notes_dir, tmp_path):
    settings = Settings(
        index_dir=tmp_path / "ix", notes=(str(notes_dir),), upload_dir=tmp_path / "up"
    )
    engine = Engine(settings, embedder=fake_embedder, say=lambda m: None)
    engine.build(list(settings.notes))
    return engine.open()


def table_rows(out: str) -> dict[str, list[str]]:
    """Rows of the first Markdown table, by recipe name."""
    rows = {}
    for line in out.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| ") and cells[0] in NAMES and cells[0] not in rows:
            rows[cells[0]] = cells
    return rows


def test_split_notes_follows_langchain_defaults():
    text = SEED_NOTE.read_text("utf-8")
    chunks = cmp.split_notes({"a.md": text})
    assert chunks and all(c["note"] == "a.md" for c in chunks)
    assert all(0 < len(c["text"]) <= cmp.CHUNK_SIZE and c["text"] in text for c in chunks)
    assert all(c["text"].strip() == c["text"] for c in chunks)  # LangChain strips each chunk


def test_jieba_tokens_are_plain_words():
    # No search-mode sub-words, no stopwords: only case and punctuation are touched.
    assert cmp.jieba_tokens("GPT-4是什么？") == ["gpt", "4", "是", "什么"]


def test_bm25_recipe_ranks_the_chunk_with_the_words_first():
    chunks = [
        {"text": "今天天气很好，适合散步。", "note": "a.md"},
        {"text": "这种内容生产方式被称为PGC，即专业生产内容。", "note": "b.md"},
    ]
    q = Question("1", "什么是PGC？", evidence=("被称为PGC",))
    passages = cmp.bm25_search(chunks)(q)
    assert passages[0]["rank"] == 1 and passages[0]["note"] == "b.md"
    run = cmp.run("bm25", cmp.bm25_search(chunks), [q, Question("2", "无关", evidence=())])
    assert run.ranks == [1]  # the question without evidence is left out


def test_minilm_recipe_is_brute_force_cosine(fake_embedder):
    texts = ("数字人平台曦灵", "音乐生成模型", "三维模型生成")
    chunks = [{"text": t, "note": "n.md"} for t in texts]
    search = cmp.minilm_search(chunks, fake_embedder)
    q = Question("1", "数字人平台", evidence=("曦灵",))
    got = [p["text"] for p in search(q)]
    vecs = fake_embedder.embed_passages([c["text"] for c in chunks])
    want = [chunks[i]["text"] for i in (-(vecs @ fake_embedder.embed_query(q.question))).argsort()]
    assert got == want


def test_questions_notechat_refuses_are_left_out_and_counted():
    qs = [Question("1", "什么是PGC？", evidence=("PGC",)), Question("2", "", evidence=("x",))]
    assert cmp.askable(qs) == ([qs[0]], 1)


def test_ratios_are_notechat_over_recipe():
    runs = [
        cmp.RecipeRun(cmp.NOTECHAT, [1, 1, 2, None], 20.0),
        cmp.RecipeRun(cmp.BM25_JIEBA, [1, None, None, None], 10.0),
        cmp.RecipeRun(cmp.LANGCHAIN_MINILM, [None] * 4, 40.0),
    ]
    rows = table_rows(compare_table.format_table(runs))
    assert rows[cmp.NOTECHAT][1:5] == ["0.500", "0.750", "0.625", "20.0"]
    assert rows[cmp.BM25_JIEBA][5:] == ["2×", "3×", "2.5×", "2×"]
    assert rows[cmp.LANGCHAIN_MINILM][5:] == ["∞", "∞", "∞", "0.5×"]


@needs_dev
def test_compare_with_the_fake_embedder_prints_every_recipe(fake_engine, tmp_path):
    # A multi-note variant of the dev set: only passages of the named note count.
    qfile = tmp_path / "q.jsonl"
    lines = DEV_QUESTIONS.read_text("utf-8").splitlines()
    qfile.write_text(
        "\n".join(
            json.dumps({**json.loads(x), "note": "aigc.md"}, ensure_ascii=False) for x in lines
        ),
        "utf-8",
    )
    out = cmp.compare(str(qfile), fake_engine, embedder=FakeEmbedder())
    rows = table_rows(out)
    assert set(rows) == set(NAMES)
    n_answerable = sum(bool(json.loads(x).get("evidence")) for x in lines)
    assert f"compared on {n_answerable} answerable questions" in out
    for name in (cmp.LANGCHAIN_MINILM, cmp.BM25_JIEBA):
        assert all(re.fullmatch(r"[\d.]+×|∞|—", c) for c in rows[name][5:]), rows[name]
    assert "hit@5 by kind" in out and "crosslingual" in out

    qfile.write_text(qfile.read_text("utf-8").replace("aigc.md", "other.md"), "utf-8")
    other = table_rows(cmp.compare(str(qfile), fake_engine, embedder=FakeEmbedder()))
    assert all(other[name][1:4] == ["0.000"] * 3 for name in NAMES)


@pytest.mark.slow
@needs_dev
def test_compare_real_models_on_the_dev_questions(real_engine):
    out = cmp.compare(str(DEV_QUESTIONS), real_engine)
    rows = table_rows(out)
    assert set(rows) == set(NAMES)
    hit5 = {name: float(cells[2]) for name, cells in rows.items()}
    # notechat's reason to exist: it finds at least what either recipe finds.
    assert hit5[cmp.NOTECHAT] >= max(hit5[cmp.LANGCHAIN_MINILM], hit5[cmp.BM25_JIEBA])


def test_side_rankings_are_the_searchers_own_columns(fake_engine):
    searcher = fake_engine.searcher
    sides = cmp.side_rankings(searcher, "什么是PGC？", k=5)
    assert sides[cmp.FUSION] == [h.row for h in searcher.search("什么是PGC？", 5)]
    s = searcher.score("什么是PGC？")
    lexical = dict(zip(s.rows.tolist(), s.lexical.tolist(), strict=True))
    got = [lexical[r] for r in sides[cmp.BM25_ONLY]]
    assert got == sorted(got, reverse=True) and all(x > 0 for x in got)
    assert len(sides[cmp.DENSE_ONLY]) == 5
