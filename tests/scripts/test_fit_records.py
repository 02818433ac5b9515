"""The fitting records' cache and what a record says of a quote (scripts/fit_records.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

from chatbot.features import SENTENCE_FEATURES, Analysis

_PATH = Path(__file__).resolve().parents[2] / "scripts" / "fit_records.py"
_spec = importlib.util.spec_from_file_location("fit_records", _PATH)
fr = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fr)


def _record(q: str, labels: list[bool], joins: list, widths: list[int] | None = None) -> dict:
    rows = np.arange(len(labels) * len(SENTENCE_FEATURES), dtype=float)
    rows = rows.reshape(len(labels), -1)
    a = Analysis([], rows, rows[:, 0], 0.5, False, None, 3, 0.8, "zh")
    meta = {"corpus": "c", "kind": "answerable", "group": q, "q": q}
    widths = widths or [40] * len(labels)
    return (
        meta
        | {"rows": rows, "labels": np.array(labels), "analysis": a}
        | {
            "joins": joins,
            "widths": widths,
        }
    )


def test_joined_quotes_survive_the_cache(tmp_path):
    path = tmp_path / "records.npz"
    records = [
        _record("一？", [False, True, False], [(0, 1, True, 80), (1, 2, False, 90)], [40, 40, 50]),
        _record("二？", [False, False], []),
        _record("三？", [True, False], [(0, 1, True, 70)]),
    ]
    fr.save_records(records, path)
    back = fr.load_records(path)
    assert [r["joins"] for r in back] == [r["joins"] for r in records]
    assert [r["widths"] for r in back] == [[40, 40, 50], [40, 40], [40, 40]]
    assert [r["labels"].tolist() for r in back] == [r["labels"].tolist() for r in records]


def test_a_cache_from_before_joined_quotes_is_collected_again(tmp_path):
    path = tmp_path / "records.npz"
    fr.save_records([_record("一？", [True], [])], path)
    with np.load(path) as z:
        kept = {k: z[k] for k in z.files if k != "widths"}
    np.savez_compressed(path, **kept)
    assert fr.load_records(path) is None


def test_the_first_quote_is_right_when_a_sentence_beside_it_holds_the_answer():
    # 0 1 2 side by side; 1 holds the answer; 3 stands apart
    joins = [(0, 1, True, 80), (1, 2, True, 80), (0, 3, False, 80)]
    r = _record("q", [False, True, False, False], joins)
    assert fr.quoted_right(r, [1], np.array([0.0, 2.0, 0.0, 0.0]))  # right alone
    assert fr.quoted_right(r, [0], np.array([2.0, -5.0, 0.0, 0.0]))  # 1 beside it, however low
    assert fr.quoted_right(r, [2], np.array([0.0, 1.0, 2.0, 0.0]))
    assert not fr.quoted_right(r, [3], np.array([0.0, 1.0, 0.0, 2.0]))  # nothing beside 3 holds it


def test_a_neighbour_too_wide_to_join_leaves_the_quote_wrong():
    joins = [(0, 1, True, 300), (0, 2, False, 80)]
    r = _record("q", [False, True, False], joins, [40, 260, 40])
    assert not fr.quoted_right(r, [0], np.array([2.0, 1.0, 1.5]))  # 0 + 1: 300 columns
    assert fr.quoted_right(r, [0, 1], np.array([2.0, 1.8, 0.0]))  # picked too: joined anyway
