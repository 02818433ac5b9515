"""Definition questions: the term asked about, and whether a sentence says what it is.

A *definition* ("什么是PGC？", "MaaS是什么意思？", "What is Dramatron?") is offered
by a sentence that says what its term is: the term followed by 是/指/即/（/：
("MaaS（Model as a Service…）", "Dramatron is a…") or named by it ("被称为PGC",
"known as …", "语言模型系统—Dramatron"); a sentence that only mentions the
term ("GPT-4还能够处理论文截图") offers none. For chatbot.answer_type.
"""

from __future__ import annotations

import re
from functools import lru_cache

from index.hans import simplified

# The term a definition question asks about, as group 1 (Simplified, as asked_type reads).
_DEFINES = [
    re.compile(
        r"^(?:请问|请|你知道)?(?:什么是|何谓|啥是)\s*[“\"「]?([^，,。？?”\"」]{1,24})[”\"」]?\s*[？?]?\s*$"
    ),
    re.compile(
        r"^\s*[“\"「]?([^，,。？?的”\"」]{1,24}?)[”\"」]?\s*(?:是什么(?:意思|东西)?|指(?:的是)?什么|是指什么"
        r"|是什么样的东西|的(?:定义|含义|意思)是什么)\s*[？?]?\s*$"
    ),
    re.compile(
        r"^\s*what (?:is|are|was|were) (?:an? |the )?(\w[\w.\- ]{0,30}?)\s*\??\s*$",
        re.I,
    ),
    re.compile(r"^\s*what (?:does|do) ([\w.\- ]{1,30}?) (?:mean|stand for)\s*\??\s*$", re.I),
    re.compile(r"^\s*(?:define|what is meant by) ([\w.\- ]{1,30}?)\s*\??\s*$", re.I),
]
# "What was the base called", "What was invented by Savery": these ask for something else.
_NOT_A_TERM = re.compile(
    r"\b(?:of|in|for|that|to|by|not|called|named|known|used|made|invented|considered)\b", re.I
)
# After the term: what says what it is. Before it: what names it.
_ZH_DEFINES_AFTER = re.compile(
    r"^[”\"」』）)]?\s*(?:，|,)?\s*(?:是|为|指|即|就是|也称|又称|又名|亦称|简称|（|\(|：|:)"
)
_ZH_DEFINES_BEFORE = re.compile(
    r"(?:称为|称作|叫做|叫作|名为|简称|即|就是|[^\W\d_]—{1,2})\s*[“\"「『]?$"
)
_EN_DEFINES_AFTER = re.compile(
    r"^[\"')]?\s*(?:,\s*(?:an?|the)\b|\(|:|\s+(?:is|are|was|were)\s+(?:an?|the|one)\b"
    r"|\s+(?:refers to|means|stands for)\b)",
    re.I,
)
_EN_DEFINES_BEFORE = re.compile(
    r"(?:called|known as|named|termed)\s+(?:an?\s+|the\s+)?[\"']?$", re.I
)


@lru_cache(maxsize=1024)  # asked once a candidate sentence
def asked_term(question: str) -> str | None:
    """The term a definition question asks about ("什么是PGC？" → "PGC").

    >>> asked_term("什么是PGC？"), asked_term("MaaS是什么意思？"), asked_term("What is Dramatron?")
    ('PGC', 'MaaS', 'Dramatron')
    >>> asked_term("百度的数字人平台叫什么名字？"), asked_term("What is Baidu's platform called?")
    (None, None)
    """
    for pattern in _DEFINES:
        if m := pattern.search(simplified(question)):
            term = m.group(1).strip()
            if len(term.split()) <= 3 and not _NOT_A_TERM.search(term):
                return term
    return None


def defines(question: str, text: str) -> bool:
    """Does `text` say what the question's term is?

    >>> defines("什么是MaaS？", "MaaS（Model as a Service，模型即服务）的产业结构")
    True
    >>> defines("什么是PGC？", "这种内容生产方式被称为PGC")
    True
    >>> defines("什么是GPT-4？", "GPT-4还能够处理论文截图")
    False
    >>> defines("What is Dramatron?", "Dramatron is a script-writing system.")
    True
    """
    term = asked_term(question)
    if not term:
        return False
    low, t = simplified(text).lower(), term.lower()
    at = low.find(t)
    while at >= 0:
        before, after = low[:at], low[at + len(t) :]
        if _ZH_DEFINES_AFTER.search(after) or _ZH_DEFINES_BEFORE.search(before):
            return True
        if _EN_DEFINES_AFTER.search(after) or _EN_DEFINES_BEFORE.search(before):
            return True
        at = low.find(t, at + 1)
    return False
