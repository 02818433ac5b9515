"""What kind of value a question asks for, and whether a sentence offers one.

Kinds: language, person, place, date, duration, money, number, organisation,
definition. A
sentence *offers* a value when it holds one of the asked kind that the question
itself does not already hold ("谷歌什么时候发布了MusicLM？" is answered by a
sentence with a date, not by one that only repeats "MusicLM"). Chinese values
come from jieba's part-of-speech tags (nr person, ns place, m numeral, t time);
English ones from capitalised words, numbers and date words. A sum of money
("多少钱", "how much did it cost") is an amount with its currency ("NT$1,080", "85
dollars", "1,000 元") or a bare number (a table's "3,200"), never a count of
something else ("一個小時", "3 customers", "185ms", "12 月"). An organisation
("哪家公司", "which company") is any proper name (jieba's nr/ns/nt/nz, a
capitalised Latin word) or a word ending as institutions do (公司, 大学,
电视台…). Leaves out: other "which X" (too open to type), and full named-entity
recognition.
A *definition* is offered by a sentence that says what its term is
(chatbot.definitions). Asked last, so "什么是X设立的年份" stays a date.
"""

from __future__ import annotations

import re
from functools import lru_cache

from index.hans import simplified

from .definitions import asked_term, defines
from .en_names import names

KINDS = (
    "language",
    "person",
    "place",
    "date",
    "duration",
    "money",
    "number",
    "organisation",
    "definition",
)

_ASKS = [
    (
        "language",
        re.compile(
            r"(?:哪|什么)(?:些|种|一种|个)?(?:语言|语种)|用什么语|\b(?:what|which) languages?\b"
            r"|\bin what language\b",
            re.I,
        ),
    ),
    (
        "duration",
        re.compile(r"多久|多长时间|多少时间|多少(?:秒|分钟|小时|天|年)|\bhow long\b", re.I),
    ),
    (
        "date",
        re.compile(
            r"什么时候|何时|哪一?年|哪天|几月|几号|哪个时期|哪个朝代|什么时间|年份"
            r"|\bwhen\b|\bwhat (?:year|date|decade|century|day|month|time period)\b"
            r"|\bwhich (?:year|century|decade)\b|\bin what year\b",
            re.I,
        ),
    ),
    (
        "money",
        re.compile(
            r"多少钱|多少元|多少块|什么价|价格|价钱|票价|多贵|(?:花|付|交|赚|挣|存|借|欠|退)了?多少(?![个份次天人件本篇张条位名小分秒年月周页])"
            r"|\bhow much\b(?=.*\b(?:costs?|price[sd]?|paid|pay|spend|spent|charged?|fees?|rent"
            r"|salary|budget|deposit|tickets?|dollars|euros|money|worth)\b)"
            r"|\bwhat (?:price|fee)\b",
            re.I,
        ),
    ),
    (
        "number",
        re.compile(
            r"多少|几[个位种次项家款名部台座条倍岁人]|多大|多高|多重|多远|多深|多长|第几"
            r"|\bhow (?:many|much|large|big|old|tall|high|far|deep|long is)\b"
            r"|\bwhat (?:percentage|percent|number|amount|size)\b",
            re.I,
        ),
    ),
    (
        "organisation",
        re.compile(
            r"(?:哪|什么)(?:一|几)?[家个所支]?(?:公司|企业|集团|机构|组织|团体|大学|学校|学院|银行"
            r"|厂商|厂家|服务商|供应商|品牌|媒体|电视台|出版社|球队|乐队|团队|单位|部门)|哪家"
            r"|\b(?:which|what) (?:company|companies|firm|organi[sz]ation|institution|university"
            r"|college|school|team|club|band|agency|corporation|network|publisher|vendor"
            r"|provider|supplier|brand|bank|airline|shop)\b",
            re.I,
        ),
    ),
    ("person", re.compile(r"谁|哪位|什么人|\bwho(?:m|se)?\b", re.I)),
    (
        "place",
        re.compile(
            r"哪里|哪儿|什么地方|哪(?:个|些|一个)?(?:国家|城市|省份?|地区|地方|国|州|县|市)"
            r"|在哪|何处|何地|分布|(?:哪|什么)(?:个|家|间)?(?:酒店|宾馆|旅馆|民宿|饭店|餐厅|医院|机场|车站|博物馆)"
            r"|\bwhere\b|\b(?:what|which) (?:country|city|state|region|place|hotel|hostel"
            r"|restaurant|caf[eé]|venue|airport|hospital|museum|neighbou?rhood|district)\b",
            re.I,
        ),
    ),
]

_CJK = re.compile(r"[\u3400-\u9fff]")
_EN_NUMBER = re.compile(
    r"\b\d[\d,.]*\b|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"twenty|thirty|forty|fifty|hundred|thousand|million|billion|dozen)s?\b",
    re.I,
)
# Years, centuries, months (May and March only capitalised: also words of their own), and the
# times notes keep: weekdays, clock times ("10:00", "6 pm"), quarters, "tomorrow", seasons.
_EN_DATE = re.compile(
    r"\b1\d{3}s?\b|\b20\d{2}s?\b|\b\d{1,2}(?:st|nd|rd|th) century\b|\b(?:january|february|"
    r"april|june|july|august|september|october|november|december)\b|\bcentur(?:y|ies)\b"
    r"|\b(?-i:May|March)\b|\b(?:jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\.?\s+\d{1,2}\b"
    r"|\b(?:mon|tues|wednes|thurs|fri|satur|sun)days?\b|\b(?:[01]?\d|2[0-3]):[0-5]\d\b"
    r"|\b(?:1[0-2]|0?[1-9])(?::[0-5]\d)?\s?(?:am|pm|a\.m\.|p\.m\.)(?!\w)|\bq[1-4]\b"
    r"|\b(?:today|tomorrow|yesterday|tonight|noon|midnight|spring|summer|autumn|winter)\b",
    re.I,
)
_EN_DURATION = re.compile(
    r"\b(?:\d[\d,.]*|a|an|one|two|three|four|five|six|seven|eight|nine|ten|several|many|few)"
    r"[\s-]+(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?|centuries)\b",
    re.I,
)
_ZH_DURATION = re.compile(
    r"(?:\d+|[一二两三四五六七八九十百千几数半]+)\s*(?:秒|分钟|小时|天|周|星期|个月|年|世纪)"
)
_CURRENCY = (
    r"元|块|圆|美元|美金|欧元|日元|英镑|港币|港元|台币|新台币|人民币|rmb|usd|eur|gbp|jpy|twd"
    r"|dollars?|euros?|yen|pounds?|bucks"
)
_MONEY = re.compile(
    r"(?:NT\$|US\$|HK\$|[$€£¥￥])\s?\d[\d,.]*(?:\s?(?:million|billion|[kK]\b|万|亿))?"
    rf"|\d[\d,.]*\s?(?:万|千|亿|million|billion)?\s?(?:{_CURRENCY})(?![a-z])"
    rf"|[一二两三四五六七八九十百千万亿]+\s?(?:{_CURRENCY})"
    # a bare number, not one of something else (a unit, a word, a year, a date's or a time's part)
    r"|(?<![\w.$€£¥￥\-/:])(?!(?:1[5-9]|20)\d\d\b)\d[\d,]*(?:\.\d+)?"
    r"(?![\d,]|\.\d|[-/:]\d|[a-zA-Z%]|\s*%|\s*(?![每一左上多整起])[\u3400-\u9fff]"
    r"|\s+(?!(?:a|an|per|each|every|for|in|on|at|and|or|to|from|is|was|total|plus|net|gross"
    r"|with|after|before|incl\w*)\b)[a-zA-Z])",
    re.I,
)
_ZH_DATE = re.compile(r"\d{2,4}\s*年|\d{1,2}\s*月|\d{1,2}\s*日|[一二三四五六七八九十]+世纪")
_LANGUAGES = re.compile(
    r"(?:英|汉|中|日|韩|法|德|俄|西班牙|葡萄牙|意大利|阿拉伯|粤|闽南|藏|蒙古|维吾尔|拉丁|希腊|印地|泰"
    r"|越南|马来|印尼|荷兰|瑞典|土耳其|波斯|希伯来|梵)(?:语|文)|普通话|多语言|多种语言"
    r"|\b(?:English|Chinese|Mandarin|Cantonese|French|German|Spanish|Japanese|Korean|Russian"
    r"|Arabic|Portuguese|Italian|Hindi|Latin|Greek|Dutch|Swedish|Turkish|Persian|Hebrew"
    r"|multilingual)\b"
)
_ZH_TAGS = {"person": "nr", "place": "ns", "date": "t", "number": "m"}  # jieba POS prefixes
_ZH_NAMES = ("nr", "ns", "nt", "nz", "eng")  # an organisation is named by any of these
_ZH_INSTITUTION = re.compile(
    r"(?:公司|集团|企业|银行|大学|学院|学校|中学|研究院|研究所|实验室|电视台|出版社|基金会|协会"
    r"|委员会|俱乐部|球队|乐队|科技|网络|传媒|工作室)$"
)
_ZH_NUMERALS = "一二两三四五六七八九十百千万亿"


def asked_type(question: str) -> str | None:
    """The kind of value asked for, if the question says.

    >>> asked_type("谷歌什么时候发布了MusicLM？"), asked_type("How many people live there?")
    ('date', 'number')
    >>> asked_type("What is UGC?"), asked_type("What did the report find?") is None
    ('definition', True)
    """
    question = simplified(question)
    for kind, pattern in _ASKS:
        if pattern.search(question):
            return kind
    return "definition" if asked_term(question) else None


@lru_cache(maxsize=8192)
def _zh_tags(text: str) -> tuple[tuple[str, str], ...]:
    import jieba.posseg

    from index.lexical import _jieba

    _jieba()  # initialised once, quietly
    # jieba's dictionary and tags are Simplified; Traditional text is tagged as such.
    return tuple((w.word, w.flag) for w in jieba.posseg.cut(simplified(text)))


def values(text: str, kind: str) -> set[str]:
    """The values of `kind` that `text` holds (lower-cased).

    >>> sorted(values("Magic3D能够在40分钟内生成3D网格模型", "duration"))
    ['40分钟']
    >>> sorted(values("It was built in 1889 by Gustave Eiffel.", "date"))
    ['1889']
    """
    found: set[str] = set()
    if kind == "language":
        return {m.group(0).lower() for m in _LANGUAGES.finditer(simplified(text))}
    if kind == "money":
        return {m.group(0).lower() for m in _MONEY.finditer(text)}
    if kind == "duration":
        found |= {m.group(0) for m in _ZH_DURATION.finditer(text)}
        found |= {m.group(0).lower() for m in _EN_DURATION.finditer(text)}
        return found
    if kind == "date":
        found |= {m.group(0) for m in _ZH_DATE.finditer(text)}
        found |= {m.group(0).lower() for m in _EN_DATE.finditer(text)}
    if kind == "number":
        found |= {m.group(0).lower() for m in _EN_NUMBER.finditer(text)}
    if _CJK.search(text):
        found |= {w for w, flag in _zh_tags(text) if _zh_value(w, flag, kind)}
    elif kind in ("person", "place", "organisation"):
        found |= names(text)
    return found


def _zh_value(word: str, flag: str, kind: str) -> bool:
    """A jieba word of the asked kind: tagged so and longer than one character, or a numeral."""
    if kind == "organisation":
        if flag == "eng":
            return word[:1].isupper()
        return len(word) > 1 and (flag.startswith(_ZH_NAMES) or bool(_ZH_INSTITUTION.search(word)))
    if flag.startswith(_ZH_TAGS[kind]) and len(word) > 1:
        return True
    return kind == "number" and flag == "m" and any(c.isdigit() or c in _ZH_NUMERALS for c in word)


def offers(question: str, text: str, kind: str | None = None) -> bool:
    """Does `text` hold a value of the asked kind that the question does not?

    >>> offers("它生成一个模型要多久？", "Magic3D能够在40分钟内生成3D网格模型")
    True
    >>> offers("GPT-4有多少个参数？", "GPT-4只用了2秒左右的时间")
    True
    >>> offers("When was the tower built?", "The tower is in Paris.")
    False
    """
    kind = kind or asked_type(question)
    if kind is None:
        return True
    if kind == "definition":
        return defines(question, text)
    mine = values(question, kind)
    q_low = simplified(question).lower()
    return any(v not in mine and v.lower() not in q_low for v in values(text, kind))


NAMED_KINDS = ("person", "place", "organisation")


def names_none(question: str, quote: str) -> bool:
    """An English question asking who, where or which company, quoting English text that
    names none but the question's own: that quote cannot be the answer.

    English names are capitalised, so their absence is sure; jieba misses Chinese names
    often enough that a Chinese quote without one is still right (docs/results.md, stop 37).

    >>> names_none("Who was incident commander in January?", "It is not related to January.")
    True
    >>> names_none("Who was incident commander?", "Aiko Tanaka was incident commander.")
    False
    >>> names_none("谁是事故指挥？", "这次没有指挥。")
    False
    """
    if _CJK.search(question) or _CJK.search(quote) or asked_type(question) not in NAMED_KINDS:
        return False
    return not offers(question, quote)
