"""How much of a question a sentence holds: words, character bigrams, runs of text.

All shares are of the *question's* words (or bigrams), so a long sentence is
not favoured for being long. Chinese is compared in character bigrams (jieba
splits a paraphrase differently from the note), other scripts in five-letter
stems ("founded" and "founding" meet); Traditional characters are compared
as Simplified, as the words are (index.hans). Leaves out: synonyms.
"""

from __future__ import annotations

import math
import re
from collections.abc import Container, Set
from difflib import SequenceMatcher

import numpy as np

from index.hans import simplified


def coverage(
    terms: list[str], text: str, idf: dict[str, float], words: Set[str] = frozenset()
) -> float:
    """IDF-weighted share of `terms` that occur in `text` (0…1).

    Given the text's `words` (its tokens, index.lexical.tokenize), a Latin term
    counts when it is one of them: a stem matches its word forms ("happi":
    "happy", "happier"), not every word that holds it ("unit" is not in
    "community"). A Chinese term counts wherever the text holds it, as jieba may
    cut the note's words otherwise.

    >>> round(coverage(["magic3d", "模型"], "Magic3D生成3D网格", {"magic3d": 3.0, "模型": 1.0}), 2)
    0.75
    >>> coverage(["happi", "unit"], "A happy community.", {}, {"happi", "communiti"})
    0.5
    """
    terms = list(dict.fromkeys(terms))
    total = sum(idf.get(t, 1.0) for t in terms)
    if not total:
        return 0.0
    low = simplified(text).lower()  # terms are Simplified (index.lexical.tokenize)
    if words:
        found = (t in words if _LATIN.fullmatch(t) else t in low for t in terms)
    else:
        found = (t in low for t in terms)
    return sum(idf.get(t, 1.0) for t, f in zip(terms, found, strict=True) if f) / total


_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_LATIN = re.compile(r"[a-z0-9]+")
_LATIN_STOP = frozenset(
    "the a an of to in on for is are was were be been what which who whom whose when where why "
    "how do does did can could should would will with by at as from that this these those it its "
    "and or not no about into than then there their they them".split()
)


def grams(text: str, only: Set[str] | None = None) -> set[str]:
    """Character bigrams of Chinese runs and 5-letter stems of other words; with `only`, the
    stems of just the words in it (a Chinese sentence's Latin words are names: one counts
    where the question writes it so, index.lexical.offered_terms).

    >>> sorted(grams("2007年人口 founded"))
    ['2007', 'found', '人口', '年人']
    >>> sorted(grams("视觉Transformer和Diffusion", only={"diffusion"}))
    ['diffu', '和', '视觉']
    """
    low = simplified(text).lower()
    out = set()
    for run in _CJK_RUN.findall(low):
        out.update(run[i : i + 2] for i in range(len(run) - 1)) if len(run) > 1 else out.add(run)
    latin = (w for w in _LATIN.findall(low) if w not in _LATIN_STOP)
    out.update(w[:5] for w in latin if only is None or w in only)
    return out


def _compact(text: str) -> str:
    return "".join(ch for ch in simplified(text).lower() if ch.isalnum())


def longest_run(question: str, text: str) -> float:
    """Longest piece of the question (letters and digits only) found in `text`, as a share.

    >>> round(longest_run("2007年，卡塞雷斯的人口有多少？", "2007年人口普查数据为91606人。"), 2)
    0.33
    """
    q, t = _compact(question), _compact(text)
    if not q or not t:
        return 0.0
    m = SequenceMatcher(None, q, t, autojunk=False).find_longest_match(0, len(q), 0, len(t))
    return m.size / len(q)


def local_coverage(question: set[str], found: list[set[str]]) -> np.ndarray:
    """Share of the question's grams in each candidate, weighted by rarity among them."""
    n = len(found)
    df: dict[str, int] = {}
    for g in found:
        for x in g:
            df[x] = df.get(x, 0) + 1
    weight = {x: math.log((n + 1) / (df.get(x, 0) + 0.5)) for x in question}
    # fsum: a set's order changes with the process's hash seed, and a plain sum's last bit
    # with it; two sentences holding the same grams must tie exactly, or a tie becomes a
    # gap of 1e-17 that a fitted tree can split on (a refit was not reproducible).
    total = math.fsum(weight.values()) or 1.0
    return np.array([math.fsum(weight[x] for x in g) / total for g in found])


def rare_terms(
    terms: list[str], idf: dict[str, float], known: Container[str] | None = None
) -> list[str]:
    """The question's rarest words the notes hold (`known`): within 80 % of their highest idf.

    A word the notes lack has the highest idf of all, yet no sentence holds it: counted, it
    would leave the rare-word share 0 for every candidate. All the words when none is known.

    >>> idf = {"data": 2.6, "fresh": 3.9, "settl": 5.5}
    >>> rare_terms(["data", "fresh", "settl"], idf, {"data", "fresh"}), rare_terms(["settl"], idf)
    (['fresh'], ['settl'])
    """
    terms = [t for t in terms if known is None or t in known] or terms
    if not terms:
        return []
    top = max(idf.get(t, 1.0) for t in terms)
    return [t for t in terms if idf.get(t, 1.0) >= 0.8 * top]
