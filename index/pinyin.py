"""The notes' Chinese words by their pinyin: "Ximalaya" → 喜马拉雅, "Haima Qingfan" → 海马轻帆.

English text names Chinese companies, products, people and places by their
romanisation, and no dictionary translates a name it does not know (海马轻帆 is
in none). Each word of two or more characters the notes use is read in
toneless pinyin: CC-CEDICT's reading of the word where it has one, else every
combination of its characters' readings (a few at most). A capitalised word of
an English question, or a run of them written together ("Haima Qingfan" →
"haimaqingfan"), finds the notes' words read that way. Not covered: other
romanisations (Wade–Giles "Taipei", Cantonese "Tencent"), tone marks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from itertools import islice, product

from .cedict import dictionary_lines

_CJK_WORD = re.compile(r"^[\u4e00-\u9fff]{2,8}$")
# "百度 [Bai3 du4]": the simplified form and its reading, from a CC-CEDICT line.
_ENTRY = re.compile(r"^\S+ (\S+) \[([^\]]*)\]")
_NAME = re.compile(r"\b[A-Z][a-z]+(?:'s)?\b")
MIN_LETTERS = 4  # "Baidu", "Haima"; shorter ones are common English words as often
MAX_READINGS = 8  # combinations of a word's characters' readings


def _toneless(reading: str) -> str:
    """'Xi3 ma3 la1 ya3' → 'ximalaya'; 'lu:4' → 'lv'.

    >>> _toneless("Xi3 ma3 la1 ya3"), _toneless("lu:4 se4")
    ('ximalaya', 'lvse')
    """
    return re.sub(r"[1-5\s]", "", reading.lower()).replace("u:", "v")


@lru_cache(maxsize=1)
def readings() -> tuple[dict[str, str], dict[str, str]]:
    """(character → its toneless readings, word → its toneless readings), space-separated,
    from CC-CEDICT (strings, not sets: +~25 MB for its 107k words)."""
    chars: dict[str, str] = {}
    words: dict[str, str] = {}
    for line in dictionary_lines():
        m = _ENTRY.match(line)
        if not m:
            continue
        form, reading = m.group(1), _toneless(m.group(2))
        if reading.isalpha():
            table = chars if len(form) == 1 else words
            if reading not in table.get(form, "").split():
                table[form] = f"{table[form]} {reading}" if form in table else reading
    return chars, words


def read_words(vocabulary: Iterable[str]) -> dict[str, list[str]]:
    """Toneless pinyin → the words of `vocabulary` (Chinese, 2–8 characters) read so."""
    chars, words = readings()
    out: dict[str, list[str]] = {}
    for w in vocabulary:
        if not _CJK_WORD.match(w):
            continue
        if w in words:
            found: Iterable[str] = words[w].split()
        elif all(c in chars for c in w):
            combos = product(*(chars[c].split() for c in w))
            found = ("".join(p) for p in islice(combos, MAX_READINGS))
        else:
            continue
        for r in found:
            out.setdefault(r, []).append(w)
    return out


def names(question: str) -> list[str]:
    """The question's capitalised words, lower-cased, and each run of them written together.

    >>> names("How widely has Haima Qingfan been adopted by TV stations?")
    ['haima', 'qingfan', 'haimaqingfan']
    """
    out: list[str] = []
    run: list[str] = []
    end = 0
    for m in _NAME.finditer(question):
        if question[end : m.start()].strip():  # another word between: a new run
            run = []
        end = m.end()
        run.append(m.group().removesuffix("'s").lower())
        out.append(run[-1])
        if len(run) > 1:
            out.append("".join(run))
    return [w for w in dict.fromkeys(out) if len(w) >= MIN_LETTERS]


def by_pinyin(question: str, read: dict[str, list[str]]) -> list[str]:
    """The notes' words (`read`: read_words of their vocabulary) that the question names."""
    return [w for name in names(question) for w in read.get(name, ())]
