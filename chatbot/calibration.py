"""The fitted models behind the quote and its confidence, one JSON file per embedding model.

Logistic regressions and a tree model, fitted by scripts/fit_confidence.py with
scikit-learn on the shared question sets (train/validation split by article):

- the *ranker* scores every candidate sentence (chatbot.features
  SENTENCE_FEATURES); its scores are what the judges read;
- the *picker* (chatbot.trees, boosted trees over the same features) chooses
  the sentence quoted first (the ranker does when there is none);
- the *judges*, one per question language (Chinese and English quotes go
  wrong in different ways: one set of weights for both lost half the
  coverage at the same precision), turn the chosen sentence's
  QUESTION_FEATURES into the probability that the quote answers the
  question. `high` starts, for each
  language pair, where that pair's held-out questions showed at least 95 %
  of answers right; below `floor` the notes are taken to be silent (`none`).

Coefficients are stored as plain JSON under chatbot/calibration/,
keyed by the embedding model's id, since cosines mean different things for
different models. A model without a file gets a plain hand-weighted ranker
and never `high` — said once in the log.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .features import QUESTION_FEATURES, SENTENCE_FEATURES
from .trees import Trees

log = logging.getLogger(__name__)

FOLDER = Path(__file__).resolve().parent / "calibration"


@dataclass(frozen=True)
class Linear:
    """w · (x - mean) / scale + b, over named features."""

    names: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float

    def score(self, rows: np.ndarray) -> np.ndarray:
        x = (np.asarray(rows, np.float64) - np.asarray(self.mean)) / np.asarray(self.scale)
        return x @ np.asarray(self.coef) + self.intercept

    def probability(self, rows: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.score(rows)))


def _hand_ranker() -> Linear:
    """Closeness, word overlap and passage score, as before any fit."""
    weights = {"cos_gap": 4.0, "cov": 1.5, "passage": 1.0, "misses": -0.8, "short": -1.0}
    weights |= {"heading": -0.5, "lead_in": -0.6}
    n = len(SENTENCE_FEATURES)
    coef = tuple(weights.get(f, 0.0) for f in SENTENCE_FEATURES)
    return Linear(SENTENCE_FEATURES, (0.0,) * n, (1.0,) * n, coef, 0.0)


@dataclass(frozen=True)
class Calibration:
    model_id: str
    ranker: Linear
    # By the question's language ("zh", "en"); empty: not fitted for this
    # model, never "high".
    judges: dict[str, Linear] = field(default_factory=dict)
    # Probability from which an answer is "high", by `pair(...)`: "zh", "en",
    # or "en>zh" for an English question on Chinese notes. Each was set on that
    # pair's held-out questions; a pair with too few has none: never "high".
    high: dict[str, float] = field(default_factory=dict)
    floor: float = 0.0  # below it the notes are silent: "none"
    fitted_on: str = ""  # what the script fitted on, for the record
    # Trees that choose the quote (chatbot.trees); without them the ranker chooses.
    picker: Trees | None = None

    def choose(self, rows: np.ndarray) -> np.ndarray:
        """Each candidate's score for being quoted: the picker's log-odds, or the ranker's."""
        return self.picker.score(rows) if self.picker else self.ranker.score(rows)

    def probability(self, row: np.ndarray, language: str) -> float:
        """How likely the quote with QUESTION_FEATURES `row` answers; 0 without a judge."""
        judge = self.judges.get(language) or self.judges.get("en")
        return judged(judge, row, language) if judge else 0.0

    def label(self, probability: float, pair: str, known: float = 1.0) -> str:
        """The label of a quote of `probability`, on a question of `pair` whose words the
        notes hold to the share `known`.

        A pair the fit never saw (a Chinese question on English notes) has no calibrated
        probability: never "high", and "none" only when none of the question's words, nor
        their translations (index.crosslingual), are in the notes."""
        if not self.judges:
            return "low"
        if pair not in self.high:
            return "low" if known > 0 else "none"
        if probability >= self.high.get(pair, 1.01):
            return "high"
        return "low" if probability >= self.floor else "none"


_KNOWN = QUESTION_FEATURES.index("known")


def judged(judge: Linear, row: np.ndarray, language: str) -> float:
    """The judge's probability for one question row; 0 for a non-Chinese question none of
    whose words the notes hold.

    Such a question ("asdfghjkl", "lorem ipsum", "1234567", "What is the capital of
    France?" on Chinese notes) is about something the notes never name: of the 4,765
    fitting questions, 70 had no word in their notes (43 of them not Chinese), none of them
    answerable (docs/results.md). The judge, a linear model, would extrapolate for them from the
    closeness alone. A Chinese word may hide inside the notes' longer words ("书" in
    "奥义书"), so Chinese questions are left to the judge.
    """
    row = np.asarray(row, np.float64)
    if row[_KNOWN] <= 0.0 and language != "zh":
        return 0.0
    return float(judge.probability(row[None])[0])


def pair(question_language: str, cross: bool) -> str:
    """The key of a threshold: the question's language, and the notes' when they differ.

    >>> pair("en", False), pair("en", True), pair("zh", True)
    ('en', 'en>zh', 'zh>en')
    """
    if not cross:
        return question_language
    return f"{question_language}>{'en' if question_language == 'zh' else 'zh'}"


def path_for(model_id: str) -> Path:
    return FOLDER / (re.sub(r"[^A-Za-z0-9._-]+", "_", model_id) + ".json")


def _linear(d: dict, names: tuple[str, ...]) -> Linear:
    lin = Linear(
        tuple(d["names"]),
        tuple(d["mean"]),
        tuple(d["scale"]),
        tuple(d["coef"]),
        float(d["intercept"]),
    )
    if lin.names != names:
        raise ValueError(f"features {lin.names} differ from the code's {names}")
    return lin


_cache: dict[str, Calibration] = {}
_lock = threading.Lock()


def load(model_id: str) -> Calibration:
    """The calibration for `model_id`, or the unfitted fallback (said once)."""
    with _lock:
        if model_id in _cache:
            return _cache[model_id]
        path = path_for(model_id)
        try:
            d = json.loads(path.read_text("utf-8"))
            cal = Calibration(
                model_id=model_id,
                ranker=_linear(d["ranker"], SENTENCE_FEATURES),
                judges={
                    str(lang): _linear(j, QUESTION_FEATURES) for lang, j in d["judges"].items()
                },
                high={str(k): float(v) for k, v in d["high"].items()},
                floor=float(d["floor"]),
                fitted_on=str(d.get("fitted_on", "")),
                picker=Trees.from_json(d["picker"], SENTENCE_FEATURES) if "picker" in d else None,
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning(
                "no fitted confidence for model %s (%s): answers are at most 'low' "
                "(fit one with scripts/fit_confidence.py)",
                model_id,
                exc if not isinstance(exc, FileNotFoundError) else "no file",
            )
            cal = Calibration(model_id, _hand_ranker())
        _cache[model_id] = cal
        return cal
