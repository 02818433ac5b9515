"""The months and years a text names, and a quote whose time contradicts the question's.

"二月底的时候基金定投的市值是多少？" is not answered by "截至 3 月底累计投入 14,000":
the sentence names a month, and not the one asked about. Notes keep such
near-misses side by side (a journal's months, a budget's quarters, a report's
years), and every other clue says the sentence answers. So a quote that names
months (or years) of its own, none of them the question's, is not `high`.

Read: Arabic months before 月 ("3 月", "2月底"; "3 个月" is a span), Chinese
numeral months ("二月", "十二月"), English month names (May and March only
capitalised, abbreviations only before a day or after one: "Feb 12", "12 Feb"),
ISO dates ("2024-02-28", "2024-02"); years of 1900–2099 before 年 or on their own.
Left out: seasons, quarters, weekdays, relative times ("上个月", "last year").
"""

from __future__ import annotations

import re

from index.dates import MONTHS, WORDS_TOO
from index.hans import simplified

from .answer_type import asked_type

_FULL = [m for m in MONTHS if len(m) > 3 and m != "sept" or m == "may"]  # january … december
_ABBR = [m for m in MONTHS if m not in _FULL]  # jan, sept, sep …
_ZH_NUM = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_ZH_NUM |= {"十": 10, "十一": 11, "十二": 12}

_ZH_MONTH = re.compile(r"(?<![\d.])(1[0-2]|0?[1-9])\s*月(?!亮|球|光|饼)")
_ZH_WORD_MONTH = re.compile(
    r"(?<![一二三四五六七八九十两几每上下这本前后个])(十[一二]?|[一二三四五六七八九])月(?!亮|球|光|饼)"
)
_EN_FULL = re.compile(r"\b(" + "|".join(_FULL) + r")\b", re.I)
_EN_ABBR = re.compile(
    r"\b("
    + "|".join(a.title() for a in _ABBR)
    + r")\.?(?=\s*\d)|(?<=\d)\s+("
    + "|".join(a.title() for a in _ABBR)
    + r")\b"
)
_ISO = re.compile(r"(?<!\d)((?:19|20)\d\d)[-/.](1[0-2]|0?[1-9])(?![\d])")
_YEAR = re.compile(r"(?<![\d.,])((?:19|20)\d\d)(?![\d.,]?\d)(?!\s*(?:年代|s\b))")


def months(text: str) -> frozenset[int]:
    """The months `text` names (1–12).

    >>> sorted(months("截至 3 月底累计投入"))
    [3]
    >>> sorted(months("二月底的市值")), sorted(months("每月 8 日定投，坚持了三个月"))
    ([2], [])
    >>> sorted(months("We may ship in March, or on Feb 12; the 2024-06 review"))
    [2, 3, 6]
    """
    text = simplified(text)
    out = {int(m) for m in _ZH_MONTH.findall(text)}
    out |= {_ZH_NUM[m] for m in _ZH_WORD_MONTH.findall(text)}
    for m in _EN_FULL.finditer(text):
        word = m.group(1)
        if word.lower() in WORDS_TOO and not word[0].isupper():
            continue  # "may", "march": words of their own unless written as a month
        out.add(MONTHS[word.lower()])
    for m in _EN_ABBR.finditer(text):
        out.add(MONTHS[(m.group(1) or m.group(2)).lower()])
    out |= {int(m) for _, m in _ISO.findall(text)}
    return frozenset(out)


def years(text: str) -> frozenset[int]:
    """The years (1900–2099) `text` names.

    >>> sorted(years("2019年营收 1,200 万元，2020 年翻倍"))
    [2019, 2020]
    >>> sorted(years("in the 1990s, 2,019 people"))
    []
    """
    return frozenset(int(y) for y in _YEAR.findall(text))


def contradicts(question: str, quote: str, context: str = "") -> bool:
    """Does `quote` name months (or years) of its own and none the question names?

    The times of its `context` (its heading path) are its own too: "本届总决赛…继1987年以后"
    under "2008年NBA总决赛" is about 2008. Not when the question asks for a date: then
    another time is the answer.

    >>> contradicts("二月底的时候基金定投的市值是多少？", "截至 3 月底累计投入 14,000 元")
    True
    >>> contradicts("二月底的市值是多少？", "2 月底市值 13,520 元，3 月底 14,100 元")
    False
    >>> contradicts("2008年总决赛为什么被誉为梦幻对决？", "本届是继1987年以后…", "2008年NBA总决赛")
    False
    >>> contradicts("二月份下单的货什么时候到的？", "3 月 5 日到货")
    False
    >>> contradicts("What was revenue in 2019?", "Revenue rose to $3m.")
    False
    """
    if asked_type(question) == "date":
        return False
    for read in (months, years):
        asked = read(question)
        if asked:
            said = read(quote)
            if said and not asked & (said | read(context)):
                return True
    return False
