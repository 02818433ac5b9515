"""What kind of value a question asks for, and whether a sentence offers one.

Kinds: language, person, place, date, duration, number, organisation,
definition. A
sentence *offers* a value when it holds one of the asked kind that the question
itself does not already hold ("谷歌什么时候发布了MusicLM？" is answered by a
sentence with a date, not by one that only repeats "MusicLM"). Chinese values
come from jieba's part-of-speech tags (nr person, ns place, m numeral, t time);
English ones from capitalised words, numbers and date words. An organisation
("哪家公司", "which company") is any proper name (jieba's nr/ns/nt/nz, a
capitalised Latin word) or a word ending as institutions do (公司, 大学,
电视台…). Leaves out: other "which X" (too open to type), and full named-entity
recognition.
A *definition* ("什么是PGC？", "MaaS是什么意思？", "What is Dramatron?") is offered
by a sentence that says what its term is: the term followed by 是/指/即/（/：
("MaaS（Model as a Service…）", "Dramatron is a…") or named by it ("被称为PGC",
"known as …", "语言模型系统—Dramatron"); a sentence that only mentions the
term ("GPT-4还能够处理论文截图") offers none. Asked last, so "什么是X设立的年份"
stays a date.
"""

from __future__ import annotations

import re
from functools import lru_cache

from index.hans import simplified

from .en_names import names

KINDS = (
    "language",
    "person",
    "place",
    "date",
    "duration",
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
            r"|provider|supplier|brand|bank)\b",
            re.I,
        ),
    ),
    ("person", re.compile(r"谁|哪位|什么人|\bwho(?:m|se)?\b", re.I)),
    (
        "place",
        re.compile(
            r"哪里|哪儿|什么地方|哪(?:个|些|一个)?(?:国家|城市|省份?|地区|地方|国|州|县|市)"
            r"|在哪|何处|何地|分布"
            r"|\bwhere\b|\bwhat (?:country|city|state|region|place)\b"
            r"|\bwhich (?:country|city|state|region|place)\b",
            re.I,
        ),
    ),
]

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

_CJK = re.compile(r"[\u3400-\u9fff]")
_EN_NUMBER = re.compile(
    r"\b\d[\d,.]*\b|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"twenty|thirty|forty|fifty|hundred|thousand|million|billion|dozen)s?\b",
    re.I,
)
_EN_DATE = re.compile(
    r"\b1\d{3}s?\b|\b20\d{2}s?\b|\b\d{1,2}(?:st|nd|rd|th) century\b|\b(?:january|february|march|"
    r"april|may|june|july|august|september|october|november|december)\b|\bcentur(?:y|ies)\b",
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
    return "definition" if _term(question) else None


@lru_cache(maxsize=1024)  # asked once a candidate sentence
def _term(question: str) -> str | None:
    """The term a definition question asks about ("什么是PGC？" → "PGC").

    >>> _term("什么是PGC？"), _term("MaaS是什么意思？"), _term("What is Dramatron?")
    ('PGC', 'MaaS', 'Dramatron')
    >>> _term("百度的数字人平台叫什么名字？"), _term("What is the name of Baidu's platform?")
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
    term = _term(question)
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
