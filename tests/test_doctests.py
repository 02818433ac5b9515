"""The worked examples in docstrings are tests too."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "index.notes",
    "index.sections",
    "index.chunking",
    "index.lexical",
    "index.search",
    "chatbot.answer",
    "chatbot.uploads",
    "chatbot.engine",
    "chatbot.evaluate",
    "chatbot.answer_type",
    "chatbot.features",
    "chatbot.smalltalk",
    "chatbot.squad",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.failed == 0
