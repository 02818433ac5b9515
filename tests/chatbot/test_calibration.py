"""The fitted ranker and judge: stored as JSON per model, checked on load, conservative without."""

from __future__ import annotations

import json
import logging
from dataclasses import replace

import numpy as np

from chatbot import calibration
from chatbot.features import QUESTION_FEATURES, SENTENCE_FEATURES
from index.embed import E5_MODEL_ID


def test_the_default_model_has_fitted_coefficients_for_todays_features():
    cal = calibration.load(E5_MODEL_ID)
    assert {"zh", "en"} <= set(cal.judges), "refit with scripts/fit_confidence.py"
    assert cal.ranker.names == SENTENCE_FEATURES
    assert all(j.names == QUESTION_FEATURES for j in cal.judges.values())
    assert {"zh", "en"} <= set(cal.high) and "fit_confidence" in cal.fitted_on
    assert all(0.0 <= cal.floor <= h <= 1.0 for h in cal.high.values())


def test_labels_follow_the_thresholds_of_each_language():
    cal = calibration.load(E5_MODEL_ID)
    for lang, high in cal.high.items():
        assert cal.label(high, lang) == "high"
        assert cal.label((high + cal.floor) / 2, lang) == "low"
        assert cal.label(cal.floor - 1e-6, lang) == "none"
    assert cal.label(1.0, "fr>zh") == "low"  # a pair without a threshold is never high


def test_a_model_without_coefficients_is_never_high_and_says_so_once(caplog):
    with caplog.at_level(logging.WARNING):
        cal = calibration.load("some-model-nobody-fitted")
        calibration.load("some-model-nobody-fitted")
    assert not cal.judges and cal.label(1.0, "zh") == cal.label(1.0, "en") == "low"
    assert caplog.text.count("no fitted confidence") == 1
    rows = np.zeros((3, len(SENTENCE_FEATURES)), np.float32)
    rows[1, SENTENCE_FEATURES.index("cov")] = 1.0
    assert int(np.argmax(cal.ranker.score(rows))) == 1  # the hand ranker still ranks


def test_coefficients_for_other_features_are_refused(tmp_path, monkeypatch, caplog):
    good = json.loads(calibration.path_for(E5_MODEL_ID).read_text("utf-8"))
    good["judges"]["zh"]["names"] = ["cos", "something-else"]
    monkeypatch.setattr(calibration, "FOLDER", tmp_path)
    calibration.path_for("stale-model").write_text(json.dumps(good), "utf-8")
    with caplog.at_level(logging.WARNING):
        cal = calibration.load("stale-model")
    assert not cal.judges and "differ from the code" in caplog.text
    assert cal.probability(np.zeros(len(QUESTION_FEATURES)), "zh") == 0.0


def test_the_default_model_has_a_picker_that_chooses_the_quote():
    cal = calibration.load(E5_MODEL_ID)
    assert cal.picker is not None and cal.picker.names == SENTENCE_FEATURES
    assert cal.picker.feature.max() < 3 * len(SENTENCE_FEATURES)  # features read three ways
    rng = np.random.default_rng(0)
    rows = rng.normal(size=(7, len(SENTENCE_FEATURES))).astype(np.float32)
    scores = cal.choose(rows)
    assert scores.shape == (7,) and np.isfinite(scores).all()
    assert cal.choose(rows[[3]]).shape == (1,)  # one candidate: still a score


def test_a_stale_picker_is_refused_like_stale_coefficients(tmp_path, monkeypatch, caplog):
    good = json.loads(calibration.path_for(E5_MODEL_ID).read_text("utf-8"))
    good["picker"]["names"] = ["cos"]
    monkeypatch.setattr(calibration, "FOLDER", tmp_path)
    calibration.path_for("stale-picker").write_text(json.dumps(good), "utf-8")
    with caplog.at_level(logging.WARNING):
        cal = calibration.load("stale-picker")
    assert cal.picker is None and not cal.judges and "differ from the code" in caplog.text


def test_a_calibration_without_a_picker_quotes_by_the_ranker(tmp_path, monkeypatch):
    good = json.loads(calibration.path_for(E5_MODEL_ID).read_text("utf-8"))
    del good["picker"]
    monkeypatch.setattr(calibration, "FOLDER", tmp_path)
    calibration.path_for("linear-only").write_text(json.dumps(good), "utf-8")
    cal = calibration.load("linear-only")
    rows = np.random.default_rng(1).normal(size=(5, len(SENTENCE_FEATURES)))
    assert cal.picker is None and {"zh", "en"} <= set(cal.judges)
    assert np.array_equal(cal.choose(rows), cal.ranker.score(rows))


def test_a_non_chinese_question_none_of_whose_words_the_notes_hold_has_probability_zero():
    cal = calibration.load(E5_MODEL_ID)
    known = QUESTION_FEATURES.index("known")
    row = np.array(cal.judges["zh"].mean, np.float64)  # an average question
    assert cal.probability(row, "zh") > 0.0
    row[known] = 0.0
    assert cal.probability(row, "en") == 0.0
    assert cal.label(cal.probability(row, "en"), "en") == "none"
    assert cal.probability(row, "zh") > 0.0  # "书" may hide in "奥义书": the judge decides


def test_a_pair_the_fit_never_saw_is_low_unless_no_word_of_the_question_is_known():
    # a Chinese question on English notes: its probability was never calibrated, so it
    # neither earns "high" nor, while its words (or their translations) are in the notes, "none"
    fitted = calibration.load(E5_MODEL_ID)
    cal = replace(fitted, high={k: v for k, v in fitted.high.items() if k != "zh>en"})
    assert cal.label(0.0, "zh>en", known=0.4) == "low"
    assert cal.label(1.0, "zh>en", known=0.4) == "low"
    assert cal.label(0.5, "zh>en", known=0.0) == "none"
    assert cal.label(0.0, "zh", known=0.4) == "none"  # a fitted pair keeps its floor
