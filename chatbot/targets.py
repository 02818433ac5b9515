"""A quote whose number is a target, when the question asks what happened.

Notes keep plans beside results: "P95 大约 320ms，目标降到 200ms 以内" above the line
that says it fell to 185ms, "Goal: save 500 a month" above what was saved. Asked
"降到多少？" or "How much did I save?", the target's sentence shares every word
with the question and holds a number, so every other clue says it answers. A
number a target word leads to ("目标", "计划", "预计", "target", "goal", "plan to",
"expected to" …, a few words before it) is the plan's; unless the question asks
for a plan in the same words, such a quote is not `high`.
"""

from __future__ import annotations

import re

from index.hans import simplified

from .answer_type import asked_type

_PLAN_ZH = r"目标|计划|预计|打算|争取|力争|预期|期望"
_PLAN_EN = (
    r"\b(?:targets?|goals?|aim(?:s|ed)? (?:to|at|for)|plan(?:s|ned)? to|expect(?:s|ed)? to"
    r"|hop(?:e|es|ed|ing) to|forecasts?|projected)\b"
)
_PLAN = re.compile(f"{_PLAN_ZH}|{_PLAN_EN}", re.I)
# the target word, then a few characters of the same clause (no comma), then the number
_TARGET_NUMBER = re.compile(
    rf"(?:{_PLAN_ZH})[^。；;！？!?，,\n\d]{{0,10}}\d|{_PLAN_EN}[^.;!?,\n\d]{{0,30}}\d", re.I
)
_KINDS = ("number", "money")


def quotes_a_target(question: str, quote: str) -> bool:
    """Does `quote` give a target's number to a question about what came of it?

    >>> plan = "P95 大约 320ms，目标降到 200ms 以内。"
    >>> quotes_a_target("订单查询 API 的 P95 优化后降到多少？", plan)
    True
    >>> quotes_a_target("P95 的目标是多少？", plan)
    False
    >>> quotes_a_target("搜索雷达能同时追踪多少个目标？", "有效距离30km，可同时追踪20个目标。")
    False
    >>> quotes_a_target("How much did we save each month?", "Our goal is to save 500 EUR a month.")
    True
    """
    if asked_type(question) not in _KINDS:
        return False
    question, quote = simplified(question), simplified(quote)
    return bool(_TARGET_NUMBER.search(quote)) and not _PLAN.search(question)
