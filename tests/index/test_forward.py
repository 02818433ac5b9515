"""Texts through the model: the traced path gives the eager vectors, kept only if faster."""

from __future__ import annotations

import numpy as np
import pytest

from index import forward, precision


@pytest.fixture(scope="module")
def model():
    from index.embed import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder("all-MiniLM-L6-v2")._m  # packaged, offline


TEXTS = [
    "什么是PGC？",
    "x",
    "How long does Magic3D take to generate a 3D model?",
    "全角ＡＢＣ１２３ and emoji 🙂\u200b",
    "word " * 3000,  # far over the model's 256 tokens: truncated alike on both paths
]


def test_traced_gives_the_eager_vectors_at_every_length_alone_and_padded(model):
    eager, traced = forward.eager(model), forward.traced(model)
    for text in TEXTS:
        a, b = eager([text]), traced([text])
        assert a.dtype == b.dtype == np.float32 and a.shape == b.shape == (1, 384)
        assert float(a[0] @ b[0]) >= forward.SAME, text[:20]
        assert abs(float(np.linalg.norm(b)) - 1.0) < 1e-5
    want = model.encode(TEXTS, normalize_embeddings=True)
    # in one batch every text but the longest is padded: the mask must be in the trace
    for got in (
        np.concatenate([traced([t]) for t in TEXTS]),
        traced(TEXTS),
        traced(TEXTS[::-1])[::-1],
    ):
        assert (got * want).sum(1).min() >= forward.SAME
    assert traced(TEXTS[:2]).shape == (2, 384)  # another batch size than the trace's


def _clocked(monkeypatch, model, costs: dict):
    """Runs that say which they are, on a clock where a call of each takes costs[name] s."""
    now, running = [0.0], ["eager"]

    def perf_counter():
        now[0] += costs[running[0]]
        return now[0]

    def tagged(name, run):
        return lambda texts: running.__setitem__(0, name) or run(texts)

    eager, traced = forward.eager(model), forward.traced(model)
    monkeypatch.setattr(forward, "eager", lambda m: tagged("eager", eager))
    monkeypatch.setattr(forward, "traced", lambda m: tagged("traced", traced))
    monkeypatch.setattr(precision.time, "perf_counter", perf_counter)
    return running


def test_the_faster_path_on_the_clock_is_kept(monkeypatch, model):
    running = _clocked(monkeypatch, model, {"eager": 1.0, "traced": 5.0})
    forward.fastest(model)(["x"])
    assert running == ["eager"]
    running = _clocked(monkeypatch, model, {"eager": 5.0, "traced": 1.0})
    forward.fastest(model)(["x"])
    assert running == ["traced"]


def test_a_trace_that_fails_or_differs_leaves_the_eager_path(monkeypatch, model, caplog):
    caplog.set_level("INFO", logger="index.forward")
    want = forward.eager(model)(["什么是PGC？"])

    def fails(m):
        raise RuntimeError("cannot trace this\nsecond line")

    monkeypatch.setattr(forward, "traced", fails)
    run = forward.fastest(model)
    assert np.array_equal(run(["什么是PGC？"]), want)
    assert "the trace failed (cannot trace this)" in caplog.text
    eager = forward.eager(model)
    monkeypatch.setattr(forward, "traced", lambda m: lambda t: -eager(t))  # other vectors
    run = forward.fastest(model)
    assert np.array_equal(run(["什么是PGC？"]), want) and "gives other vectors" in caplog.text


def test_a_model_without_a_transformers_network_runs_eagerly(monkeypatch):
    monkeypatch.setattr(forward, "traced", lambda m: pytest.fail("traced a non-transformer"))
    assert forward.fastest([object()]).__qualname__.startswith("eager")
