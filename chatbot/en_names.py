"""Proper names in English text, by their capitals (for chatbot.answer_type).

A capitalised word is a name unless it starts a sentence (where any word is
capitalised) or names a month or a weekday (a date, never a person, place or
organisation: "on 19 November" answers no "who"), or runs on into digits (a code or a
version: "SEV-3", "GPT-4", "A100" name no one), or is a currency's code ("1,640 EUR"
answers no "which hotel"). A sentence starts at the
text's start, after . ! ? and after the markup a note line opens with: list
bullets and numbers, quote marks, headings and emphasis ("- We move…",
"1. Tom writes…", "> **Note** …"). Leaves out: names that start a sentence
("Marco owns it." holds none), full named-entity recognition.
"""

from __future__ import annotations

import re

# A capitalised word of two letters or more, whole: not the head of a code ("SEV-" of "SEV-3").
_CAPITAL = re.compile(r"\b[A-Z][a-zA-Z'\-]*[a-zA-Z](?![\w\-])")
# A sentence's first word: after the text's start, a sentence's end or a line break, and any
# markup a note's line opens with (bullets, numbers, quote marks, headings, emphasis, brackets).
_SENTENCE_START = re.compile(
    r"(?:^|[.!?]\s+|\n)(?:[\s\-*+>#|(\[\"'“‘_]|\d+[.)]\s)*([A-Z][a-zA-Z'\-]+)"
)
_DATE_WORDS = frozenset(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec "
    "monday tuesday wednesday thursday friday saturday sunday".split()
)
_CURRENCIES = frozenset("usd eur gbp jpy cny rmb hkd twd chf cad aud sek nok dkk inr krw".split())


def names(text: str) -> set[str]:
    """The capitalised words of `text` that name someone or something, lower-cased.

    >>> sorted(names("- We move the release to **19 November**, says Priya."))
    ['priya']
    >>> sorted(names("It was built in 1889 by Gustave Eiffel."))
    ['eiffel', 'gustave']
    >>> sorted(names("Actually spent: 1,640 EUR, approved by Dana."))
    ['dana']
    """
    starts = {m.start(1) for m in _SENTENCE_START.finditer(text)}
    return {
        m.group(0).lower()
        for m in _CAPITAL.finditer(text)
        if m.start() not in starts and m.group(0).lower() not in _DATE_WORDS | _CURRENCIES
    }
