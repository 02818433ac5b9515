"""Inputs that are not questions about the notes: greetings, thanks, junk; and follow-ups.

A greeting or thanks ("你好", "hello", "谢谢") gets a short reply that says
what notechat does and offers example questions, never a quote. Input with
no content left once markup, punctuation and filler words are gone ("ok",
"。。。", `<img src=x onerror=…>`) is not searched at all. A question refers
back to the conversation when one of its *words* (jieba tokens, so "其他",
"因此" and "尤其" do not count) is a pronoun or demonstrative.
An input not phrased as a question or a request ("数字人", "AIGC") is a topic:
its quotes are shown, but never as `high` (chatbot.engine), since every
question the confidence was fitted on asks something.
Leaves out: detecting gibberish made of real-looking words ("lorem ipsum");
the confidence judge keeps those from "high".
"""

from __future__ import annotations

import re
import unicodedata

from index.hans import simplified

_TAG = re.compile(r"<[^>]*>|&[#\w]+;")
_GREETINGS = frozenset(
    """你好 您好 你们好 大家好 嗨 哈喽 哈啰 早 早上好 上午好 中午好 下午好 晚上好 晚安 在吗 在不在
    你是谁 你是什么 你能做什么 你会什么 介绍一下你自己 再见 拜拜
    hello hi hey hiya howdy yo greetings hello there hi there good morning good afternoon
    good evening good night who are you what are you what can you do help bye goodbye""".split()
    + ["hello there", "hi there", "good morning", "good afternoon", "good evening", "good night"]
    + ["who are you", "what are you", "what can you do", "what do you do", "how are you"]
)
_ADDRESS = frozenset("there all everyone notechat bot friend friends buddy again 啊 呀 呢".split())
_THANKS = frozenset(
    """谢谢 谢谢你 多谢 感谢 谢啦 谢了 thanks thank you thx ty cheers 好的谢谢 谢谢啦""".split()
    + ["thank you", "thanks a lot", "many thanks", "thank you very much"]
)
# Words that carry no question at all when they are all there is.
_FILLER = frozenset(
    """ok okay k yes no yep nope yeah sure fine cool nice wow lol haha hmm hm um uh ah oh test
    testing asdf qwerty 好 好的 嗯 嗯嗯 哦 噢 啊 哈 哈哈 哈哈哈 呵呵 对 是的 行 可以
    测试 试试 没事""".split()
)
_REFERRING_ZH = frozenset(
    """它 它们 他 她 他们 她们 其 该 这个 那个 这款 这项 这种 那种 这家 那家 此 上述 前者 后者
    这些 那些 该公司 该模型 它的 他的 她的""".split()
)
_REFERRING_EN = frozenset("it its they them their he she his her this these those".split())

REPLIES = {
    "greeting": {
        "zh": "你好！我是 notechat：我只用你的笔记里的原话回答问题，并标出每句话的出处。"
        "可以试试下面的问题：",
        "en": "Hello! I'm notechat: I answer questions about your notes by quoting them, "
        "with a citation for every quote. Try one of these:",
    },
    "thanks": {
        "zh": "不客气！还想了解笔记里的什么内容，直接问就好。",
        "en": "You're welcome! Ask anything else about your notes.",
    },
}


def _plain(text: str) -> str:
    """Lower-cased words only: markup, punctuation and symbols dropped.

    >>> _plain("Hello, there!! 👋")
    'hello there'
    """
    text = _TAG.sub(" ", simplified(text))
    kept = "".join(
        ch if unicodedata.category(ch)[0] in "LN" or ch.isspace() else " " for ch in text
    )
    return " ".join(kept.lower().split())


def small_talk(question: str) -> str | None:
    """ "greeting" or "thanks" when that is all the input says, else None.

    >>> small_talk("你好！"), small_talk("Thanks a lot"), small_talk("你好，什么是PGC？")
    ('greeting', 'thanks', None)
    """
    plain = _plain(question)
    words = plain.split()
    # "hey there", "thanks notechat": the greeting plus whom it greets.
    while len(words) > 1 and words[-1] in _ADDRESS:
        words.pop()
    plain = " ".join(words)
    compact = plain.replace(" ", "")
    for kind, known in (("greeting", _GREETINGS), ("thanks", _THANKS)):
        if plain in known or compact in known:
            return kind
    return None


def has_content(question: str) -> bool:
    """False when nothing is left to search for once markup, punctuation and filler go.

    >>> has_content("。。。"), has_content("<img src=x onerror=alert(1)>"), has_content("ok")
    (False, False, False)
    >>> has_content("什么是PGC？"), has_content("UGC")
    (True, True)
    """
    from index.lexical import tokenize

    plain = _plain(question)
    if not plain or all(w in _FILLER for w in plain.split()) or plain.replace(" ", "") in _FILLER:
        return False
    return bool(tokenize(plain))


# What makes an input a question or a request. Every one of the 4,765 fitting questions
# (scripts/fit_confidence.py) has one of these; a bare topic has none.
_ASKS_ZH = re.compile(
    r"[？?]|什么|哪|谁|怎|如何|何|为什么|多少|几|吗|呢|是否|有没有|能不能|能否|可否|多久|多长|多大|"
    r"多高|多远|多快|多重"
)
_REQUEST_ZH = re.compile(
    r"^(请|介绍|说说|讲讲|谈谈|列举|列出|解释|说明|描述|概括|总结|告诉我|比较)"
)
_ASKS_EN = re.compile(r"\?|\b(what|who|whom|whose|when|where|why|how|which)\b", re.IGNORECASE)
_STARTS_EN = re.compile(
    r"^(is|are|was|were|do|does|did|can|could|should|would|will|has|have|had|may|might|must|"
    r"name|list|describe|explain|tell|give|define|identify|state|summari[sz]e|compare|"
    r"please)\b",
    re.IGNORECASE,
)


def asks(question: str) -> bool:
    """Is the input phrased as a question or a request, not a bare topic?

    >>> asks("什么是PGC"), asks("介绍一下数字人"), asks("數位人是什麼"), asks("数字人")
    (True, True, True, False)
    >>> asks("Name a luxury division of Toyota."), asks("Is it open"), asks("AIGC")
    (True, True, False)
    """
    text = simplified(question).strip()
    return bool(
        _ASKS_ZH.search(text)
        or _REQUEST_ZH.search(text)
        or _ASKS_EN.search(text)
        or _STARTS_EN.search(text)
    )


def refers_back(question: str) -> bool:
    """Does the question lean on the conversation ("它生成一个模型要多久？")?

    >>> refers_back("它生成一个模型要多久？"), refers_back("其他平台有哪些？")
    (True, False)
    >>> refers_back("因此AIGC尤其重要吗？"), refers_back("What could it do with voice?")
    (False, True)
    """
    from index.lexical import _jieba

    words = [w.strip().lower() for w in _jieba().lcut(simplified(question))]
    return any(w in _REFERRING_ZH or w in _REFERRING_EN for w in words if w)
