"""A question that negates, and a sentence that does not.

"What did oil price increases not force GM, Ford and Chrysler to do?" is not answered by
"…forced General Motors, Ford and Chrysler to introduce smaller…": the sentence shares
every word the question has but its "not". SQuAD 2.0 makes many of its on-topic
unanswerable questions so. Of the fitting records' English questions, the chosen
sentence lacked the question's negation for 348 adversarial questions and 12 right
answers (docs/results.md, stop 39), so the judge and the picker read it as a feature
(chatbot.features). English only: Chinese 不, 没, 未, 无 sit inside words of no negation
("不同", "未来", "无论"), and CMRC has no unanswerable questions to fit it on.
"""

from __future__ import annotations

import re

_NEGATION = re.compile(
    r"\b(?:not|never|no|none|nobody|nothing|neither|nor|without|cannot)\b|n't\b", re.I
)


def negated_alone(question: str, sentence: str) -> bool:
    """Does the question negate and the sentence not?

    >>> negated_alone("What did Tesla not invent?", "Tesla invented the induction motor.")
    True
    >>> negated_alone("What wasn't Tesla able to finish?", "He could not finish the tower.")
    False
    >>> negated_alone("What did Tesla invent?", "He never finished the tower.")
    False
    """
    return bool(_NEGATION.search(question)) and not _NEGATION.search(sentence)
