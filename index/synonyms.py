"""Chinese paraphrases in the notes' own words, by a thesaurus (for BM25 only).

A paraphrased question says 念书 where the note says 学习, 本子 where it says
剧本. Each word of a Chinese question that the notes never use is looked up in
哈工大同义词词林扩展版 (HIT IR Lab's Tongyici Cilin, extended: 77k words in
synonym groups), as bundled in the `WordSimilarity` package (Apache-2.0; no
download). The words of its groups that the notes do use join the query for
BM25. Words the notes use are never expanded, so a question in the notes' own
words searches as before, and only the search grows: the question's vector and
the overlap features keep the question's own words.

Only the lines marked "=" are read (true synonyms); "#" lines hold related
words (同类) and "@" lines a word alone.
"""

from __future__ import annotations

import threading
from functools import lru_cache

from .hans import language_of

_lock = threading.Lock()


@lru_cache(maxsize=1)
def _groups() -> dict[str, tuple[tuple[str, ...], ...]]:
    """Word → its synonym groups (ImportError without the package)."""
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        path = distribution("WordSimilarity").locate_file("data/cilin_ex.txt")
    except PackageNotFoundError as e:
        raise ImportError("the WordSimilarity package (Cilin) is not installed") from e
    out: dict[str, list[tuple[str, ...]]] = {}
    with open(path, encoding="utf-8") as f:  # "Hg08A01= 学习 念书 读书 …"
        for line in f:
            code, _, words = line.strip().partition(" ")
            if len(code) != 8 or code[-1] != "=":
                continue
            group = tuple(words.split())
            for w in group:
                out.setdefault(w, []).append(group)
    return {w: tuple(gs) for w, gs in out.items()}


def groups() -> dict[str, tuple[tuple[str, ...], ...]]:
    with _lock:  # read once, by one thread
        return _groups()


def synonyms_in_notes(terms: list[str], df) -> list[str]:
    """The notes' words (`df`: word → passages) that are synonyms of `terms` they lack."""
    table = groups()
    extra: list[str] = []
    for t in terms:
        if len(t) < 2 or df.get(t, 0):
            continue
        for group in table.get(t, ()):
            for w in group:
                if w != t and len(w) >= 2 and df.get(w, 0) and w not in extra:
                    extra.append(w)
    return extra


def expand(query: str, lexical) -> str:
    """`query` followed by the notes' synonyms of its Chinese words the notes lack
    (`lexical`: their LexicalIndex); an English query, or one without such words,
    as it is. Without the thesaurus package, as it is."""
    from .lexical import tokenize

    if language_of(query) != "zh":
        return query
    try:
        extra = synonyms_in_notes(tokenize(query), lexical.df)
    except ImportError:
        return query
    return f"{query} {' '.join(extra)}" if extra else query
