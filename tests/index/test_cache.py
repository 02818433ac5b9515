"""The embedding cache: each text embedded once; a damaged cache file is set aside and rebuilt."""

from __future__ import annotations

import numpy as np
import pytest

from chatbot import cli
from index import IndexSettings, build_index, load_index
from index.embed import EmbeddingCache


def test_cache_embeds_each_text_once_and_survives_reload(tmp_path, fake_embedder):
    cache = EmbeddingCache(tmp_path, fake_embedder.model_id, fake_embedder.dim)
    a = cache.embed(["甲", "乙", "甲"], fake_embedder)
    assert fake_embedder.calls == 2
    cache.save()
    again = EmbeddingCache(tmp_path, fake_embedder.model_id, fake_embedder.dim)
    b = again.embed(["乙", "甲"], fake_embedder)
    assert fake_embedder.calls == 2
    np.testing.assert_array_equal(a[[1, 0]], b)
    other = EmbeddingCache(tmp_path, "another-model", fake_embedder.dim)
    assert len(other) == 0  # keyed by model too


def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x10]) + data[at + 1 :]


DAMAGE = {
    "truncated": lambda d: d[: len(d) // 2],
    "bit flipped": lambda d: _flip(d, len(d) // 2),
    "header flipped": lambda d: _flip(d, 0),
    "empty": lambda d: b"",
    "not a zip": lambda d: b"vectors, honest\n" * 10,
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_damaged_cache_is_set_aside_and_rebuilt(tmp_path, fake_embedder, damage):
    cache = EmbeddingCache(tmp_path, fake_embedder.model_id, fake_embedder.dim)
    want = cache.embed(["甲", "乙", "丙"], fake_embedder)
    cache.save()
    original = cache.path.read_bytes()
    cache.path.write_bytes(DAMAGE[damage](original))

    again = EmbeddingCache(tmp_path, fake_embedder.model_id, fake_embedder.dim)
    assert again.problem and "damaged" in again.problem and str(again.path) in again.problem
    assert len(again) == 0
    assert cache.path.with_name(cache.path.name + ".damaged").read_bytes() == DAMAGE[damage](
        original
    )
    np.testing.assert_array_equal(again.embed(["甲", "乙", "丙"], fake_embedder), want)
    again.save()
    assert len(EmbeddingCache(tmp_path, fake_embedder.model_id, fake_embedder.dim)) == 3


@pytest.mark.parametrize("damage", ["truncated", "bit flipped"])
def test_index_with_a_damaged_cache_rebuilds_it_with_a_message(
    tmp_path, fake_embedder, notes_dir, monkeypatch, capsys, damage
):
    monkeypatch.setattr("chatbot.engine.load_embedder", lambda name: fake_embedder)
    ix = tmp_path / "ix"
    argv = ["index", str(notes_dir), "--index-dir", str(ix)]
    assert cli.main(argv) == 0
    (npz,) = (ix / "cache").glob("*.npz")
    npz.write_bytes(DAMAGE[damage](npz.read_bytes()))
    (notes_dir / "new.md").write_text("# 新\n\n一条新笔记。\n", "utf-8")
    capsys.readouterr()

    assert cli.main(argv) == 0
    err = capsys.readouterr().err
    assert "damaged" in err and "set aside" in err and "Traceback" not in err
    assert len(load_index(ix).manifest["notes"]) == 2
    # The rebuilt cache is whole: the next build embeds nothing.
    report = build_index([notes_dir], ix, fake_embedder, IndexSettings("fake-bigram-64", 64))
    assert report.embedded == 0 and not report.warnings


def test_a_text_embedded_twice_in_one_build_is_embedded_once(tmp_path, fake_embedder):
    from index.cache import EmbeddingCache

    cache = EmbeddingCache(tmp_path / "cache", fake_embedder.model_id, fake_embedder.dim)
    first = cache.embed(["甲", "乙"], fake_embedder)
    again = cache.embed(["乙", "丙"], fake_embedder)  # "乙" is not saved yet
    assert np.allclose(first[1], again[0]) and fake_embedder.calls == 3 and len(cache) == 3
    cache.save()
    assert len(EmbeddingCache(tmp_path / "cache", fake_embedder.model_id, fake_embedder.dim)) == 3


def test_texts_go_to_the_embedder_in_calls_of_like_length(tmp_path, fake_embedder, monkeypatch):
    """A batch is padded to its longest text: the cache orders its calls by the model's tokens."""
    monkeypatch.setattr("index.cache.BATCH", 4)
    sizes = {f"t{i}": n for i, n in enumerate([9, 1, 7, 3, 8, 2, 6, 4, 5, 1])}
    calls: list[list[int]] = []
    embed = fake_embedder.embed_passages
    monkeypatch.setattr(
        fake_embedder,
        "embed_passages",
        lambda texts: calls.append([sizes[t] for t in texts]) or embed(texts),
    )
    # token counts the model reports, unlike the texts' lengths in characters
    monkeypatch.setattr(fake_embedder, "token_counts", lambda ts: [sizes[t] for t in ts], False)
    cache = EmbeddingCache(tmp_path, fake_embedder.model_id, fake_embedder.dim)
    texts = list(sizes)
    got = cache.embed(texts, fake_embedder)
    assert calls == [[1, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    np.testing.assert_array_equal(got, embed(texts))  # every vector back at its own text


def test_a_traditional_text_and_its_simplified_form_share_one_vector(tmp_path, fake_embedder):
    from index.cache import model_key, text_key

    cache = EmbeddingCache(tmp_path, fake_embedder.model_id, fake_embedder.dim)
    a = cache.embed(["為什麼"], fake_embedder)
    b = cache.embed(["为什么"], fake_embedder)
    assert fake_embedder.calls == 1  # the model reads both as 为什么
    np.testing.assert_array_equal(a, b)
    # Simplified and English texts keep the keys they had, so older caches still serve them.
    for text in ("为什么", "Why?", "PGC是什么"):
        assert model_key(text) == text_key(text)
    assert model_key("為什麼") != text_key("為什麼")
