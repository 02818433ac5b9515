"""Notes in two languages: each passage's closeness read against its own language's.

e5 puts a question nearer to every text of its own language: a Chinese question
about a recipe stands closer to a Chinese travel plan than to the English recipe
that answers it (in a folder of both, English chunks trailed the Chinese ones by
a few hundredths of cosine whatever they said). So where the notes hold
passages of both languages, the dense side of the search takes each passage's
cosine minus the question's mean cosine to passages of that passage's language
(a fixed sample of their sentences): both languages then say how far a passage stands out
from its own kind. Notes of one language are left exactly as they were (a
constant shift changes no ranking, and none is applied). Leaves out: a third
language (index.hans tells Chinese from the rest).
"""

from __future__ import annotations

import numpy as np

SAMPLE = 2048  # sentences of each language that estimate the question's background


class LanguageBackground:
    """Per language, a fixed sample of the notes' sentence vectors."""

    def __init__(
        self, vectors: np.ndarray | None, rows: list[np.ndarray], english: np.ndarray
    ) -> None:
        """`vectors`: the stored sentence vectors; `rows[i]`: those of passage i, whose
        language `english[i]` says."""
        self.samples: dict[bool, np.ndarray] = {}
        if vectors is None:
            return
        is_english = np.zeros(len(vectors), bool)  # each sentence's, by its passage's
        for r, en in zip(rows, english, strict=True):
            is_english[r] = en
        rng = np.random.default_rng(0)  # the same sample on every load
        for lang in (True, False):
            picked = np.flatnonzero(is_english == lang)
            if len(picked) > SAMPLE:
                picked = np.sort(rng.choice(picked, SAMPLE, replace=False))
            if len(picked):
                self.samples[lang] = vectors[picked]
        if len(self.samples) < 2:  # one language: nothing to correct, nothing kept
            self.samples = {}

    @property
    def mixed(self) -> bool:
        """Sentences of both languages."""
        return len(self.samples) == 2

    def means(self, query_vector: np.ndarray) -> dict[bool, float]:
        """The question's mean cosine to each language's sentences (keyed by "is English");
        empty when the notes are of one language."""
        if not self.mixed:
            return {}
        return {lang: float((vecs @ query_vector).mean()) for lang, vecs in self.samples.items()}

    def shift(
        self, query_vector: np.ndarray, english: np.ndarray, rows: np.ndarray
    ) -> np.ndarray | None:
        """For each of `rows` (passages; `english`: each passage's language), the
        question's mean cosine to its language's sentences; None for notes of one language
        (nothing to correct)."""
        means = self.means(query_vector)
        if not means or not len(rows):
            return None
        return np.where(english[rows], means[True], means[False]).astype(np.float32)
