"""The model loading in the background: answers wait for it, a failure is reported, not lost."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from index.background import BackgroundEmbedder, default_in_background
from index.embed import E5_DIM, E5_MODEL_ID, EmbedderError

from ..conftest import FakeEmbedder


def test_embeddings_wait_for_the_model_and_match_it():
    gate = threading.Event()

    def load():
        gate.wait()  # the model is still loading until the test says so
        return FakeEmbedder()

    bg = BackgroundEmbedder(FakeEmbedder.model_id, FakeEmbedder.dim, load)
    got = {}
    asker = threading.Thread(target=lambda: got.setdefault("v", bg.embed_query("你好")))
    asker.start()
    asker.join(0.2)
    assert asker.is_alive() and "v" not in got  # waiting, not answering without a model
    gate.set()
    asker.join()
    assert np.allclose(got["v"], FakeEmbedder().embed_query("你好"))
    assert bg.embed_passages(["a", "b"]).shape == (2, FakeEmbedder.dim)


def test_a_model_that_fails_to_load_raises_its_error_on_use():
    def load():
        raise EmbedderError("cannot load model 'x': no file")

    bg = BackgroundEmbedder("x", 8, load)
    with pytest.raises(EmbedderError, match="no file"):
        bg.embed_query("q")
    with pytest.raises(EmbedderError, match="no file"):
        bg.wait()


def test_a_model_other_than_announced_is_refused():
    bg = BackgroundEmbedder("some-other-id", 64, FakeEmbedder)
    with pytest.raises(ValueError, match="expected 'some-other-id'"):
        bg.wait()


def test_only_the_default_model_loads_in_the_background():
    assert default_in_background("all-minilm-l6-v2") is None
    bg = default_in_background("e5-small")
    assert bg is not None and (bg.model_id, bg.dim) == (E5_MODEL_ID, E5_DIM)
    bg.wait()  # the real default model: its id and width are what was announced
