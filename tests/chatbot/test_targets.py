"""A target's number is not `high` for a question about what came of it (chatbot.targets)."""

from __future__ import annotations

import pytest

from chatbot.targets import quotes_a_target


@pytest.mark.parametrize(
    ("question", "quote", "expected"),
    [
        ("体重降到了多少公斤？", "目标：12 月底前减到 75kg，体脂率 20% 以下。", True),
        ("每个月存了多少钱？", "計劃每月存 2,000 元。", True),
        ("How much did we save each month?", "Our goal is to save 500 EUR a month.", True),
        ("How many users signed up?", "We expected to sign up 2,000 users.", True),
        # the question asks for the plan
        ("体重的目标是多少公斤？", "目标：12 月底前减到 75kg。", False),
        ("How many users did we plan to sign up?", "We planned to sign up 2,000 users.", False),
        # "目标" as a thing counted, after the number: no plan
        ("搜索雷达能同时追踪多少个目标？", "有效距离30km，可同时追踪20个目标。", False),
        ("搜索雷达的有效距离是多少？", "有效距离30km，可同时追踪20个目标，距离精度±30m。", False),
        # a result beside no plan word
        ("P95 降到了多少？", "P95 从 320ms 降到 185ms。", False),
        # not a question for a number
        ("谁定的目标？", "目标是王经理定的，降到 200ms。", False),
    ],
)
def test_quotes_a_target(question, quote, expected):
    assert quotes_a_target(question, quote) is expected


@pytest.mark.slow
def test_the_engine_lowers_a_target_quoted_for_a_result(study_vault_engine):
    """The target's sentence is `high` when the plan is asked for, `low` for the result."""
    plan = study_vault_engine.ask("订单查询 API 的 P95 latency 目标是降到多少？")
    result = study_vault_engine.ask("订单查询 API 的 P95 latency 优化后降到多少？")
    assert plan.confidence == "high"
    assert "目標降到 200ms" in plan.citations[0].quote
    assert result.citations and result.citations[0].quote == plan.citations[0].quote
    assert result.confidence == "low"
