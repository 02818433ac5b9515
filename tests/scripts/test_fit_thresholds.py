"""The `high` thresholds read off held-out probabilities (scripts/fit_thresholds.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

_PATH = Path(__file__).resolve().parents[2] / "scripts" / "fit_thresholds.py"
_spec = importlib.util.spec_from_file_location("fit_thresholds", _PATH)
ft = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ft)


def _q(p: float, right: bool, kind: str = "answerable") -> dict:
    return {"p": p, "right": right, "kind": kind}


def test_high_starts_where_enough_answers_above_are_right():
    # 40 answers: right from 0.5 up, wrong below
    val = [_q(0.5 + i / 100, True) for i in range(30)] + [
        _q(0.4 - i / 100, False) for i in range(10)
    ]
    assert ft.high_threshold(val, 0.97, 0.02) == 0.5  # 30 of 31 would be 0.968
    assert ft.high_threshold(val[:10], 0.965, 0.02) == 1.0  # fewer than MIN_ANSWERS: never


def test_off_notes_questions_above_a_threshold_raise_it():
    val = [_q(0.5 + i / 100, True) for i in range(30)] + [_q(0.6, False, "off-notes")] * 2
    val += [_q(0.1, False, "off-notes")] * 8
    assert ft.high_threshold(val, 0.965, 0.02) > 0.6
