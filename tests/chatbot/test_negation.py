"""A question that negates and a sentence that does not (chatbot.negation), as features."""

from __future__ import annotations

import numpy as np
import pytest

from chatbot.features import QUESTION_FEATURES, SENTENCE_FEATURES, Analysis, question_row
from chatbot.negation import negated_alone


@pytest.mark.parametrize(
    ("question", "sentence", "expected"),
    [
        ("What did the Normans not conquer?", "The Normans conquered England in 1066.", True),
        ("Who never signed the treaty?", "France and Spain signed the treaty.", True),
        ("What can't the parliament change?", "The parliament can change income tax.", True),
        ("Which tasks have no owner yet?", "- [ ] Book the skip-level with Marcus", True),
        # the sentence negates too, in any of the ways
        ("What did the Normans not conquer?", "They did not conquer Scotland.", False),
        ("What couldn't he finish?", "He never finished the tower.", False),
        ("Who left without a word?", "Sam left without saying goodbye.", False),
        # no negation asked; "note", "know", "nothing" as a part of a word are none
        ("What did I note about the knot?", "I know the knot holds.", False),
        ("Where is Notre-Dame?", "Notre-Dame is in Paris.", False),
    ],
)
def test_negated_alone(question, sentence, expected):
    assert negated_alone(question, sentence) is expected


def test_the_judge_reads_the_chosen_sentences_own():
    """The question's row carries the chosen sentence's negation and number features."""
    s = {n: i for i, n in enumerate(SENTENCE_FEATURES)}
    rows = np.zeros((2, len(SENTENCE_FEATURES)), np.float32)
    rows[:, s["inv_rank"]] = (1.0, 0.5)
    rows[1, s["negated"]] = 1.0
    rows[1, s["other_number"]] = 1.0
    a = Analysis([], rows, rows[:, s["cos"]], 0.5, False, None, 3, 0.8, "en")
    q = {n: i for i, n in enumerate(QUESTION_FEATURES)}
    first, second = (question_row(a, np.array([1.0, 0.5], np.float32), b) for b in (0, 1))
    assert first[q["top_negated"]] == 0.0 and first[q["top_other_number"]] == 0.0
    assert second[q["top_negated"]] == 1.0 and second[q["top_other_number"]] == 1.0
