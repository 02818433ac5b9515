"""The worked examples in docstrings are tests too."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "index.notes",
    "index.decoding",
    "index.front_matter",
    "index.finding",
    "index.sections",
    "index.extract",
    "index.pdf_text",
    "index.html_text",
    "index.tags",
    "index.vault",
    "chatbot.links",
    "index.chunking",
    "index.tables",
    "index.lexical",
    "index.search",
    "chatbot.answer",
    "chatbot.uploads",
    "chatbot.cli",
    "chatbot.jsonl",
    "chatbot.engine",
    "chatbot.evaluate",
    "chatbot.answer_type",
    "chatbot.definitions",
    "chatbot.en_names",
    "chatbot.features",
    "chatbot.smalltalk",
    "chatbot.squad",
    "chatbot.calibration",
    "chatbot.trees",
    "chatbot.overlap",
    "chatbot.extent",
    "chatbot.beside",
    "index.hans",
    "index.casing",
    "chatbot.periods",
    "chatbot.targets",
    "chatbot.other_numbers",
    "chatbot.contacts",
    "chatbot.negation",
    "index.dates",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.failed == 0
