"""The shared questions asked in the other language (scripts/fit_translated.py, data/fit)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from chatbot import squad
from index.hans import language_of

ROOT = Path(__file__).resolve().parents[2]
_PATH = ROOT / "scripts" / "fit_translated.py"
_spec = importlib.util.spec_from_file_location("fit_translated", _PATH)
ft = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ft)
SHARED = ROOT.parent / "shared" / "eval"


def test_each_translation_names_a_shared_question_once_and_is_in_the_other_language():
    for stem, lang, n in (("cmrc2018-trial", "en", 501), ("squad2-dev", "zh", 400)):
        ids = {q.id for a in squad.load_articles(SHARED / f"{stem}.json") for q in a.questions}
        got = ft.translated(stem)
        assert len(got) == n and set(got) <= ids
        assert all(len(v) == 1 and v[0][0] == lang for v in got.values())
        assert all(language_of(v[0][1]) == lang for v in got.values())


def test_the_files_are_one_object_a_line_with_id_and_question_only():
    for path in sorted(ft.TRANSLATED.glob("*.jsonl")):
        for line in path.read_text("utf-8").splitlines():
            d = json.loads(line)
            assert set(d) == {"id", "question"} and d["question"].strip()


def test_a_translated_record_is_told_by_its_corpus():
    tr = ft.translated_record
    assert tr({"corpus": "cmrc2018-trial-en"}) and tr({"corpus": "squad2-dev-odd-zh"})
    assert not tr({"corpus": "cmrc2018-trial-odd"}) and not tr({"corpus": "squad2-dev"})
    assert not tr({"corpus": "seed"})
