"""Lexical side of retrieval: jieba tokens scored with BM25 (bm25s).

Tokens are jieba's search-mode words (long words and their parts, so "数字人平台"
also matches "数字"), lower-cased, with punctuation and a short list of
question words and particles removed; runs of Latin letters and digits stay
whole ("gpt-4" → "gpt", "4"). In English chunks a word of Latin letters alone
is cut to its Snowball stem (PyStemmer: "flights" and "flight", "founded" and
"founding" meet); in Chinese ones such words are mostly names and stay as
written, and a question is searched in both forms (`LexicalIndex.query_terms`).
Leaves out: synonyms (index.synonyms adds the notes' own).
"""

from __future__ import annotations

import logging
import math
import re
import threading
from collections import Counter
from functools import lru_cache

import numpy as np

from .hans import simplified

_WORD = re.compile(r"[\w\u4e00-\u9fff]", re.U)
# Function words that say how a question is asked, not what it is about.
STOPWORDS = frozenset(
    """的 了 是 在 和 与 及 或 吗 呢 吧 啊 呀 么 什么 哪些 哪个 哪 怎么 怎样 如何 为什么 多少
    几 是否 有没有 能不能 可以 能 会 要 把 被 让 给 对 从 到 由 这 那 这个 那个 这些 那些 其 之
    也 都 就 还 又 而 并 但 等 一个 一种 我 你 他 她 它 我们 你们 他们 有 没有 不 请 问 叫
    意思 名字 怎么样 怎么办 哪家 哪里 哪儿 多久 多长 时候 什么样 有何 个 能否 是不是 为何 何时
    吗？ 呢？ 哪位 哪年 几个 多大 怎么回事
    the a an of to in on for is are was were be been what which who whom whose when where why how
    do does did can could should would will with by at as from that this these those it its and
    or not no yes about into than then there their they them you your i me my we our""".split()
)

_lock = threading.Lock()
_ready = False
_LETTERS = re.compile(r"[a-z]+")
_stem_lock = threading.Lock()


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """The Snowball stem of a lower-case word of Latin letters; any other token as it is.

    >>> [stem(w) for w in ("flights", "landed", "founding", "gpt", "magic3d", "数字")]
    ['flight', 'land', 'found', 'gpt', 'magic3d', '数字']
    """
    if not _LETTERS.fullmatch(word):
        return word
    with _stem_lock:  # a Stemmer object is not thread-safe
        return _stemmer().stemWord(word)


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


def _jieba():
    global _ready
    import jieba

    with _lock:
        if not _ready:
            jieba.setLogLevel(logging.WARNING)
            jieba.initialize()
            _ready = True
    return jieba


def words(text: str) -> list[str]:
    """Search-mode jieba tokens without stopwords or punctuation, as written (lower case).

    >>> words("百度的数字人平台叫什么名字？")
    ['百度', '数字', '人', '平台']
    >>> words("百度的數字人平臺叫什麼名字？")  # Traditional: the same words
    ['百度', '数字', '人', '平台']
    >>> words("When does the flight land?")
    ['flight', 'land']
    """
    jieba = _jieba()
    out = []
    for tok in jieba.cut_for_search(simplified(text).lower()):
        tok = tok.strip()
        if tok and _WORD.search(tok) and tok not in STOPWORDS:
            out.append(tok)
    return out


def tokenize(text: str) -> list[str]:
    """`words` with English words as their stems: the form the overlap features, idf and
    the known-words share compare in.

    >>> tokenize("The flights landed at Kansai")
    ['flight', 'land', 'kansai']
    """
    return [stem(w) for w in words(text)]


def index_terms(text: str, english: bool) -> list[str]:
    """A chunk's BM25 terms: stems in an English chunk, its words as written in any other.

    The Latin words of Chinese text are mostly names ("Transformer", "Diffusion"): as stems
    they would meet other words ("transformation"). A question is searched in both forms
    (`LexicalIndex.query_terms`).

    >>> index_terms("Transformer模型", False), index_terms("Transformers rock", True)
    (['transformer', '模型'], ['transform', 'rock'])
    """
    return tokenize(text) if english else words(text)


def offered_terms(text: str, english: bool, asked: set[str]) -> set[str]:
    """A sentence's words in the form the overlap features compare with a question's stems.

    An English sentence's as stems. In any other, a Latin word (mostly a name)
    as its stem only where the question writes it so (`asked`: its `words`),
    else as written: "transformation" (stem "transform") does not meet
    "Transformer" in Chinese text, "Diffusion" meets "Diffusion".

    >>> sorted(offered_terms("视觉Transformer模型", False, {"transformation"}))
    ['transformer', '模型', '视觉']
    >>> sorted(offered_terms("Diffusion模型", False, {"diffusion"}))
    ['diffus', '模型']
    """
    ws = words(text)
    if english:
        return {stem(w) for w in ws}
    return {stem(w) if w in asked else w for w in ws}


class LexicalIndex:
    """BM25 over pre-tokenised chunks; scores for every chunk at once."""

    def __init__(self, corpus_tokens: list[list[str]], stemmed: list[bool] | None = None) -> None:
        """`stemmed[i]`: chunk i's tokens are stems already (an English chunk's, see
        `index_terms`); a stem stemmed again may change ("represents" → "repres" → "repr")."""
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)  # it sets DEBUG on import
        self.size = len(corpus_tokens)
        self.df: Counter[str] = Counter(t for toks in corpus_tokens for t in set(toks))
        stemmed = stemmed or [False] * self.size
        # Words written otherwise than their stems in chunks not stemmed ("diffusion" in
        # Chinese text): a question's word is searched as written too where they are.
        self.unstemmed: frozenset[str] = frozenset(
            t
            for toks, done in zip(corpus_tokens, stemmed, strict=True)
            if not done
            for t in toks
            if stem(t) != t
        )
        # In the form `tokenize` gives, for idf and the known share: any chunk's word as a stem.
        self.stem_df: Counter[str] = Counter(
            f
            for toks, done in zip(corpus_tokens, stemmed, strict=True)
            for f in (set(toks) if done else {stem(t) for t in toks})
        )
        # English chunks' stems (what a Chinese question's English glosses may meet), and the
        # languages of the chunks: "en" for stemmed ones, "zh" for the rest
        self.english_df: Counter[str] = Counter(
            t for toks, done in zip(corpus_tokens, stemmed, strict=True) if done for t in set(toks)
        )
        self.languages = frozenset("en" if done else "zh" for done in stemmed)
        self._bm25 = bm25s.BM25(k1=1.2, b=0.75)
        if self.size:
            # bm25s refuses an empty document; a placeholder token keeps rows aligned.
            docs = [toks or ["\x00"] for toks in corpus_tokens]
            self._bm25.index(docs, show_progress=False)

    def query_terms(self, query: str) -> list[str]:
        """The question's BM25 terms: each word's stem, which English chunks hold, and the
        word as written when chunks not stemmed hold it so; no chunk holds both forms,
        so no word counts twice, and English notes are searched by stems alone.

        >>> lex = LexicalIndex([["stable", "diffusion", "生成"], ["model", "run"]], [False, True])
        >>> lex.query_terms("Stable Diffusion models")
        ['stabl', 'stable', 'diffus', 'diffusion', 'model']
        """
        return list(
            dict.fromkeys(
                f for w in words(query) for f in (stem(w), w) if f == stem(w) or f in self.unstemmed
            )
        )

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        if not self.size:
            return np.zeros(0, np.float32)
        known = [t for t in query_tokens if t in self._bm25.vocab_dict]
        if not known:
            return np.zeros(self.size, np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)

    def idf(self, terms: list[str]) -> dict[str, float]:
        """BM25's idf of each term of `tokenize` (rare words weigh more)."""
        n, df = self.size, self.stem_df
        return {t: math.log(1 + (n - df.get(t, 0) + 0.5) / (df.get(t, 0) + 0.5)) for t in terms}

    def known_share(self, terms: list[str]) -> float:
        """IDF-weighted share of `terms` (of `tokenize`) that occur in the corpus (0…1)."""
        if not terms or not self.size:
            return 0.0
        idf = self.idf(terms)  # an unknown word has the highest idf
        total = sum(idf.values())
        return sum(v for t, v in idf.items() if t in self.stem_df) / total if total else 0.0
