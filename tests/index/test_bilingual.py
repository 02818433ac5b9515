"""Notes of two languages: a passage's cosine read against its own language's (index.bilingual)."""

from __future__ import annotations

import numpy as np

from index.bilingual import LanguageBackground


def _unit(*rows: list[float]) -> np.ndarray:
    v = np.array(rows, np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_notes_of_one_language_are_left_as_they_are():
    vecs = _unit([1, 0, 0], [0, 1, 0], [0, 0, 1])
    bg = LanguageBackground(vecs, [np.arange(3)], np.array([True]))  # one passage
    assert not bg.mixed and bg.means(vecs[0]) == {}
    assert bg.shift(vecs[0], np.array([True, True]), np.arange(2)) is None
    assert not LanguageBackground(None, [], np.zeros(0, bool)).mixed  # no sentence vectors


def test_each_passage_is_shifted_by_the_mean_of_its_own_languages_sentences():
    # two English sentences near the question's side of the space, two Chinese ones away from it
    vecs = _unit([1, 0.2, 0], [1, -0.2, 0], [0.2, 1, 0], [0.2, 0, 1])
    # passages: an English one of sentences 0 and 1, a Chinese one of 2 and 3
    bg = LanguageBackground(vecs, [np.array([0, 1]), np.array([2, 3])], np.array([True, False]))
    q = _unit([1, 0.5, 0])[0]
    cos = vecs @ q
    passages_english = np.array([False, True, True])
    shift = bg.shift(q, passages_english, np.array([0, 2]))
    assert bg.mixed and shift is not None
    assert np.allclose(shift, [cos[2:].mean(), cos[:2].mean()])
    assert np.isclose(bg.means(q)[False], cos[2:].mean())
